// The agent side answers the reference client's byte vectors (test/fixtures/vectors) correctly.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMessage, MessageType, PayloadType, type ClientMessage } from '../../src/protocol/codec';
import { encodeHandshakeResponse, parseFlag } from '../../src/protocol/payloads';
import { loadVectors } from '../helpers/vectors';
import { node, RawClient, spec, startHarness, type Harness } from '../unit/sandbox-agent/harness';

interface Vec {
  name: string;
  hex: string;
  payloadHex: string;
  payloadText?: string;
  payloadType: number;
  sequenceNumber: number;
  flags: number;
  messageId: string;
}
interface HandshakeStep {
  name: string;
  direction: string;
  hex: string;
  payloadJson?: Record<string, unknown>;
  fields: Vec & { messageType: string };
}
const byName = <T extends { name: string }>(file: string, name: string): T => {
  const v = loadVectors<T>(file).find((c) => c.name === name);
  if (!v) throw new Error(`${file}: no case ${name}`);
  return v;
};
const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const input = (seq: number, type: number, payload: Buffer): Buffer =>
  encodeMessage({ messageType: MessageType.InputStreamData, sequenceNumber: seq, payloadType: type, payload });
const isAckOf = (seq: number) => (m: ClientMessage) =>
  m.messageType === MessageType.Acknowledge && JSON.parse(m.payload.toString()).AcknowledgedMessageSequenceNumber === seq;
const isOut = (seq: number) => (m: ClientMessage) => m.messageType === MessageType.OutputStreamData && m.sequenceNumber === seq;

