// Terminal sessions as the renderer sees them (no token, no StreamUrl). Re-exported by contract.ts.
import { z } from 'zod';

export const EngineKind = z.enum(['native', 'plugin']);
export type EngineKind = z.infer<typeof EngineKind>;

export const SessionState = z.enum(['connecting', 'live', 'reconnecting', 'ended']);
export const SessionEndReason = z.enum(['exit', 'idle-timeout', 'max-duration', 'terminated', 'network', 'failed']);
export type SessionEndReason = z.infer<typeof SessionEndReason>;

/** A session as the renderer sees it: no token, no StreamUrl. */
export const SessionInfo = z.object({
  id: z.string(),
  awsSessionId: z.string().nullable(),
  profile: z.string(),
  region: z.string(),
  target: z.string(),
  documentName: z.string().nullable(),
  engine: EngineKind,
  state: SessionState,
  endReason: SessionEndReason.nullable(),
  exitCode: z.number().int().nullable(),
  message: z.string().nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  recordingPath: z.string().nullable(),
  /** A container shell (ECS Exec): where it runs, so the tab can be split, duplicated or named. */
  exec: z.object({ cluster: z.string(), task: z.string(), container: z.string(), command: z.string() }).nullish(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;
