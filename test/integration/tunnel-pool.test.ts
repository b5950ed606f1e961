// Pooled tunnels through HatchHost (host.call), against the embedded sandbox with the real
// agent's pacing ON (≤ 1024-byte messages, 1 ms apart ⇒ ~1 MB/s per session): one local
// port, N port sessions, each connection on the least-loaded session; a session that ends
// is replaced while its siblings keep serving. No timed assertions.
import { SSMClient, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinSandbox } from '../../src/main/aws';
import { HatchHost } from '../../src/main/host';
import type { TunnelInfo, TunnelStats } from '../../src/shared/contract';
import type { ManagedNode } from '../../src/shared/domain/inventory';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';
import { callHost, waitFor } from '../helpers/host-harness';

let host: HatchHost;
let sandbox: Sandbox;
let ssm: SSMClient;
let nodes: ManagedNode[];
const tunnelEvents: TunnelInfo[] = [];
const statsEvents: TunnelStats[] = [];
const servers: net.Server[] = [];

const call = <T>(method: string, request: unknown = {}) => callHost<T>(host, method, request);


const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const latest = (id: string) => tunnelEvents.filter((t) => t.id === id).at(-1);

/**
 * Download source: a connection sends "<tag> <bytes> [hold]\n" and gets that many random
 * bytes, then the server closes; the SHA-256 of what it sent is kept under the tag. With
 * `hold`, only the first 64 KiB go out until release() is called.
 */
const HOLD_BYTES = 64 * 1024;
const sent = new Map<string, string>();
let holdRelease: () => void = () => undefined;
let held = new Promise<void>((resolve) => (holdRelease = resolve));

async function listen(handler: (s: net.Socket) => void): Promise<number> {
  const server = net.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

function source(socket: net.Socket): void {
  socket.on('error', () => undefined);
  let head = '';
  const onHead = (d: Buffer) => {
    head += d.toString('latin1');
    const nl = head.indexOf('\n');
    if (nl < 0) return;
    socket.off('data', onHead);
    const [tag, size, hold] = head.slice(0, nl).split(' ');
    const data = randomBytes(Number(size));
    sent.set(tag, sha256(data));
    if (!hold) {
      socket.end(data);
      return;
    }
    socket.write(data.subarray(0, HOLD_BYTES));
    void held.then(() => socket.end(data.subarray(HOLD_BYTES)));
  };
  socket.on('data', onHead);
}

interface Download {
  tag: string;
  data: Buffer;
  /** false when the connection was reset/cut rather than ended by the server. */
  clean: boolean;
}

function download(port: number, tag: string, size: number, opts: { hold?: boolean; onFirstBytes?: () => void } = {}): Promise<Download> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    let first = true;
    let clean = false;
    socket.on('data', (d: Buffer) => {
      parts.push(d);
      if (first) {
        first = false;
        opts.onFirstBytes?.();
      }
    });
    socket.on('end', () => (clean = true));
    socket.on('error', () => (clean = false));
    socket.on('close', () => resolve({ tag, data: Buffer.concat(parts), clean }));
    socket.write(`${tag} ${size}${opts.hold ? ' hold' : ''}\n`);
  });
}

function echoOnce(socket: net.Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.length >= text.length) {
        socket.off('data', onData);
        resolve(got);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(text);
  });
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

let sourcePort: number;
let echoPort: number;

beforeAll(async () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'hatch-pool-'));
  writeFileSync(path.join(home, 'empty-config'), '');
  host = new HatchHost({
    host: 'web',
    dataDir: path.join(home, '.hatch'),
    env: { HOME: home, AWS_CONFIG_FILE: path.join(home, 'empty-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials') },
    // The real agent's pacing: every session is capped at ~1 MB/s downstream.
    sandbox: new BuiltinSandbox(async () => (sandbox = await startSandbox({ agentPacing: true, dataDir: path.join(home, 'sandbox') }))),
    pluginCandidates: () => [],
    logError: () => undefined,
  });
  host.subscribe((name, payload) => {
    if (name === 'tunnels.changed') tunnelEvents.push((payload as { tunnel: TunnelInfo }).tunnel);
    if (name === 'tunnels.stats') statsEvents.push(...(payload as { stats: TunnelStats[] }).stats);
  });
  ({ nodes } = await call<{ nodes: ManagedNode[] }>('inventory.list', { profile: 'Sandbox', region: 'us-east-1' }));
  ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
  sourcePort = await listen(source);
  echoPort = await listen((s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
});

