// The one way to open a data-channel session, used by the native engine, tunnels and the
// plugin CLI: StartSession (unless the caller already has its response), connect, and wire
// ResumeSession/TerminateSession into the client. The SSM calls are injected, so this file
// knows the API only through `SessionCalls` (ssmSessionCalls adapts an SDK SSMClient).
import { GetDocumentCommand, ResumeSessionCommand, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { DataChannelClient, type ConnectOptions } from './client';

/** StartSession's answer (spec 2.1). */
export interface StartedSession {
  SessionId: string;
  TokenValue: string;
  StreamUrl: string;
}

export interface StartSessionInput {
  Target: string;
  DocumentName?: string;
  Parameters?: Record<string, string[]>;
  Reason?: string;
}

/** The SSM session API as the opener needs it. */
export interface SessionCalls {
  start(input: StartSessionInput): Promise<StartedSession>;
  resume(sessionId: string): Promise<{ tokenValue?: string; streamUrl?: string }>;
  terminate(sessionId: string): Promise<void>;
  /**
   * The account's idle session timeout (SSM-SessionManagerRunShell's idleSessionTimeout), in
   * ms, or null when it cannot be read: how long a lost connection is worth retrying.
   */
  idleTimeoutMs?(): Promise<number | null>;
}

/** AWS's default idle session timeout. */
const DEFAULT_IDLE_TIMEOUT_MS = 20 * 60_000;

/** Minimal shape of @aws-sdk/client-ssm's SSMClient that we use (tests need not build one). */
export interface SsmClientLike {
  send(command: unknown): Promise<unknown>;
}

export function ssmSessionCalls(ssm: SsmClientLike): SessionCalls {
  return {
    async start(input) {
      const r = (await ssm.send(new StartSessionCommand(input))) as Partial<StartedSession>;
      if (!r.SessionId || !r.TokenValue || !r.StreamUrl) throw new Error('StartSession answered without SessionId, TokenValue or StreamUrl');
      return { SessionId: r.SessionId, TokenValue: r.TokenValue, StreamUrl: r.StreamUrl };
    },
    async resume(sessionId) {
      const r = (await ssm.send(new ResumeSessionCommand({ SessionId: sessionId }))) as { TokenValue?: string; StreamUrl?: string };
      return { tokenValue: r.TokenValue, streamUrl: r.StreamUrl };
    },
    async terminate(sessionId) {
      await ssm.send(new TerminateSessionCommand({ SessionId: sessionId }));
    },
    async idleTimeoutMs() {
      try {
        const r = (await ssm.send(new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' }))) as { Content?: string };
        const minutes = Number((JSON.parse(r.Content ?? '{}') as { inputs?: { idleSessionTimeout?: unknown } }).inputs?.idleSessionTimeout);
        return Number.isInteger(minutes) && minutes >= 1 && minutes <= 60 ? minutes * 60_000 : DEFAULT_IDLE_TIMEOUT_MS;
      } catch (e) {
        // No preferences document: the account uses AWS's default. No permission: unknown.
        return (e as Error).name === 'InvalidDocument' ? DEFAULT_IDLE_TIMEOUT_MS : null;
      }
    },
  };
}

/**
 * TerminateSession at most once per session, whoever asks (the client's terminate(), a
 * failed open, the app's own clean-up): later callers share the first call's promise.
 */
export function terminateOnce(calls: Pick<SessionCalls, 'terminate'>, sessionId: string): () => Promise<void> {
  let sent: Promise<void> | null = null;
  return () => (sent ??= calls.terminate(sessionId));
}

export type OpenSessionOptions = Omit<ConnectOptions, 'streamUrl' | 'tokenValue' | 'sessionId' | 'target' | 'resume' | 'terminateSession'> & {
  calls: SessionCalls;
  target: string;
  /** Either the StartSession request (the opener calls StartSession) or its response (the caller did). */
  start: StartSessionInput | StartedSession;
  /** A TerminateSession the caller shares with its own clean-up (from terminateOnce); default: a new one. */
  terminate?: () => Promise<void>;
  /** Called with the client before it connects (to listen for 'retrying', 'resuming', …). */
  onClient?: (client: DataChannelClient) => void;
};

export interface OpenedSession {
  client: DataChannelClient;
  started: StartedSession;
  /** TerminateSession, sent at most once for this session. */
  terminate: () => Promise<void>;
}

function isStarted(s: StartSessionInput | StartedSession): s is StartedSession {
  return typeof (s as StartedSession).SessionId === 'string' && typeof (s as StartedSession).StreamUrl === 'string';
}

/**
 * Opens a session's data channel. If connecting fails, the session is terminated (once) so
 * it does not linger on the service, and the error is thrown.
 */
export async function openSession(opts: OpenSessionOptions): Promise<OpenedSession> {
  const { calls, target, start, terminate: shared, onClient, ...connect } = opts;
  const started = isStarted(start) ? start : await calls.start({ ...start, Target: start.Target || target });
  const sessionId = started.SessionId;
  const terminate = shared ?? terminateOnce(calls, sessionId);
  try {
    const client = new DataChannelClient({
      ...connect,
      streamUrl: started.StreamUrl,
      tokenValue: started.TokenValue,
      sessionId,
      target,
      resume: () => calls.resume(sessionId),
      terminateSession: terminate,
    });
    onClient?.(client);
    await client.connect();
    // A lost connection is retried until the account's idle timeout, when the service has
    // ended the session anyway (the default 20 min until the preference is read).
    if (!connect.reconnect?.giveUpAfterMs) void calls.idleTimeoutMs?.().then((ms) => ms && client.setGiveUpAfter(ms));
    return { client, started, terminate };
  } catch (error) {
    void terminate().catch(() => undefined);
    throw error;
  }
}
