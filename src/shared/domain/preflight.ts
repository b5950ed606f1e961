// Preflight: what would make a session on a node fail, checked before starting it.
import { z } from 'zod';

export const CheckStatus = z.enum(['ok', 'warn', 'fail']);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const PreflightCheck = z.object({
  /** Short name of the check ("Node ping status"). */
  check: z.string(),
  status: CheckStatus,
  message: z.string(),
  /** What to do about it, when there is something to do. */
  action: z.string().nullable(),
});
export type PreflightCheck = z.infer<typeof PreflightCheck>;

/** Agent version needed for multiplexed (smux) port forwarding. */
export const SMUX_AGENT_VERSION = '3.0.222.0';
/** Agent version needed for port forwarding at all. */
export const PORT_AGENT_VERSION = '2.3.672.0';
/** Agent version needed for port forwarding to a remote host. */
export const REMOTE_HOST_AGENT_VERSION = '3.1.1374.0';

/** Compares dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function worstStatus(checks: PreflightCheck[]): CheckStatus {
  return checks.some((c) => c.status === 'fail') ? 'fail' : checks.some((c) => c.status === 'warn') ? 'warn' : 'ok';
}
