// Tunnels through HatchHost (host.call('tunnels.start', …)) against the sandbox: a local
// HTTP server reached through a node serves 100 parallel requests, each answer checked; a
// remote-host tunnel (AWS-StartPortForwardingSessionToRemoteHost) reaches a name the node
// resolves; and on a lossy data channel that is cut, the local port stays open and new
// connections succeed after the session resumes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { TunnelInfo } from '../../src/shared/contract';
import { startHostHarness, waitFor, type HostHarness } from '../helpers/host-harness';

let server: http.Server;
let serverPort: number;

/** The body the server sends for request n: unique, of a size that varies with n. */
function bodyFor(n: number): string {
  const seed = createHash('sha256').update(`hatch-${n}`).digest('hex');
  return `${n}:` + seed.repeat(1 + ((n * 37) % 300)); // 64 B … 19 KB
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const n = Number(/^\/n\/(\d+)$/.exec(req.url ?? '')?.[1]);
    if (!Number.isInteger(n)) {
      res.writeHead(404).end();
      return;
    }
    const body = bodyFor(n);
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), 'x-n': String(n) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverPort = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** GET /n/<n> through a local port on a fresh connection; resolves with status and body. */
function get(port: number, n: number, hostHeader = 'localhost'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/n/${n}`, agent: false, headers: { host: hostHeader, connection: 'close' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`request ${n} timed out`)));
    req.on('error', reject);
  });
}

async function checkRequests(port: number, from: number, count: number): Promise<void> {
  const answers = await Promise.all(Array.from({ length: count }, (_, i) => get(port, from + i)));
  answers.forEach((a, i) => {
    expect(a.status, `request ${from + i}`).toBe(200);
    expect(a.body === bodyFor(from + i), `body of request ${from + i}`).toBe(true);
  });
}

/** The local port accepts a TCP connection. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const start = (h: HostHarness, request: Record<string, unknown>) =>
  h.call<TunnelInfo>('tunnels.start', { profile: 'Sandbox', region: 'us-east-1', localPort: 0, ...request });

describe('tunnels on a clean network', () => {
  let h: HostHarness;
  beforeAll(async () => {
    h = await startHostHarness({ sandbox: { agentPacing: false } });
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('serves 100 parallel HTTP requests through a node, each answer correct', async () => {
    const tunnel = await start(h, { target: h.byName('db-jump').id, remotePort: serverPort });
    expect(tunnel.state).toBe('open');
    expect(tunnel.mode).toBe('multiplexed'); // one smux stream per connection
    await checkRequests(tunnel.localPort, 0, 100);
    await waitFor(
      () => h.tunnelStats(tunnel.id)?.totalConnections === 100,
      5_000,
      'the counters to show 100 connections',
    );
    // …and again, on the same tunnel.
    await checkRequests(tunnel.localPort, 100, 100);
    await h.call('tunnels.stop', { tunnelId: tunnel.id });
    expect(await accepts(tunnel.localPort)).toBe(false);
  });

  it('forwards to a remote host the node resolves (AWS-StartPortForwardingSessionToRemoteHost)', async () => {
    const node = h.byName('db-jump');
    const tunnel = await start(h, { target: node.id, remoteHost: 'db.internal', remotePort: serverPort });
    expect(tunnel).toMatchObject({ state: 'open', remoteHost: 'db.internal', label: `db.internal:${serverPort}` });
    const session = h.sandbox.sessions().find((s) => s.sessionId === tunnel.awsSessionId);
    expect(session?.documentName).toBe('AWS-StartPortForwardingSessionToRemoteHost');
    await checkRequests(tunnel.localPort, 1000, 20);
    await h.call('tunnels.stop', { tunnelId: tunnel.id });

    // A name the node cannot resolve: the tunnel opens, a connection through it fails, and
    // the tunnel says why.
    const nowhere = await start(h, { target: node.id, remoteHost: 'nowhere.internal', remotePort: serverPort });
    await expect(get(nowhere.localPort, 1)).rejects.toThrow();
    await waitFor(() => h.tunnel(nowhere.id)?.message, 10_000, 'the tunnel to report the failure');
    await h.call('tunnels.stop', { tunnelId: nowhere.id });
  });
});

describe('tunnels on a lossy network that gets cut', () => {
  let h: HostHarness;
  beforeAll(async () => {
    h = await startHostHarness({ sandbox: { agentPacing: false, faults: 'drop=0.01,dup=0.01,reorder=0.01,seed=11' } });
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('keeps the local port open through a cut, and new connections succeed after resume', async () => {
    const tunnel = await start(h, { target: h.byName('bastion').id, remotePort: serverPort });
    await checkRequests(tunnel.localPort, 2000, 50);

    const states: string[] = [];
    const off = h.host.subscribe((name, payload) => {
      if (name === 'tunnels.changed' && (payload as { tunnel: TunnelInfo }).tunnel.id === tunnel.id) states.push((payload as { tunnel: TunnelInfo }).tunnel.state);
    });
    h.sandbox.agent.cutAll();
    // While the session is away, the listener is still there.
    expect(await accepts(tunnel.localPort)).toBe(true);
    await waitFor(() => states.includes('reconnecting') && h.tunnel(tunnel.id)?.state === 'open', 30_000, 'the tunnel to come back');
    off();
    expect(await accepts(tunnel.localPort)).toBe(true);
    await checkRequests(tunnel.localPort, 3000, 50);
    const [info] = (await h.call<{ tunnels: TunnelInfo[] }>('tunnels.list')).tunnels.filter((t) => t.id === tunnel.id);
    expect(info.localPort).toBe(tunnel.localPort);
    await h.call('tunnels.stop', { tunnelId: tunnel.id });
  });
});
