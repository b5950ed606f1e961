import { describe, expect, it } from 'vitest';
import { loadVectors } from '../../helpers/vectors';
import { DataChannel, RtoEstimator, type ChannelOptions } from '../../../src/protocol/channel';
import { decodeMessage, encodeMessage, MessageType, parseAcknowledge, PayloadType, type ClientMessage } from '../../../src/protocol/codec';
import { encodeChannelClosed } from '../../../src/protocol/payloads';
import { FakeSocket, LossyLink, socketPair } from './fake-link';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_700_000_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

function acksIn(frames: Buffer[]): number[] {
  return frames
    .map((f) => decodeMessage(f))
    .filter((m) => m.messageType === MessageType.Acknowledge)
    .map((m) => parseAcknowledge(m.payload).acknowledgedMessageSequenceNumber);
}

function dataIn(frames: Buffer[]): ClientMessage[] {
  return frames.map((f) => decodeMessage(f)).filter((m) => m.messageType !== MessageType.Acknowledge);
}

function make(role: 'client' | 'agent', extra: Partial<ChannelOptions> = {}, c = clock()): DataChannel {
  return new DataChannel({ role, resendTickMs: 0, now: c.now, ...extra });
}

function agentFrame(seq: number, text: string, payloadType = PayloadType.Output): Buffer {
  return encodeMessage({ messageType: MessageType.OutputStreamData, sequenceNumber: seq, payloadType, payload: Buffer.from(text) });
}

describe('receive-ordering.json', () => {
  type Ev = { in: string; inSequenceNumber: number; inHex: string; acksSentForSequence: number[]; deliveredPayloadsText: string[]; expectedSequenceNumberAfter: number };
  const [sc] = loadVectors<{ events: Ev[] }>('receive-ordering.json');
  it('acknowledges, buffers and delivers as the reference does, and re-acks the duplicate', () => {
    const ch = make('client');
    const sock = new FakeSocket();
    ch.attach(sock);
    let delivered: string[] = [];
    ch.on('data', (m) => void delivered.push(m.payload.toString()));
    for (const ev of sc.events) {
      sock.sent = [];
      delivered = [];
      sock.deliver(Buffer.from(ev.inHex, 'hex'));
      const expectedAcks = ev.in === 'B-duplicate' ? [ev.inSequenceNumber] : ev.acksSentForSequence; // Hatch: spec 5.3
      expect(acksIn(sock.sent)).toEqual(expectedAcks);
      expect(delivered).toEqual(ev.deliveredPayloadsText);
      expect(ch.stats().expectedSequenceNumber).toBe(ev.expectedSequenceNumberAfter);
    }
    ch.close();
  });
});

describe('rto.json', () => {
  const [sc] = loadVectors<{ initial: { rtoMs: number; srttMs: number; rttvarMs: number }; steps: { rttSampleMs: number; srttMsAfter: number; rttvarMsAfter: number; rtoMsAfter: number }[] }>('rto.json');
  it('matches every step of the estimator', () => {
    const r = new RtoEstimator();
    expect([r.srttMs, r.rttvarMs, r.rtoMs]).toEqual([sc.initial.srttMs, sc.initial.rttvarMs, sc.initial.rtoMs]);
    for (const st of sc.steps) {
      r.sample(st.rttSampleMs);
      expect(r.srttMs).toBeCloseTo(st.srttMsAfter, 9);
      expect(r.rttvarMs).toBeCloseTo(st.rttvarMsAfter, 9);
      expect(r.rtoMs).toBeCloseTo(st.rtoMsAfter, 6);
    }
  });

  it('the channel samples RTT from acknowledgements and resends only after RTO', () => {
    const c = clock();
    const ch = make('client', { initialRtoMs: 200 }, c); // the reference's initial RTO
    const sock = new FakeSocket();
    ch.attach(sock);
    ch.sendOutput(Buffer.from('x'));
    expect(dataIn(sock.sent)).toHaveLength(1);
    c.advance(150);
    ch.tick();
    expect(dataIn(sock.sent)).toHaveLength(1); // 150 < initial RTO 200
    c.advance(60);
    ch.tick();
    expect(dataIn(sock.sent)).toHaveLength(2); // resent, same bytes
    expect(sock.sent[1].equals(sock.sent[0])).toBe(true);
    c.advance(100);
    ch.tick();
    expect(dataIn(sock.sent)).toHaveLength(2); // resend time recorded (unlike the reference)
    // Karn: ack of a retransmitted message gives no sample.
    sock.deliver(encodeAck(sock.sent[0]));
    expect(ch.stats().srttMs).toBe(100);
    ch.sendOutput(Buffer.from('y'));
    c.advance(40);
    sock.deliver(encodeAck(sock.sent[sock.sent.length - 1]));
    expect(ch.stats().srttMs).toBeCloseTo(0.875 * 100 + 0.125 * 40, 9);
    expect(ch.stats().inFlight).toBe(0);
    ch.close();
  });
});

