// Where a port session may connect. The sandbox must never reach beyond loopback: a
// remote `host` only works when the node's hostMap maps it to a loopback address.
import { isIP } from 'node:net';
import type { FleetNode } from '../agent-api';

export type Destination = { ok: true; host: string; port: number } | { ok: false; error: string };

export function isLoopback(address: string): boolean {
  const kind = isIP(address);
  if (kind === 4) return address.split('.')[0] === '127';
  if (kind === 6) return address === '::1' || address === '0:0:0:0:0:0:0:1';
  return false;
}

/** Resolves document properties (`host`, `portNumber`) to a loopback address, or refuses. */
export function resolveDestination(node: FleetNode, properties: unknown): Destination {
  const props = (properties && typeof properties === 'object' ? properties : {}) as Record<string, unknown>;
  const portText = String(props.portNumber ?? '80').trim();
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  const rawHost = typeof props.host === 'string' ? props.host.trim() : '';
  const shown = rawHost || 'localhost';
  if (!(port >= 1 && port <= 65535)) return { ok: false, error: `dial tcp ${shown}:${portText}: invalid port` };
  // The node's own ports may be served elsewhere on loopback (its sshd, its RDP listener).
  const own = (p: number) => (node.portMap && Object.prototype.hasOwnProperty.call(node.portMap, String(p)) ? node.portMap[String(p)] : p);
  if (!rawHost) return { ok: true, host: '127.0.0.1', port: own(port) };
  const bare = rawHost.replace(/^\[(.*)\]$/, '$1');
  let address: string | undefined;
  if (node.hostMap && Object.prototype.hasOwnProperty.call(node.hostMap, rawHost)) address = node.hostMap[rawHost];
  else if (bare.toLowerCase() === 'localhost') return { ok: true, host: '127.0.0.1', port: own(port) };
  else if (isLoopback(bare)) address = bare;
  if (!address || !isLoopback(address)) {
    // What the agent's dialer reports for a name it cannot resolve.
    return { ok: false, error: `dial tcp: lookup ${rawHost}: no such host` };
  }
  return { ok: true, host: address, port };
}
