// Version switches the agent derives from the client's ClientVersion and from its own
// AgentVersion (spec 6.5, 9.1, 9.4).

/** Parts of a dotted numeric version, or null when a part is not a plain number. */
function parseVersion(v: string | undefined): number[] | null {
  if (!v) return null;
  const parts = v.trim().split('.');
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p)) return null;
    out.push(Number(p));
  }
  return out;
}

/**
 * Agent-side comparison: part by part as integers; when one is a prefix of the other the
 * shorter is lower. null when either side is empty or non-numeric (the agent then treats
 * the client as too old).
 */
export function compareVersions(a: string | undefined, b: string): number | null {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return null;
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  return pa.length === pb.length ? 0 : pa.length < pb.length ? -1 : 1;
}

const SMUX_MIN_CLIENT_VERSION = '1.1.70';
const SMUX_KEEPALIVE_OFF_AFTER_CLIENT = '1.2.331.0';
const SMUX_MIN_AGENT_EXCLUSIVE = '3.0.196.0';
export const DEFAULT_AGENT_VERSION = '3.3.987.0';

/** Agents up to 3.0.196.0 know only basic forwarding; later ones multiplex for clients ≥ 1.1.70. */
export function usesSmux(propertiesType: unknown, agentVersion: string, clientVersion: string | undefined): boolean {
  if (propertiesType !== 'LocalPortForwarding') return false;
  const agentCmp = compareVersions(agentVersion, SMUX_MIN_AGENT_EXCLUSIVE);
  if (agentCmp === null || agentCmp <= 0) return false;
  const clientCmp = compareVersions(clientVersion, SMUX_MIN_CLIENT_VERSION);
  return clientCmp !== null && clientCmp >= 0;
}

/** The agent keeps its smux keep-alive only for clients ≤ 1.2.331.0 (which expect it). */
export function smuxKeepAliveEnabled(clientVersion: string | undefined): boolean {
  const c = compareVersions(clientVersion, SMUX_KEEPALIVE_OFF_AFTER_CLIENT);
  return c === null || c <= 0;
}