function encodeAck(frame: Buffer): Buffer {
  const m = decodeMessage(frame);
  return encodeMessage({
    messageType: MessageType.Acknowledge,
    sequenceNumber: 0,
    flags: 3,
    payload: Buffer.from(JSON.stringify({ AcknowledgedMessageType: m.messageType, AcknowledgedMessageId: m.messageId, AcknowledgedMessageSequenceNumber: m.sequenceNumber, IsSequentialMessage: true })),
  });
}

describe('sending', () => {
  it('chunks Output at maxMessageSize, never sends empty payloads, numbers per direction', () => {
    const ch = make('client', { maxMessageSize: 1024 });
    const sock = new FakeSocket();
    ch.attach(sock);
    ch.sendOutput(Buffer.alloc(3000, 0x61));
    ch.sendOutput(Buffer.alloc(0));
    ch.send(PayloadType.Size, Buffer.from('{"cols":80,"rows":24}'));
    const msgs = dataIn(sock.sent);
    expect(msgs.map((m) => m.payload.length)).toEqual([1024, 1024, 952, 21]);
    expect(msgs.map((m) => m.sequenceNumber)).toEqual([0, 1, 2, 3]);
    expect(msgs.every((m) => m.flags === 0 && m.messageType === MessageType.InputStreamData)).toBe(true);
    ch.close();
  });

  it('agent role sends output_stream_data with SYN on sequence 0', () => {
    const ch = make('agent', { maxMessageSize: 4 });
    const sock = new FakeSocket();
    ch.attach(sock);
    ch.sendOutput(Buffer.from('hello'));
    const msgs = dataIn(sock.sent);
    expect(msgs.map((m) => [m.messageType, m.sequenceNumber, m.flags])).toEqual([
      [MessageType.OutputStreamData, 0, 1],
      [MessageType.OutputStreamData, 1, 0],
    ]);
    ch.close();
  });

  it('keeps at most `window` messages in flight and reports back-pressure', () => {
    const ch = make('client', { window: 4, maxMessageSize: 10, sendHighWaterMark: 50 });
    const sock = new FakeSocket();
    ch.attach(sock);
    let drained = 0;
    ch.on('drain', () => void drained++);
    expect(ch.sendOutput(Buffer.alloc(100))).toBe(false);
    expect(dataIn(sock.sent)).toHaveLength(4);
    expect(ch.stats().queuedMessages).toBe(6);
    for (const f of [...sock.sent]) sock.deliver(encodeAck(f));
    expect(dataIn(sock.sent)).toHaveLength(8);
    expect(drained).toBe(1);
    ch.close();
  });

  it('pause_publication stops sending and resending; start_publication resumes', () => {
    const c = clock();
    const ch = make('client', {}, c);
    const sock = new FakeSocket();
    ch.attach(sock);
    sock.deliver(encodeMessage({ messageType: MessageType.PausePublication, sequenceNumber: 0, payload: Buffer.alloc(0) }));
    ch.sendOutput(Buffer.from('queued'));
    c.advance(5000);
    ch.tick();
    expect(sock.sent).toHaveLength(0);
    expect(ch.stats().paused).toBe(true);
    sock.deliver(encodeMessage({ messageType: MessageType.StartPublication, sequenceNumber: 0, payload: Buffer.alloc(0) }));
    expect(dataIn(sock.sent).map((m) => m.payload.toString())).toEqual(['queued']);
    ch.close();
  });

  it('a failed send keeps the message for retransmission (nothing lost)', () => {
    const c = clock();
    const ch = make('client', {}, c);
    const sock = new FakeSocket();
    ch.attach(sock);
    sock.open = false;
    const errors: string[] = [];
    ch.on('error', (e) => void errors.push(e.code));
    ch.sendOutput(Buffer.from('a'));
    expect(errors).toEqual(['send-failed']);
    const sock2 = new FakeSocket();
    ch.attach(sock2);
    expect(dataIn(sock2.sent).map((m) => [m.sequenceNumber, m.payload.toString()])).toEqual([[0, 'a']]);
    ch.close();
  });

  it('gives up after maxResendAttempts when asked to', () => {
    const c = clock();
    const ch = make('client', { maxResendAttempts: 3 }, c);
    ch.attach(new FakeSocket());
    let gaveUp = -1;
    ch.on('giveUp', (s) => void (gaveUp = s));
    ch.sendOutput(Buffer.from('a'));
    for (let i = 0; i < 10; i++) {
      c.advance(1000);
      ch.tick();
    }
    expect(gaveUp).toBe(0);
    ch.close();
  });
});

