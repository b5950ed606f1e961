// Port sessions over two in-memory DataChannels (client ↔ a small fake agent in this file),
// forwarding to real local TCP servers.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DataChannel } from '../../../src/protocol/channel';
import { PayloadType, type ClientMessage } from '../../../src/protocol/codec';
import { encodeFlag, Flag, parseFlag } from '../../../src/protocol/payloads';
import { PortSession, agentFeatures, portChannelOfDataChannel, selectPortMode, type PortMode } from '../../../src/protocol/port-session';
import { SmuxCmd, SmuxSession, decodeSmuxFrames, type SmuxStream } from '../../../src/protocol/smux';
import { loadVectors } from '../../helpers/vectors';
import { socketPair } from './fake-link';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

interface VersionCase {
  agentVersion: string;
  multiplexedPortForwarding: boolean;
  smuxKeepAliveDisabled: boolean;
  terminateSessionFlagSupported: boolean;
}

describe('mode selection (spec 9.1, vectors/agent-versions.json)', () => {
  for (const v of loadVectors<VersionCase>('agent-versions.json')) {
    it(`agent "${v.agentVersion}"`, () => {
      expect(agentFeatures(v.agentVersion)).toEqual({
        multiplexedPortForwarding: v.multiplexedPortForwarding,
        smuxKeepAliveDisabled: v.smuxKeepAliveDisabled,
        terminateSessionFlagSupported: v.terminateSessionFlagSupported,
      });
      const mode = selectPortMode({ type: 'LocalPortForwarding', portNumber: '80' }, v.agentVersion);
      expect(mode).toBe(v.multiplexedPortForwarding ? 'multiplexed' : 'basic');
    });
  }
  it('no type property means stdio forwarding (AWS-StartSSHSession)', () => {
    expect(selectPortMode({ portNumber: '22' }, '3.3.987.0')).toBe('stdio');
    expect(selectPortMode(null, '3.3.987.0')).toBe('stdio');
  });
});

/** Echo server; resolves its port. */
async function echoServer(): Promise<number> {
  const srv = net.createServer((s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => srv.close(r)));
  return (srv.address() as net.AddressInfo).port;
}

/** A port that refuses connections (bound then closed). */
async function deadPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * Plays the agent for port sessions: smux server dialing `port` per stream, or basic mode
 * (dial on data, drop on DisconnectToPort). Records the flags it received.
 */
function fakeAgent(mode: PortMode, port: number) {
  const [ca, aa] = socketPair();
  const client = new DataChannel({ role: 'client', resendTickMs: 0 });
  const agent = new DataChannel({ role: 'agent', resendTickMs: 0 });
  client.attach(ca);
  agent.attach(aa);
  const flags: number[] = [];
  const received: Buffer[] = [];
  const conns = new Set<net.Socket>();
  let basic: net.Socket | null = null;
  let smux: SmuxSession | null = null;
  if (mode === 'multiplexed') {
    smux = new SmuxSession({ role: 'server' });
    smux.on('data', (d: Buffer) => agent.send(PayloadType.Output, d));
    smux.on('stream', (st: SmuxStream) => {
      st.on('error', () => undefined);
      const sock = net.connect(port, '127.0.0.1');
      conns.add(sock);
      let ok = false;
      sock.on('connect', () => {
        ok = true;
        st.pipe(sock);
        sock.pipe(st);
      });
      sock.on('error', () => {
        if (ok) return;
        agent.send(PayloadType.Flag, encodeFlag(Flag.ConnectToPortError));
        st.destroy();
      });
      st.on('end', () => sock.end());
    });
  }
  agent.on('data', (m: ClientMessage) => {
    if (m.payloadType === PayloadType.Flag) {
      const f = parseFlag(m.payload);
      flags.push(f);
      if (f === Flag.DisconnectToPort && basic) {
        basic.destroy();
        basic = null;
      }
      return true;
    }
    if (m.payloadType !== PayloadType.Output) return true;
    if (smux) {
      received.push(Buffer.from(m.payload));
      smux.write(m.payload);
      return true;
    }
    if (mode === 'stdio') {
      received.push(Buffer.from(m.payload));
      return true;
    }
    if (!basic) {
      const s = net.connect(port, '127.0.0.1');
      conns.add(s);
      s.on('error', () => undefined);
      s.on('data', (d: Buffer) => agent.send(PayloadType.Output, d));
      basic = s;
    }
    basic.write(m.payload);
    return true;
  });
  cleanups.push(() => {
    for (const c of conns) c.destroy();
    smux?.destroy();
    client.close();
    agent.close();
  });
  return { client, agent, flags, received };
}

