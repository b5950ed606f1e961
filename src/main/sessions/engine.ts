// One interface for both session engines (AWS's plugin in a pty, or Hatch's own
// protocol implementation). SessionManager calls StartSession itself and hands the
// response to an engine, which runs the data channel until the session ends.
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { EngineKind, SessionEndReason } from '../../shared/contract';

export interface StartSessionResult {
  SessionId: string;
  TokenValue: string;
  StreamUrl: string;
}

export interface EngineEnd {
  reason: SessionEndReason;
  exitCode: number | null;
  message: string | null;
}

export type EngineState = 'connecting' | 'live' | 'reconnecting';

/** What an engine gives back: a running session. */
export interface EngineSession {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** Stop reading output (flow control) until resume(). */
  pause(): void;
  resume(): void;
  /** Ask the engine to end the session (it reports the end through onEnd). */
  terminate(): void;
  /** Output: bytes (the protocol's) or text already decoded (node-pty's). */
  onData(listener: (chunk: Buffer | string) => void): void;
  onState(listener: (state: EngineState) => void): void;
  onEnd(listener: (end: EngineEnd) => void): void;
  /** Smoothed round-trip time to the agent, when the engine can measure it. */
  latencyMs(): number | null;
}

export interface EngineContext {
  profile: string;
  region: string;
  target: string;
  documentName: string | null;
  parameters: Record<string, string[]>;
  cols: number;
  rows: number;
  ssm: SSMClient;
  kms: () => Promise<KMSClient>;
  /** Environment for a child AWS tool: region, endpoint and credentials resolved in main. */
  childEnv: () => Promise<Record<string, string>>;
  ssmEndpoint: () => Promise<string>;
  /** Upload pacing for the built-in engine (the profile's "AWS-compatible pacing" switch). */
  pacing: 'adaptive' | 'aws';
  /** TerminateSession for this session, sent at most once whoever calls it (engine or manager). */
  terminateSession: () => Promise<void>;
}

export interface SessionEngine {
  readonly kind: EngineKind;
  attach(start: StartSessionResult, context: EngineContext): Promise<EngineSession>;
}
