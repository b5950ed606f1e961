// Port sessions through the sandbox agent: basic and smux forwarding to a loopback echo
// server, refused ports and non-loopback hosts.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PayloadType } from '../../src/protocol/codec';
import { encodeFlag, Flag, parseFlag } from '../../src/protocol/payloads';
import { SmuxSession, type SmuxStream } from '../../src/protocol/smux';
import { loadVectors } from '../helpers/vectors';
import { node, ReliableClient, spec, startHarness, type Harness } from '../unit/sandbox-agent/harness';

let h: Harness;
let echo: net.Server;
let echoPort: number;
let accepted = 0;
const live = new Set<net.Socket>();

beforeAll(async () => {
  h = await startHarness();
  echo = net.createServer((sock) => {
    accepted++;
    live.add(sock);
    sock.on('close', () => live.delete(sock));
    sock.on('error', () => undefined);
    sock.pipe(sock);
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await h.close();
  for (const s of live) s.destroy();
  await new Promise<void>((r) => echo.close(() => r()));
});

/** A port nothing listens on: bind, note the port, close. */
async function deadPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const p = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return p;
}

/** The smux client side over a ReliableClient, as the plugin runs it. */
function smuxOver(c: ReliableClient): SmuxSession {
  const mux = new SmuxSession({ role: 'client' });
  c.onData = (m) => {
    if (m.payloadType === PayloadType.Output) mux.write(m.payload);
  };
  mux.on('data', (d: Buffer) => c.send(d));
  return mux;
}

function readAll(stream: SmuxStream, until: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  return new Promise((resolve, reject) => {
    stream.on('data', (d: Buffer) => {
      parts.push(d);
      n += d.length;
      if (n >= until) resolve(Buffer.concat(parts));
    });
    stream.on('end', () => resolve(Buffer.concat(parts)));
    stream.on('error', reject);
  });
}

const flagsOf = (c: ReliableClient): number[] => c.delivered.filter((m) => m.payloadType === PayloadType.Flag).map((m) => parseFlag(m.payload));

describe('sandbox agent: port sessions', () => {
  it('basic mode forwards bytes to 127.0.0.1:portNumber and back', async () => {
    const s = spec('Port', { properties: { portNumber: String(echoPort), localPortNumber: '0', type: 'LocalPortForwarding' } });
    h.agent.register(s);
    const c = new ReliableClient(h.url(s.sessionId), '1.1.50'); // below 1.1.70: the agent stays basic
    await c.connect(s.tokenValue);
    await c.waitReady();
    expect(c.handshakeRequest?.RequestedClientActions.map((a) => a.ActionType)).toEqual(['SessionType']);
    expect(h.agent.session(s.sessionId)?.portMode).toBe('basic');
    const blob = Buffer.alloc(100_000);
    for (let i = 0; i < blob.length; i += 4) blob.writeUInt32BE(i, i);
    c.send(blob);
    await c.waiters.until(() => c.output().length >= blob.length || undefined, 'echo');
    expect(c.output().equals(blob)).toBe(true);
    c.send(encodeFlag(Flag.TerminateSession), PayloadType.Flag);
    await c.waitClosed();
    expect((await h.whenEnded(s.sessionId)).reason).toBe('terminated');
    c.close();
  });

  it('smux mode: one TCP connection per stream, data echoed on each', async () => {
    const s = spec('Port', { properties: { portNumber: String(echoPort), localPortNumber: '0', type: 'LocalPortForwarding' } });
    h.agent.register(s);
    const c = new ReliableClient(h.url(s.sessionId));
    const mux = smuxOver(c);
    await c.connect(s.tokenValue);
    await c.waitReady();
    expect(h.agent.session(s.sessionId)?.portMode).toBe('smux');
    const before = accepted;
    const a = mux.openStream();
    const b = mux.openStream();
    const big = Buffer.alloc(70_000, 0x61);
    const gotA = readAll(a, big.length);
    const gotB = readAll(b, 5);
    a.write(big);
    b.write('hello');
    expect((await gotA).equals(big)).toBe(true);
    expect((await gotB).toString()).toBe('hello');
    expect(accepted - before).toBe(2);
    // FIN from the client closes the agent's TCP connection, whose close FINs back.
    const ended = new Promise<void>((r) => b.on('end', () => r()));
    b.end();
    await ended;
    c.send(encodeFlag(Flag.TerminateSession), PayloadType.Flag);
    await c.waitClosed();
    c.close();
    mux.destroy();
  });

  it('smux mode: a refused port answers ConnectToPortError (flag 3, as flags.json) and FINs the stream', async () => {
    const port = await deadPort();
    const s = spec('Port', { properties: { portNumber: String(port), localPortNumber: '0', type: 'LocalPortForwarding' } });
    h.agent.register(s);
    const c = new ReliableClient(h.url(s.sessionId));
    const mux = smuxOver(c);
    await c.connect(s.tokenValue);
    await c.waitReady();
    const st = mux.openStream();
    st.on('error', () => undefined);
    const fin = new Promise<void>((r) => st.on('end', () => r()));
    st.resume();
    await c.waiters.until(() => flagsOf(c).length > 0 || undefined, 'flag');
    await fin;
    const vec = loadVectors<{ name: string; payloadHex: string }>('flags.json').find((v) => v.name === 'flag-connect-to-port-error');
    const flagMsg = c.delivered.find((m) => m.payloadType === PayloadType.Flag);
    expect(flagMsg?.payload.toString('hex')).toBe(vec?.payloadHex);
    expect(flagsOf(c)).toEqual([Flag.ConnectToPortError]);
    expect(h.ended.has(s.sessionId)).toBe(false); // the session survives a failed stream
    h.agent.terminate(s.sessionId);
    await c.waitClosed();
    c.close();
    mux.destroy();
  });

  it('refuses a remote host that is not mapped to loopback, and dials only loopback for mapped ones', async () => {
    const props = (host: string) => ({ host, portNumber: String(echoPort), localPortNumber: '0', type: 'LocalPortForwarding' });
    const n = node({ hostMap: { 'db.internal': '127.0.0.1', evil: '10.1.2.3' } });
    const outcomes: Record<string, number[]> = {};
    for (const host of ['db.internal', 'evil', 'example.com', '10.0.0.5', 'localhost', '127.0.0.1']) {
      const s = spec('Port', { documentName: 'AWS-StartPortForwardingSessionToRemoteHost', properties: props(host), node: n });
      h.agent.register(s);
      const c = new ReliableClient(h.url(s.sessionId));
      const mux = smuxOver(c);
      await c.connect(s.tokenValue);
      await c.waitReady();
      const st = mux.openStream();
      st.on('error', () => undefined);
      const got = readAll(st, 2);
      st.write('ok');
      const data = await got;
      outcomes[host] = flagsOf(c);
      if (flagsOf(c).length === 0) expect(data.toString()).toBe('ok');
      h.agent.terminate(s.sessionId);
      await c.waitClosed();
      c.close();
      mux.destroy();
    }
    expect(outcomes).toEqual({
      'db.internal': [],
      evil: [Flag.ConnectToPortError],
      'example.com': [Flag.ConnectToPortError],
      '10.0.0.5': [Flag.ConnectToPortError],
      localhost: [],
      '127.0.0.1': [],
    });
  });

  it('basic mode: a refused destination ends the session with the dial error', async () => {
    const s = spec('Port', {
      documentName: 'AWS-StartPortForwardingSessionToRemoteHost',
      properties: { host: 'example.com', portNumber: '443', localPortNumber: '0', type: 'LocalPortForwarding' },
    });
    h.agent.register(s);
    const c = new ReliableClient(h.url(s.sessionId), '1.1.0');
    await c.connect(s.tokenValue);
    const closed = await c.waitClosed();
    expect(closed.output).toContain('lookup example.com: no such host');
    expect((await h.whenEnded(s.sessionId)).reason).toBe('failed');
    c.close();
  });
});