async function startPort(mode: PortMode, port: number, agentVersion = mode === 'basic' ? '3.0.196.0' : '3.3.987.0', smuxOpts = {}) {
  const link = fakeAgent(mode, port);
  const ps = new PortSession({
    smux: smuxOpts,
    channel: portChannelOfDataChannel(link.client),
    sessionId: 'sess-1',
    agentVersion,
    properties: { type: 'LocalPortForwarding', portNumber: String(port), localPortNumber: '0' },
    bindAddress: '127.0.0.1',
  });
  cleanups.push(() => ps.close());
  const info = await ps.start();
  return { ...link, ps, info: info as NonNullable<typeof info> };
}

/** Connects, sends `data`, reads exactly data.length bytes back, closes. */
function roundTrip(port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    let n = 0;
    s.on('data', (d: Buffer) => {
      parts.push(d);
      n += d.length;
      if (n >= data.length) {
        s.end();
        resolve(Buffer.concat(parts));
      }
    });
    s.on('error', reject);
    s.write(data);
  });
}

describe('multiplexed port session', () => {
  it('forwards 3 concurrent connections as separate smux streams, counting bytes', async () => {
    const echo = await echoServer();
    const { ps, info } = await startPort('multiplexed', echo);
    expect(ps.mode).toBe('multiplexed');
    expect(info.port).toBeGreaterThan(0);
    const streams: number[] = [];
    ps.on('connection', (c) => streams.push(c.streamId ?? -1));
    const payloads = [randomBytes(300_000), randomBytes(5), randomBytes(1_000_000)];
    const back = await Promise.all(payloads.map((p) => roundTrip(info.port, p)));
    back.forEach((b, i) => expect(sha(b)).toBe(sha(payloads[i])));
    expect(streams.sort()).toEqual([3, 5, 7]);
    const total = payloads.reduce((a, p) => a + p.length, 0);
    expect(ps.stats.bytesUp).toBe(total);
    expect(ps.stats.bytesDown).toBe(total);
    expect(ps.stats.totalConnections).toBe(3);
  });

  it('reports ConnectToPortError: the local socket is reset and the event names the port', async () => {
    const dead = await deadPort();
    const { ps, info } = await startPort('multiplexed', dead);
    const errEvent = new Promise<{ remotePort: string; streamId?: number }>((r) => ps.once('connectToPortError', r));
    const closed = new Promise<{ err?: Error; data: number }>((resolve) => {
      const s = net.connect(info.port, '127.0.0.1');
      let data = 0;
      let err: Error | undefined;
      s.on('data', (d: Buffer) => (data += d.length));
      s.on('error', (e) => (err = e));
      s.on('close', () => resolve({ err, data }));
      s.write('hello?');
    });
    const e = await errEvent;
    expect(e.remotePort).toBe(String(dead));
    expect(e.streamId).toBe(3);
    const c = await closed;
    expect(c.data).toBe(0);
    expect((c.err as NodeJS.ErrnoException | undefined)?.code).toBe('ECONNRESET');
    expect(ps.stats.connectErrors).toBe(1);
  });

  it('agents ≤ 3.1.1511.0 get smux NOP keep-alives (spec 9.4)', async () => {
    const echo = await echoServer();
    const { ps, received } = await startPort('multiplexed', echo, '3.1.1511.0', { keepAliveIntervalMs: 5 });
    expect(ps.mode).toBe('multiplexed');
    while (received.length === 0) await new Promise((r) => setTimeout(r, 5));
    const frames = decodeSmuxFrames(Buffer.concat(received));
    expect(frames[0]).toMatchObject({ cmd: SmuxCmd.NOP, streamId: 0 });
  });

  it('local data after the channel has ended is a warning, not a crash', async () => {
    const echo = await echoServer();
    const { ps, info, client } = await startPort('basic', echo);
    const sock = net.connect(info.port, '127.0.0.1');
    await new Promise((r) => ps.once('connection', r));
    client.close(); // channel.send now throws
    const warned = new Promise<Error>((r) => ps.once('warning', r));
    sock.write('late bytes');
    expect((await warned).message).toMatch(/closed/);
    sock.destroy();
    expect((await ps.close({ terminate: true })).flagSent).toBe(true);
  });

  it('close({terminate}) sends the TerminateSession flag', async () => {
    const echo = await echoServer();
    const { ps, flags } = await startPort('multiplexed', echo);
    const r = await ps.close({ terminate: true });
    expect(r.flagSent).toBe(true);
    expect(flags).toEqual([Flag.TerminateSession]);
  });
});

