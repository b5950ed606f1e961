// What every API handler may use. Built once by startSandbox.
import type { DataChannelAgent } from './agent-api';
import type { AuthContext, CredentialStore } from './auth';
import type { Clock } from './clock';
import type { Fleet } from './fleet';

export interface SandboxContext {
  fleet: Fleet;
  agent: DataChannelAgent;
  clock: Clock;
  dataDir: string;
  accountId: string;
  credentials: CredentialStore;
  /** Set once the server listens. */
  port: number;
  startedAt: number;
  /** Lifetime cap for temporary credentials (sandbox seconds), if any. */
  credentialLifetimeSeconds?: number;
  totpSecret: string;
  mfaSerial: string;
  /** The agent's view of a session's data channel, for DescribeSessions status. */
  connection?: (sessionId: string) => { connected: boolean; everConnected: boolean } | undefined;
}

export type Handler = (input: Record<string, unknown>, auth: AuthContext) => unknown;
export type QueryHandler = (params: Record<string, string>, auth: AuthContext) => unknown;

/** "arn:aws:iam::1:user/alice" → "alice"; "arn:aws:sts::1:assumed-role/R/sess" → "sess". */
export function principalName(arn: string): string {
  const tail = arn.split(':').slice(5).join(':');
  const parts = tail.split('/');
  return parts[parts.length - 1] || 'sandbox';
}