describe('receiving', () => {
  it('ignores unknown message types and reports invalid frames without throwing', () => {
    const ch = make('client');
    const sock = new FakeSocket();
    ch.attach(sock);
    const errors: string[] = [];
    ch.on('error', (e) => void errors.push(e.code));
    sock.deliver(encodeMessage({ messageType: 'agent_session_state', sequenceNumber: 0, payload: Buffer.from('{}') }));
    sock.deliver(Buffer.from('garbage'));
    const bad = agentFrame(0, 'x');
    bad[bad.length - 1] ^= 1;
    sock.deliver(bad);
    expect(errors).toEqual(['truncated', 'bad-digest']);
    expect(sock.sent).toHaveLength(0);
    expect(ch.stats().invalidReceived).toBe(2);
    ch.close();
  });

  it('"not ready" leaves the message unacknowledged until resumeReading', () => {
    const ch = make('client');
    const sock = new FakeSocket();
    ch.attach(sock);
    let ready = false;
    const got: string[] = [];
    ch.on('data', (m) => {
      if (!ready) return false;
      got.push(m.payload.toString());
    });
    sock.deliver(agentFrame(0, 'a'));
    sock.deliver(agentFrame(1, 'b'));
    sock.deliver(agentFrame(0, 'a')); // retransmission while parked: not a duplicate yet
    expect(acksIn(sock.sent)).toEqual([]);
    ready = true;
    ch.resumeReading();
    expect(got).toEqual(['a', 'b']);
    expect(acksIn(sock.sent)).toEqual([0, 1]);
    ch.close();
  });

  it('pauseReading withholds acks so the sender window fills (back-pressure end to end)', () => {
    const c = clock();
    const client = make('client', {}, c);
    const agent = make('agent', { window: 8, maxMessageSize: 100 }, c);
    const [cs, as] = socketPair();
    client.attach(cs);
    agent.attach(as);
    const got: Buffer[] = [];
    client.on('data', (m) => void got.push(m.payload));
    client.pauseReading();
    agent.sendOutput(Buffer.alloc(5000, 1));
    expect(agent.stats().inFlight).toBe(8);
    expect(agent.stats().queuedMessages).toBe(42);
    expect(got).toHaveLength(0);
    client.resumeReading();
    expect(Buffer.concat(got).length).toBe(5000);
    expect(agent.stats().inFlight).toBe(0);
    client.close();
    agent.close();
  });

  it('a paused reader keeps 1 MiB unacknowledged by default, or its whole receive buffer with pausedHoldBytes: Infinity', () => {
    const clientFrame = (seq: number) =>
      encodeMessage({ messageType: MessageType.InputStreamData, sequenceNumber: seq, payloadType: PayloadType.Output, payload: Buffer.alloc(1024, seq & 0xff) });
    for (const [opts, kept] of [
      [{}, 1024],
      [{ pausedHoldBytes: Infinity }, 1500],
      [{ pausedHoldBytes: Infinity, receiveBufferLimit: 1200 }, 1200],
    ] as const) {
      const agent = make('agent', opts);
      const sock = new FakeSocket();
      agent.attach(sock);
      const got: number[] = [];
      agent.on('data', (m) => void got.push(m.sequenceNumber));
      agent.pauseReading();
      for (let seq = 0; seq < 1500; seq++) sock.deliver(clientFrame(seq));
      expect(acksIn(sock.sent)).toEqual([]); // nothing acknowledged while paused
      expect(agent.stats().outOfOrder).toBe(kept);
      expect(agent.stats().parkedBytes).toBe(kept * 1024);
      agent.resumeReading();
      expect(got).toEqual(Array.from({ length: kept }, (_, i) => i)); // what was kept, in order
      expect(acksIn(sock.sent)).toEqual(got); // and only that: the rest is the sender's to resend
      agent.close();
    }
  });

  it('channel_closed is reported with its Output', () => {
    const ch = make('client');
    const sock = new FakeSocket();
    ch.attach(sock);
    let output: string | undefined;
    ch.on('channelClosed', (cc) => void (output = cc.output));
    sock.deliver(encodeMessage({ messageType: MessageType.ChannelClosed, sequenceNumber: 0, flags: 3, payload: encodeChannelClosed({ sessionId: 's', output: 'bye' }) }));
    expect(output).toBe('bye');
    ch.close();
  });
});