describe('basic port session (old agent)', () => {
  it('serves connections one at a time, sending DisconnectToPort after each', async () => {
    const echo = await echoServer();
    const { ps, info, flags } = await startPort('basic', echo);
    expect(ps.mode).toBe('basic');
    const a = randomBytes(200_000);
    const b = randomBytes(70_000);
    expect(sha(await roundTrip(info.port, a))).toBe(sha(a));
    // Wait for the DisconnectToPort of the first connection before the second one.
    while (flags.length < 1) await new Promise((r) => setImmediate(r));
    expect(sha(await roundTrip(info.port, b))).toBe(sha(b));
    while (flags.length < 2) await new Promise((r) => setImmediate(r));
    expect(flags).toEqual([Flag.DisconnectToPort, Flag.DisconnectToPort]);
    expect(ps.stats.bytesUp).toBe(a.length + b.length);
  });

  it('terminate flag only for agents that know it (> 2.3.722.0)', async () => {
    const echo = await echoServer();
    const old = await startPort('basic', echo, '2.3.722.0');
    expect((await old.ps.close({ terminate: true })).flagSent).toBe(false);
    expect(old.flags).toEqual([]);
    const newer = await startPort('basic', echo, '3.0.196.0');
    expect((await newer.ps.close({ terminate: true })).flagSent).toBe(true);
    expect(newer.flags).toEqual([Flag.TerminateSession]);
  });
});

describe('stdio port session', () => {
  it('copies stdin to the agent and agent output to stdout', async () => {
    const link = fakeAgent('stdio', 0);
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const ps = new PortSession({ channel: portChannelOfDataChannel(link.client), sessionId: 's', agentVersion: '3.3.987.0', properties: { portNumber: '22' }, stdin, stdout });
    cleanups.push(() => ps.close());
    expect(await ps.start()).toBeNull();
    expect(ps.mode).toBe('stdio');
    const ended = new Promise<void>((r) => ps.once('stdinEnded', r));
    const up = randomBytes(100_000);
    stdin.end(up);
    await ended;
    await link.client.whenIdle();
    expect(sha(Buffer.concat(link.received))).toBe(sha(up));
    const down = randomBytes(50_000);
    const got: Buffer[] = [];
    stdout.on('data', (d: Buffer) => got.push(d));
    link.agent.send(PayloadType.Output, down);
    await link.agent.whenIdle();
    expect(sha(Buffer.concat(got))).toBe(sha(down));
  });
});
