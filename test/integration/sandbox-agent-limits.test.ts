// The sandbox agent models what a client meets on real networks: the agent's incoming buffer
// (what does not fit is not acknowledged), a half-open stall (silent socket, no pongs, new
// connections reset) and a service that drops a growing share of frames above a rate.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeMessage, MessageType, parseAcknowledge, PayloadType } from '../../src/protocol/codec';
import { RateLimiter } from '../../src/sandbox/agent/faults';
import { AGENT_RECEIVE_BUFFER } from '../../src/sandbox/agent/session';
import { parseFaults } from '../../src/sandbox/faults';
import { openWs, RawClient, spec, startHarness, type Harness } from '../unit/sandbox-agent/harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const input = (seq: number) => encodeMessage({ messageType: MessageType.InputStreamData, sequenceNumber: seq, payloadType: PayloadType.Output, payload: Buffer.from(' ') });

describe('sandbox agent: receive buffer', () => {
  it(`holds ${AGENT_RECEIVE_BUFFER} messages ahead of the expected one; the next is not acknowledged until there is room`, async () => {
    h = await startHarness();
    const s = spec('Standard_Stream');
    h.agent.register(s);
    const c = await RawClient.connect(h.url(s.sessionId), s.tokenValue);
    await c.find((m) => m.messageType === MessageType.OutputStreamData, 'the shell prompt');
    const acked = new Set<number>();
    let seen = 0;
    const ackCount = () => {
      for (; seen < c.received.length; seen++) {
        const m = c.received[seen];
        if (m.messageType === MessageType.Acknowledge) acked.add(parseAcknowledge(m.payload).acknowledgedMessageSequenceNumber);
      }
      return acked.size;
    };
    // Sequence 0 is held back: 1 … N+1 all arrive ahead of it.
    for (let seq = 1; seq <= AGENT_RECEIVE_BUFFER + 1; seq++) c.send(input(seq));
    await c.waiters.until(() => ackCount() >= AGENT_RECEIVE_BUFFER, `${AGENT_RECEIVE_BUFFER} acknowledgements`, 30_000);
    await new Promise((r) => setTimeout(r, 300));
    ackCount();
    expect(acked.size).toBe(AGENT_RECEIVE_BUFFER);
    expect(acked.has(AGENT_RECEIVE_BUFFER + 1)).toBe(false);
    // The hole is filled: the buffer drains and the resent last message now fits.
    c.send(input(0));
    c.send(input(AGENT_RECEIVE_BUFFER + 1));
    await c.waiters.until(() => ackCount() === AGENT_RECEIVE_BUFFER + 2 || undefined, 'every message acknowledged', 30_000);
    await new Promise((r) => setTimeout(r, 300)); // let the shell take its input before the socket goes
    c.close();
  });
});

describe('sandbox agent: half-open stall', () => {
  it('a stalled socket stays open but answers no ping and carries nothing; new connections are reset; afterwards it works again', async () => {
    h = await startHarness();
    const s = spec('Standard_Stream');
    h.agent.register(s);
    const c = await RawClient.connect(h.url(s.sessionId), s.tokenValue);
    await c.find((m) => m.messageType === MessageType.OutputStreamData, 'the shell prompt');
    const pongs: number[] = [];
    c.ws.on('pong', () => pongs.push(Date.now()));
    h.agent.stall(1500, s.sessionId);
    expect(h.agent.stats().stalls).toBe(1);
    const before = c.received.length;
    c.ws.ping();
    c.send(input(0));
    // A new connection for the same session fails while the network is "down".
    await expect(openWs(h.url(s.sessionId))).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 800));
    expect(pongs).toEqual([]);
    expect(c.received.length).toBe(before);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    await new Promise((r) => setTimeout(r, 900));
    c.ws.ping();
    await c.waiters.until(() => pongs.length > 0 || (c.ws.once('pong', () => c.waiters.poke()), false), 'a pong after the stall', 5000);
    // The swallowed message is resent (as a client's timer would) and now acknowledged.
    c.send(input(0));
    await c.find((m) => m.messageType === MessageType.Acknowledge, 'the acknowledgement after the stall');
    expect(h.agent.stats().stalledFrames).toBeGreaterThan(0);
    c.close();
  });

  it('the stall=D/E fault is parsed in sandbox time', () => {
    expect(parseFaults('stall=30s/5m')).toMatchObject({ stallMs: 30_000, stallEveryMs: 300_000 });
    expect(() => parseFaults('stall=5m/30s')).toThrow(/longer/);
    expect(parseFaults('limit=2MB').rateLimitBytesPerSec).toBe(2_000_000);
    expect(parseFaults('limit=500KB/s').rateLimitBytesPerSec).toBe(500_000);
    expect(() => parseFaults('limit=fast')).toThrow(/rate/);
  });
});

describe('sandbox: rate limit fault', () => {
  it('below the rate nothing is dropped; above it a growing share is', () => {
    const rate = 1_000_000;
    let x = 1;
    const random = () => ((x = (x * 48271) % 2147483647) / 2147483647);
    // Simulated clock: frames of 1144 bytes offered evenly for 5 s at the given rate.
    const share = (bytesPerSec: number): number => {
      let t = 0;
      const limiter = new RateLimiter(() => rate, random, () => t);
      const frame = 1144;
      const every = (frame / bytesPerSec) * 1000;
      let dropped = 0;
      let n = 0;
      for (; t < 5000; t += every, n++) if (limiter.drop(frame)) dropped++;
      return dropped / n;
    };
    expect(share(rate * 0.5)).toBe(0);
    const twice = share(rate * 2);
    const tenfold = share(rate * 10);
    expect(twice).toBeGreaterThan(0.1);
    expect(tenfold).toBeGreaterThan(twice);
  });
});