describe('sandbox agent: byte vectors', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('acknowledges client sequence 0 exactly as ack.json, and its first output is sequence 0 with SYN', async () => {
    const s = spec('Standard_Stream');
    h.agent.register(s);
    const c = await RawClient.connect(h.url(s.sessionId), s.tokenValue);
    const keystrokes = byName<Vec>('client-message.json', 'input_stream_data-output-text');
    c.send(hex(keystrokes.hex));
    const ack = await c.find((m) => m.messageType === MessageType.Acknowledge, 'acknowledge');
    const want = byName<Vec>('ack.json', 'ack-from-agent-for-input-seq0');
    expect(ack.payload.toString('utf8')).toBe(want.payloadText);
    expect([ack.sequenceNumber, ack.flags, ack.payloadType]).toEqual([want.sequenceNumber, want.flags, want.payloadType]);
    const first = await c.find(isOut(0), 'first output');
    expect(first.flags).toBe(1);
    expect(first.payloadType).toBe(PayloadType.Output);
    // The keystrokes reached the shell: "ls -la" ran in the node's home directory.
    await c.waiters.until(() => /total \d+/.test(c.output()), 'ls output');
    expect(c.received.filter(isOut(1)).every((m) => m.flags === 0)).toBe(true);
    h.agent.terminate(s.sessionId);
    await h.whenEnded(s.sessionId);
    c.close();
  });

  it('re-acknowledges a duplicate and delivers it once', async () => {
    const s = spec('Standard_Stream');
    h.agent.register(s);
    const c = await RawClient.connect(h.url(s.sessionId), s.tokenValue);
    c.send(input(0, PayloadType.Output, Buffer.from('echo once-$((1+1))\r')));
    await c.find(isAckOf(0), 'first ack');
    c.send(input(0, PayloadType.Output, Buffer.from('echo once-$((1+1))\r')));
    await c.waiters.until(() => c.received.filter(isAckOf(0)).length === 2 || undefined, 'second ack');
    c.send(input(1, PayloadType.Output, Buffer.from('echo do""ne\r')));
    await c.waiters.until(() => /done\r\n/.test(c.output()), 'done');
    expect(c.output().match(/once-2\r\n/g)).toHaveLength(1);
    h.agent.terminate(s.sessionId);
    await h.whenEnded(s.sessionId);
    c.close();
  });

  it('applies size.json messages to the pty (stty size)', async () => {
    const s = spec('Standard_Stream');
    h.agent.register(s);
    const c = await RawClient.connect(h.url(s.sessionId), s.tokenValue);
    const sizes = loadVectors<Vec & { cols: number; rows: number }>('size.json');
    for (const v of sizes) c.send(hex(v.hex)); // sequence numbers 0, 1, 2 as captured
    const last = sizes[sizes.length - 1];
    c.send(input(sizes.length, PayloadType.Output, Buffer.from('stty size\r')));
    await c.waiters.until(() => c.output().includes(`${last.rows} ${last.cols}\r\n`), `stty size ${last.rows} ${last.cols}`);
    for (let i = 0; i < sizes.length; i++) expect(c.received.some(isAckOf(i))).toBe(true);
    h.agent.terminate(s.sessionId);
    await h.whenEnded(s.sessionId);
    c.close();
  });

  it('plays the agent part of handshake.json port-no-encryption against the captured client frames', async () => {
    const steps = byName<{ name: string; steps: HandshakeStep[] }>('handshake.json', 'port-no-encryption').steps;
    const req = steps[0];
    const params = (req.payloadJson?.RequestedClientActions as Array<{ ActionParameters: { Properties: Record<string, string> } }>)[0]
      .ActionParameters.Properties;
    const s = spec('Port', {
      documentName: 'AWS-StartPortForwardingSessionToRemoteHost',
      properties: params,
      node: node({ agentVersion: '3.3.987.0', hostMap: { 'db.internal.example': '127.0.0.1' } }),
    });
    h.agent.register(s);
    const c = await RawClient.connect(h.url(s.sessionId), s.tokenValue, { autoAck: false, clientVersion: '1.2.0.0' });
    const hr = await c.find(isOut(0), 'HandshakeRequest');
    expect([hr.payloadType, hr.flags]).toEqual([req.fields.payloadType, req.fields.flags]);
    expect(JSON.parse(hr.payload.toString())).toEqual(req.payloadJson);
    expect(hr.payload.toString('hex')).toBe(req.fields.payloadHex);

    c.send(hex(steps[1].hex)); // ack of HandshakeRequest
    c.send(hex(steps[2].hex)); // the reference client's HandshakeResponse
    const ack = await c.find(isAckOf(0), 'ack of HandshakeResponse');
    expect(JSON.parse(ack.payload.toString()).AcknowledgedMessageId).toBe(steps[2].fields.messageId);
    const complete = await c.find(isOut(1), 'HandshakeComplete');
    expect(complete.payloadType).toBe(steps[3].fields.payloadType);
    const body = JSON.parse(complete.payload.toString());
    expect(Object.keys(body)).toEqual(Object.keys(steps[3].payloadJson ?? {}));
    expect(body.CustomerMessage).toBe('');
    expect(Number.isInteger(body.HandshakeTimeToComplete)).toBe(true);
    c.send(hex(steps[4].hex)); // ack of HandshakeComplete
    // ClientVersion 1.2.0.0 ≥ 1.1.70 and agent 3.3.987.0 > 3.0.196.0: multiplexed.
    expect(h.agent.session(s.sessionId)?.portMode).toBe('smux');
    expect(h.agent.session(s.sessionId)?.clientVersion).toBe('1.2.0.0');
    h.agent.terminate(s.sessionId);
    await h.whenEnded(s.sessionId);
    c.close();
  });

  it('acts on flags.json in a basic port session: DisconnectToPort closes, data re-dials, TerminateSession ends', async () => {
    const conns: net.Socket[] = [];
    const server = net.createServer((sock) => {
      conns.push(sock);
      sock.on('data', (d) => sock.write(d));
      sock.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const s = spec('Port', {
      properties: { portNumber: String(port), localPortNumber: '0', type: 'LocalPortForwarding' },
      node: node({ agentVersion: '3.0.196.0' }), // too old to multiplex
    });
    h.agent.register(s);
    const c = await RawClient.connect(h.url(s.sessionId), s.tokenValue);
    await c.find(isOut(0), 'HandshakeRequest');
    c.send(
      input(
        0,
        PayloadType.HandshakeResponse,
        encodeHandshakeResponse({
          ClientVersion: '1.2.677.0',
          ProcessedClientActions: [{ ActionType: 'SessionType', ActionStatus: 1, ActionResult: null, Error: '' }],
          Errors: null,
        }),
      ),
    );
    await c.find(isOut(1), 'HandshakeComplete');
    expect(h.agent.session(s.sessionId)?.portMode).toBe('basic');
    await new Promise<void>((r) => (conns.length ? r() : server.once('connection', () => r())));

    const lf = byName<Vec>('flags.json', 'lf-rewritten-to-cr');
    c.send(input(1, lf.payloadType, hex(lf.payloadHex)));
    await c.waiters.until(() => c.output() === '\r', 'echo of CR');

    const disconnect = byName<Vec>('flags.json', 'flag-disconnect-to-port');
    expect(parseFlag(hex(disconnect.payloadHex))).toBe(1);
    const firstClosed = new Promise<void>((r) => conns[0].once('close', () => r()));
    c.send(input(2, disconnect.payloadType, hex(disconnect.payloadHex)));
    await firstClosed;

    c.send(input(3, PayloadType.Output, Buffer.from('again')));
    await c.waiters.until(() => c.output() === '\ragain', 'echo on the re-dialled connection');
    expect(conns).toHaveLength(2);

    const terminate = byName<Vec>('flags.json', 'flag-terminate-session');
    c.send(input(4, terminate.payloadType, hex(terminate.payloadHex)));
    const closed = await c.find((m) => m.messageType === MessageType.ChannelClosed, 'channel_closed');
    expect(JSON.parse(closed.payload.toString()).SessionId).toBe(s.sessionId);
    expect((await h.whenEnded(s.sessionId)).reason).toBe('terminated');
    c.close();
    server.close();
    for (const k of conns) k.destroy();
  });
});