afterAll(async () => {
  holdRelease();
  ssm?.destroy();
  await host?.dispose();
  for (const s of servers) s.close();
});

const node = (name: string) => nodes.find((n) => n.name === name)!;
const start = (name: string, remotePort: number, poolSize?: number) =>
  call<TunnelInfo>('tunnels.start', { profile: 'Sandbox', region: 'us-east-1', target: node(name).id, remotePort, localPort: 0, ...(poolSize ? { poolSize } : {}) });

describe('pooled tunnels (agent pacing on)', () => {
  it('spreads 8 parallel downloads over a pool of 4 sessions behind one port, byte-exact', async () => {
    const tunnel = await start('web-1', sourcePort, 4);
    expect(tunnel).toMatchObject({ state: 'open', poolSize: 4, mode: 'multiplexed' });
    expect(tunnel.localPort).toBeGreaterThan(0);
    expect(new Set(tunnel.awsSessionIds).size).toBe(4);
    for (const id of tunnel.awsSessionIds) expect(sandbox.sessions().find((s) => s.sessionId === id)).toMatchObject({ target: node('web-1').id, documentName: 'AWS-StartPortForwardingSession' });

    const size = 1_000_000;
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => download(tunnel.localPort, `pool-${i}`, size)));
    for (const r of results) {
      expect(r.data.length).toBe(size);
      expect(sha256(r.data)).toBe(sent.get(r.tag));
    }

    // The tunnel's counters: every connection, per session; least-loaded puts two on each.
    const stats = await waitFor(() => statsEvents.filter((s) => s.id === tunnel.id && s.totalConnections >= 8 && s.activeConnections === 0).at(-1));
    expect(stats.bytesDown).toBeGreaterThanOrEqual(8 * size);
    const used = stats.sessions.filter((s) => s.totalConnections > 0);
    expect(used.length).toBeGreaterThanOrEqual(2);
    expect(stats.sessions.map((s) => s.totalConnections)).toEqual([2, 2, 2, 2]);
    expect(stats.sessions.every((s) => s.bytesDown >= 2 * size)).toBe(true);

    await call('tunnels.stop', { tunnelId: tunnel.id });
    for (const id of tunnel.awsSessionIds) await waitFor(() => sandbox.sessions().find((s) => s.sessionId === id)?.status === 'Terminated');
    expect((await call<{ tunnels: TunnelInfo[] }>('tunnels.list')).tunnels.find((t) => t.id === tunnel.id)?.state).toBe('stopped');
  });

  it('survives one of its sessions being terminated: siblings keep their connections, new ones succeed, the session is replaced', async () => {
    const tunnel = await start('db-jump', sourcePort, 4);
    const [victim, ...siblings] = tunnel.awsSessionIds;
    expect(siblings).toHaveLength(3);

    // One held download per session (least-loaded: one each), all mid-transfer.
    let started = 0;
    const inFlight = Array.from({ length: 4 }, (_, i) => download(tunnel.localPort, `held-${i}`, 400_000, { hold: true, onFirstBytes: () => started++ }));
    await waitFor(() => started === 4);

    await ssm.send(new TerminateSessionCommand({ SessionId: victim }));
    // Hatch notices the end: the session leaves the pool, the others are untouched.
    await waitFor(() => {
      const info = latest(tunnel.id);
      return info && !info.awsSessionIds.includes(victim);
    });
    holdRelease();
    held = new Promise<void>((resolve) => (holdRelease = resolve));
    const finished = await Promise.all(inFlight);
    const complete = finished.filter((r) => r.clean && r.data.length === 400_000 && sha256(r.data) === sent.get(r.tag));
    expect(complete).toHaveLength(3); // the three on sibling sessions
    expect(finished.filter((r) => r.data.length < 400_000)).toHaveLength(1); // the one on the terminated session

    // New connections work at once, on the remaining sessions …
    const soon = await Promise.all(Array.from({ length: 3 }, (_, i) => download(tunnel.localPort, `after-${i}`, 200_000)));
    for (const r of soon) expect(sha256(r.data)).toBe(sent.get(r.tag));

    // … and the pool is back to four sessions, the siblings still the same ones.
    const healed = await waitFor(() => {
      const info = latest(tunnel.id);
      return info && info.awsSessionIds.length === 4 && info.state === 'open' ? info : undefined;
    });
    expect(healed.awsSessionIds).toEqual(expect.arrayContaining(siblings));
    expect(healed.awsSessionIds).not.toContain(victim);
    expect(sandbox.sessions().find((s) => s.sessionId === victim)?.status).toBe('Terminated');
    const later = await Promise.all(Array.from({ length: 4 }, (_, i) => download(tunnel.localPort, `healed-${i}`, 200_000)));
    for (const r of later) expect(sha256(r.data)).toBe(sent.get(r.tag));

    // Restart handles the whole pool: four fresh sessions on the same local port.
    const restarted = await call<TunnelInfo>('tunnels.restart', { tunnelId: tunnel.id });
    expect(restarted).toMatchObject({ state: 'open', localPort: tunnel.localPort, poolSize: 4 });
    expect(restarted.awsSessionIds).toHaveLength(4);
    expect(restarted.awsSessionIds.some((id) => healed.awsSessionIds.includes(id))).toBe(false);
    for (const id of healed.awsSessionIds) await waitFor(() => sandbox.sessions().find((s) => s.sessionId === id)?.status === 'Terminated');
    const again = await download(tunnel.localPort, 'restarted', 200_000);
    expect(sha256(again.data)).toBe(sent.get('restarted'));

    await call('tunnels.stop', { tunnelId: tunnel.id });
    for (const id of restarted.awsSessionIds) await waitFor(() => sandbox.sessions().find((s) => s.sessionId === id)?.status === 'Terminated');
  });

  it('gives basic-mode agents (one connection per session) parallel connections', async () => {
    const tunnel = await start('legacy-app', echoPort, 2);
    expect(tunnel).toMatchObject({ state: 'open', mode: 'basic', poolSize: 2 });
    const a = await connect(tunnel.localPort);
    expect(await echoOnce(a, 'first connection')).toBe('first connection');
    // A single basic session would hold this one back until `a` closes.
    const b = await connect(tunnel.localPort);
    expect(await echoOnce(b, 'second connection')).toBe('second connection');
    expect(await echoOnce(a, 'still first')).toBe('still first');
    a.destroy();
    b.destroy();
    await call('tunnels.stop', { tunnelId: tunnel.id });
  });

  it('refuses a port in use before starting any session, and a pool size out of range', async () => {
    const busy = net.createServer();
    servers.push(busy);
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    const before = sandbox.sessions().length;
    const clash = await call('tunnels.start', { profile: 'Sandbox', region: 'us-east-1', target: node('web-2').id, remotePort: echoPort, localPort: port, poolSize: 3 }).catch((e: unknown) => e);
    expect(clash).toMatchObject({ code: 'BadRequest' });
    expect((clash as Error).message).toContain('already in use');
    expect(sandbox.sessions().length).toBe(before);
    const tooMany = await start('web-2', echoPort, 9).catch((e: unknown) => e);
    expect(tooMany).toMatchObject({ code: 'BadRequest' });
    expect(sandbox.sessions().length).toBe(before);
  });
});
