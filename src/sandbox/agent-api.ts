// The seam between the sandbox's service side (HTTP APIs, session registry) and its
// agent side (the data channel in ./agent). The service decides what a session is;
// the agent runs it. Neither imports the other's internals.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export type SessionType = 'Standard_Stream' | 'Port' | 'InteractiveCommands' | 'NonInteractiveCommands';

/** One node of the sandbox fleet (see ./fleet.ts). */
export interface FleetNode {
  instanceId: string; // i-… or mi-…
  name: string;
  tags: Record<string, string>;
  platformType: 'Linux' | 'Windows' | 'MacOS';
  platformName: string;
  platformVersion: string;
  pingStatus: 'Online' | 'ConnectionLost' | 'Inactive';
  agentVersion: string;
  ipAddress: string;
  region: string;
  accountId: string;
  resourceType: 'EC2Instance' | 'ManagedInstance';
  computerName: string;
  /** Remote-host names this node can reach, mapped to loopback addresses (never anything else). */
  hostMap?: Record<string, string>;
  /** Commands its shells do not find on PATH (e.g. a node without gzip). */
  hideTools?: string[];
  /** Its shells report their working directory with OSC 7 at each prompt. */
  osc7?: boolean;
  /**
   * Ports this node listens on, served by these loopback ports (e.g. 22 → a test's sshd,
   * 3389 → a stand-in RDP server). Ports not listed are the same port on loopback.
   */
  portMap?: Record<string, number>;
  /** Set when the target is an ECS container: its shells get the container's own environment. */
  container?: { name: string; runtimeId: string; environment: Record<string, string> };
}

/** Session Manager preferences in force for a session (from SSM-SessionManagerRunShell). */
export interface SessionPreferences {
  idleSessionTimeoutMinutes: number; // 1–60, default 20
  maxSessionDurationMinutes?: number; // 1–1440, unset = no limit
  kmsKeyId?: string; // non-empty ⇒ KMS encryption (not for Port sessions)
  runAsEnabled: boolean;
  runAsDefaultUser?: string;
  shellProfileLinux?: string;
  /** When S3 or CloudWatch logging is on, the transcript is written here. */
  transcriptPath?: string;
}

/** Everything the agent needs to run one session, handed over by StartSession. */
export interface AgentSessionSpec {
  sessionId: string;
  /** Token accepted for the first connection (single use). */
  tokenValue: string;
  node: FleetNode;
  documentName: string;
  sessionType: SessionType;
  /** Document properties after parameter substitution (what the handshake carries). */
  properties: unknown;
  parameters: Record<string, string[]>;
  preferences: SessionPreferences;
  owner: string; // caller ARN
}

export type SessionEndReason = 'exit' | 'terminated' | 'idle-timeout' | 'max-duration' | 'failed';

/** Data-channel faults (see ./faults.ts for the CLI syntax). Probabilities are 0..1. */
export interface DataChannelFaults {
  drop: number;
  dup: number;
  reorder: number;
  delayMs: number;
  /** Cut every data-channel socket this often (ms of sandbox time); 0 = never. */
  cutEveryMs: number;
  /**
   * Half-open stalls: every `stallEveryMs` (sandbox time) every data-channel socket goes
   * silent for `stallMs` without closing: no frames either way, no pongs, new connections
   * reset. 0 = never.
   */
  stallMs?: number;
  stallEveryMs?: number;
  /**
   * A service that slows a fast sender down: above this many bytes per second (per socket
   * and direction) a growing share of frames is dropped, unacknowledged. 0 = no limit.
   */
  rateLimitBytesPerSec?: number;
  /** Makes the random fault decisions replayable. */
  seed?: number;
}

/** What the agent may ask of the service side. */
export interface AgentServices {
  /** KMS Decrypt of a data key blob with its encryption context (throws on mismatch). */
  kmsDecrypt(ciphertext: Buffer, encryptionContext: Record<string, string>): Promise<Buffer>;
  /** Called exactly once when a session ends, for DescribeSessions history. */
  onSessionEnded(sessionId: string, reason: SessionEndReason, exitCode?: number): void;
}

export interface AgentOptions {
  dataDir: string;
  /** >1 makes time pass faster (idle timeout, max duration, cuts): 60 ⇒ a minute per second. */
  timeScale: number;
  faults: DataChannelFaults;
  /** true: ≤1024-byte messages with a 1 ms pause, like the real agent (spec 9.6). */
  pacing: boolean;
  services: AgentServices;
}

export interface DataChannelAgent {
  /** A session was started (StartSession); its socket arrives later. */
  register(spec: AgentSessionSpec): void;
  /** ResumeSession issued a new token for the session; false if it cannot be resumed. */
  addResumeToken(sessionId: string, tokenValue: string): boolean;
  /** HTTP upgrade on /v1/data-channel/<sessionId>; the agent validates the token itself. */
  handleUpgrade(sessionId: string, req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** TerminateSession: send channel_closed and stop the session's process/connections. */
  terminate(sessionId: string): void;
  /** Cut every open data-channel socket now (fault injection / tests). */
  cutAll(): void;
  /**
   * Half-open stall now: the session's socket (every session's when no id is given) stays
   * open but carries nothing, answers no ping, and new connections are reset, for
   * `sandboxMs` of sandbox time.
   */
  stall(sandboxMs: number, sessionId?: string): void;
  close(): Promise<void>;
}