describe('client ⇄ agent over a lossy link', () => {
  function transfer(opts: { drop: number; dup: number; reorder: number; seed: number; cutEvery?: number }): void {
    const c = clock();
    const link0 = new LossyLink(opts);
    const client = make('client', { window: 32 }, c);
    const agent = make('agent', { window: 32 }, c);
    client.attach(link0.a);
    agent.attach(link0.b);
    const up = Buffer.alloc(64 * 1024);
    const down = Buffer.alloc(96 * 1024);
    for (let i = 0; i < up.length; i++) up[i] = (i * 7) & 0xff;
    for (let i = 0; i < down.length; i++) down[i] = (i * 13) & 0xff;
    const gotUp: Buffer[] = [];
    const gotDown: Buffer[] = [];
    agent.on('data', (m) => void gotUp.push(m.payload));
    client.on('data', (m) => void gotDown.push(m.payload));
    client.sendOutput(up);
    agent.sendOutput(down);
    let link = link0;
    for (let round = 0; round < 5000; round++) {
      link.flush();
      if (client.stats().inFlight + client.stats().queuedMessages + agent.stats().inFlight + agent.stats().queuedMessages === 0) break;
      if (opts.cutEvery && round % opts.cutEvery === opts.cutEvery - 1) {
        // Socket swap: new transport, same channel state (spec 10).
        link.a.cut();
        link.b.cut();
        link = new LossyLink({ ...opts, seed: opts.seed + round });
        client.attach(link.a);
        agent.attach(link.b);
      }
      c.advance(100);
      client.tick();
      agent.tick();
    }
    expect(Buffer.concat(gotUp).equals(up)).toBe(true);
    expect(Buffer.concat(gotDown).equals(down)).toBe(true);
    client.close();
    agent.close();
  }
  it('clean link', () => transfer({ drop: 0, dup: 0, reorder: 0, seed: 1 }));
  it('20% loss, duplicates, reordering', () => transfer({ drop: 0.2, dup: 0.2, reorder: 0.5, seed: 7 }));
  it('socket cut and swapped repeatedly: nothing lost, nothing twice', () => transfer({ drop: 0.1, dup: 0.1, reorder: 0.3, seed: 3, cutEvery: 3 }));
});

describe('AWS-compatible pacing', () => {
  it('sends 1 KiB messages, one per 1 ms timer turn (the plugin), where adaptive sends the burst at once', async () => {
    const frames = async (pacing: 'adaptive' | 'aws') => {
      const ch = new DataChannel({ role: 'client', pacing, maxMessageSize: 16 * 1024 });
      const sizes: number[] = [];
      ch.attach({ send: (f) => void sizes.push(f.length - 120), onMessage: () => undefined, onClose: () => undefined });
      ch.sendOutput(Buffer.alloc(20 * 1024, 1));
      const sentAtOnce = sizes.length;
      await new Promise((r) => setTimeout(r, 300));
      ch.close();
      return { sentAtOnce, sizes };
    };
    const aws = await frames('aws');
    expect(aws.sentAtOnce).toBe(1); // the rest waits for the 1 ms pauses
    expect(aws.sizes).toEqual(new Array(20).fill(1024));
    const adaptive = await frames('adaptive');
    expect(adaptive.sentAtOnce).toBe(2);
    expect(adaptive.sizes).toEqual([16 * 1024, 4 * 1024]);
  });
});
