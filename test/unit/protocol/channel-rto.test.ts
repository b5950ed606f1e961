// Retransmission timing of the data channel (spec 5.4, 14): no spurious resends when the
// round trip is long or inflated by queueing and a busy receiver, prompt repair of real loss,
// RFC 6298 back-off within the 1 s cap. Everything runs on a simulated clock (no real time).
import { describe, expect, it } from 'vitest';
import { DataChannel, RtoEstimator, type ChannelOptions } from '../../../src/protocol/channel';
import { decodeMessage, MessageType } from '../../../src/protocol/codec';
import { RateLimiter } from '../../../src/sandbox/agent/faults';
import { FakeSocket, rng, socketPair } from './fake-link';

interface LinkOptions {
  /** One-way propagation delay, ms. */
  delayMs: number;
  /** Bottleneck: frames per ms leaving each direction's queue (queueing delay builds up). Default: unlimited. */
  framesPerMs?: number;
  /** The agent is busy (reads nothing, so acknowledges nothing) while this returns true. */
  agentBusy?: (t: number) => boolean;
  /** Drop this frame (loss on the path). */
  drop?: (frame: Buffer) => boolean;
}

/** Simulated clock + a FIFO link with delay, an optional bottleneck, a busy receiver and loss. */
class Sim {
  t = 0;
  readonly client: DataChannel;
  readonly agent: DataChannel;
  private readonly a: FakeSocket;
  private readonly b: FakeSocket;
  private readonly toAgent: { due: number; frame: Buffer }[] = [];
  private readonly toClient: { due: number; frame: Buffer }[] = [];
  private lastDue = { toAgent: 0, toClient: 0 };
  dropped = 0;

  constructor(
    private readonly link: LinkOptions,
    chOpts: Partial<ChannelOptions> = {},
  ) {
    const now = () => this.t;
    this.client = new DataChannel({ role: 'client', resendTickMs: 0, now, ...chOpts });
    this.agent = new DataChannel({ role: 'agent', resendTickMs: 0, now, ...chOpts });
    [this.a, this.b] = socketPair();
    this.a.intercept = (f) => this.enqueue(this.toAgent, 'toAgent', f);
    this.b.intercept = (f) => this.enqueue(this.toClient, 'toClient', f);
    this.client.attach(this.a);
    this.agent.attach(this.b);
  }

  private enqueue(q: { due: number; frame: Buffer }[], dir: 'toAgent' | 'toClient', frame: Buffer): void {
    if (this.link.drop?.(frame)) {
      this.dropped++;
      return;
    }
    const gap = this.link.framesPerMs ? 1 / this.link.framesPerMs : 0;
    const due = Math.max(this.t + this.link.delayMs, this.lastDue[dir] + gap);
    this.lastDue[dir] = due;
    q.push({ due, frame });
  }

  /** Advance 1 ms: deliver what is due, run both resend schedulers every 100 ms. */
  step(): void {
    this.t++;
    let i = 0;
    if (!this.link.agentBusy?.(this.t)) {
      while (i < this.toAgent.length && this.toAgent[i].due <= this.t) this.b.deliver(this.toAgent[i++].frame);
      this.toAgent.splice(0, i);
    }
    i = 0;
    while (i < this.toClient.length && this.toClient[i].due <= this.t) this.a.deliver(this.toClient[i++].frame);
    this.toClient.splice(0, i);
    if (this.t % 100 === 0) {
      this.client.tick();
      this.agent.tick();
    }
  }

  /** Upload `bytes` (streamed, honouring back-pressure) and run until all is acknowledged. */
  upload(bytes: number, maxMs = 600_000): Buffer {
    const data = Buffer.alloc(bytes);
    for (let k = 0; k < bytes; k++) data[k] = (k * 31 + (k >> 10)) & 0xff;
    const got: Buffer[] = [];
    this.agent.on('data', (m) => void got.push(Buffer.from(m.payload)));
    let off = 0;
    const pump = () => {
      while (off < bytes) {
        const piece = data.subarray(off, off + 16 * 1024);
        off += piece.length;
        if (!this.client.sendOutput(piece)) return;
      }
    };
    this.client.on('drain', pump);
    pump();
    const done = () => off >= bytes && this.client.stats().inFlight === 0 && this.client.stats().queuedMessages === 0;
    while (!done() && this.t < maxMs) this.step();
    expect(done()).toBe(true);
    return Buffer.concat(got);
  }

  close(): void {
    this.client.close();
    this.agent.close();
  }
}

function expectSame(got: Buffer, bytes: number): void {
  expect(got.length).toBe(bytes);
  for (let k = 0; k < bytes; k++) {
    if (got[k] !== ((k * 31 + (k >> 10)) & 0xff)) throw new Error(`byte ${k} differs`);
  }
}

describe('no spurious retransmission without loss', () => {
  it('constant 150 ms each way (RTT 300 ms, above the reference initial RTO of 200 ms)', () => {
    // The reference estimator starts at 200 ms; with Karn's rule but no back-off every message
    // would be resent before its first acknowledgement and no RTT sample would ever be taken.
    const sim = new Sim({ delayMs: 150 }, { window: 256 });
    const got = sim.upload(4 << 20);
    expectSame(got, 4 << 20);
    const st = sim.client.stats();
    expect(st.retransmissions).toBe(0);
    expect(sim.agent.stats().duplicatesReceived).toBe(0);
    expect(st.srttMs).toBeGreaterThan(250); // estimate converged on the real 300 ms
    expect(st.rtoMs).toBeGreaterThan(st.srttMs);
    expect(st.rtoMs).toBeLessThanOrEqual(1000);
    sim.close();
  });

  it('queueing delay at a bottleneck plus a receiver that stalls 60 ms every 300 ms', () => {
    // A full window queues at the bottleneck: every RTT sample is ≈ 5 + 5 + 256/8 ≈ 42 ms,
    // so an estimator fed those samples alone settles at RTO ≈ SRTT + 10 ms ≈ 52 ms. The
    // agent then stalls (GC, a burst of other work) across a resend tick: acknowledgements
    // are ≈ 100 ms late although nothing was lost.
    const sim = new Sim(
      { delayMs: 5, framesPerMs: 8, agentBusy: (t) => t % 300 >= 40 && t % 300 < 100 + 1 },
      { window: 256 },
    );
    const got = sim.upload(16 << 20);
    expectSame(got, 16 << 20);
    const st = sim.client.stats();
    expect(sim.t).toBeGreaterThan(1500); // several stalls happened during the transfer
    expect(st.retransmissions).toBe(0);
    expect(sim.agent.stats().duplicatesReceived).toBe(0);
    expect(st.rtoMs).toBeGreaterThanOrEqual(200); // the floor, not SRTT + 10 ms
    sim.close();
  });

  it('a receiver that stalls past the RTO: the timer resends one message, not the window behind it', () => {
    // The first copies are only late. When the stalled agent catches up it acknowledges them
    // in order, the oldest first; that acknowledgement may be for the first copy of the one
    // message the timer resent, so it says nothing about what was sent after that first copy.
    const sim = new Sim({ delayMs: 10, framesPerMs: 8, agentBusy: (t) => t >= 600 && t < 1100 });
    const got = sim.upload(8 << 20);
    expectSame(got, 8 << 20);
    const st = sim.client.stats();
    expect(sim.t).toBeGreaterThan(1100); // the stall happened during the transfer
    expect(st.retransmissions).toBeLessThanOrEqual(3);
    expect(st.fastRetransmissions).toBe(0);
    sim.close();
  });

  it('the same holds for the agent role (download direction)', () => {
    const sim = new Sim({ delayMs: 150 }, { window: 256 });
    const got: Buffer[] = [];
    sim.client.on('data', (m) => void got.push(Buffer.from(m.payload)));
    const data = Buffer.alloc(1 << 20, 0x33);
    sim.agent.sendOutput(data);
    while ((sim.agent.stats().inFlight > 0 || sim.agent.stats().queuedMessages > 0) && sim.t < 60_000) sim.step();
    expect(Buffer.concat(got).equals(data)).toBe(true);
    expect(sim.agent.stats().retransmissions).toBe(0);
    sim.close();
  });
});

describe('real loss is still repaired', () => {
  it('10% of frames (data and acks) lost on a 20 ms path: everything arrives once, in order', () => {
    const random = rng(11);
    const sim = new Sim({ delayMs: 10, framesPerMs: 8, drop: () => random() < 0.1 }, { window: 256 });
    const got = sim.upload(1 << 20);
    expectSame(got, 1 << 20);
    expect(sim.dropped).toBeGreaterThan(100);
    expect(sim.client.stats().retransmissions).toBeGreaterThan(0);
    sim.close();
  });

  it('a lost message is resent after the RTO floor, not after the 1 s cap', () => {
    let dropSeq = 5;
    const sim = new Sim(
      {
        delayMs: 10,
        drop: (f) => {
          const m = decodeMessage(f);
          if (m.messageType === MessageType.InputStreamData && m.sequenceNumber === dropSeq) {
            dropSeq = -1; // only the first copy
            return true;
          }
          return false;
        },
      },
      { window: 256 },
    );
    const got = sim.upload(64 * 1024);
    expectSame(got, 64 * 1024);
    expect(sim.dropped).toBe(1);
    expect(sim.client.stats().retransmissions).toBe(1);
    // Samples of ≈ 20 ms put the RTO on its 200 ms floor: repaired at the first tick after it.
    expect(sim.t).toBeLessThanOrEqual(400);
    sim.close();
  });

  it('a 1.5 s blackout loses the window in flight and its acknowledgements: repaired soon after the path is back', () => {
    // The first timer resend after the blackout is acknowledged; messages sent after it are
    // acknowledged too, and everything older still unacknowledged is then declared lost at
    // once (detectLoss), not one message per 100 ms tick.
    const dark = (t: number) => t >= 400 && t < 1900;
    const sim: Sim = new Sim({ delayMs: 10, framesPerMs: 8, drop: () => dark(sim.t) }, { window: 256 });
    const got = sim.upload(8 << 20);
    expectSame(got, 8 << 20);
    const st = sim.client.stats();
    expect(sim.dropped).toBeGreaterThan(200); // the window in flight and acknowledgements
    // One message per tick would take > 20 s for what was lost; here about one RTO and a round trip.
    expect(sim.t).toBeLessThan(1900 + 1500);
    expect(st.fastRetransmissions).toBeGreaterThan(100);
    expect(st.retransmissions).toBeLessThan(sim.dropped + 32);
    sim.close();
  });

  it('a dead path: resends back off exponentially up to the 1 s cap', () => {
    let t = 0;
    const ch = new DataChannel({ role: 'client', resendTickMs: 0, now: () => t, initialRtoMs: 200 });
    const sock = new FakeSocket(); // no peer: nothing is ever acknowledged
    ch.attach(sock);
    ch.sendOutput(Buffer.from('x'));
    const sentAt: number[] = [];
    let seen = sock.sent.length;
    for (t = 1; t <= 6000; t++) {
      if (t % 100 === 0) ch.tick();
      if (sock.sent.length > seen) {
        seen = sock.sent.length;
        sentAt.push(t);
      }
    }
    // RTO 200 → 400 → 800 → 1000 (cap) → 1000 …
    expect(sentAt.slice(0, 6)).toEqual([200, 600, 1400, 2400, 3400, 4400]);
    ch.close();
  });
});

describe('RtoEstimator options', () => {
  it('floor and cap bound the RTO; back-off doubles it until the next sample', () => {
    const r = new RtoEstimator({ minRtoMs: 200, initialRtoMs: 1000 });
    expect(r.rtoMs).toBe(1000);
    r.sample(5);
    expect(r.rtoMs).toBe(200); // SRTT + 4·RTTVAR ≈ 188 ms: raised to the floor
    for (let i = 0; i < 50; i++) r.sample(5);
    expect(r.rtoMs).toBe(200);
    r.backOff();
    expect(r.rtoMs).toBe(400);
    r.backOff();
    r.backOff();
    expect(r.rtoMs).toBe(1000);
    r.sample(5);
    expect(r.rtoMs).toBe(200);
  });
});

describe('adaptive send window (congestion.ts)', () => {
  const rate = (sim: Sim, bytes: number) => bytes / sim.t; // bytes per simulated ms

  it('a long round trip gets a window of about twice the bandwidth-delay product', () => {
    // 40 ms each way, a bottleneck of 20 frames per ms (≈ 20 MB/s of 1 KiB messages).
    const sim = new Sim({ delayMs: 40, framesPerMs: 20 });
    const bytes = 24 << 20;
    expectSame(sim.upload(bytes), bytes);
    const st = sim.client.stats();
    expect(st.congestion?.phase).toBe('steady');
    // BDP ≈ 20 frames/ms × 80 ms ≈ 1600 KiB: far beyond the old fixed 256 messages.
    expect(st.congestion!.bdpBytes).toBeGreaterThan(1200 * 1024);
    expect(st.windowBytes).toBeGreaterThan(2 * 1024 * 1024);
    expect(rate(sim, bytes)).toBeGreaterThan(0.7 * 20 * 1024);
    expect(st.retransmissions).toBe(0);
    sim.close();
  });

  it('1 % random loss on an 80 ms path: repaired early and the window does not collapse', () => {
    const random = rng(5);
    const sim = new Sim({ delayMs: 40, framesPerMs: 20, drop: () => random() < 0.01 });
    const bytes = 24 << 20;
    expectSame(sim.upload(bytes), bytes);
    const st = sim.client.stats();
    expect(st.retransmissions).toBeGreaterThan(50);
    // Most losses are found by later acknowledgements, not by the retransmission timer.
    expect(st.fastRetransmissions).toBeGreaterThan(st.retransmissions / 2);
    expect(st.congestion!.congestionEvents.loss).toBeLessThanOrEqual(2); // a rare unlucky round at most
    expect(rate(sim, bytes)).toBeGreaterThan(0.5 * 20 * 1024);
    sim.close();
  });

  it('a service that drops what exceeds its rate: the window shrinks and the transfer completes byte-exact', () => {
    let x = 3;
    const random = () => ((x = (x * 48271) % 2147483647) / 2147483647);
    let t = 0;
    const limiter = new RateLimiter(() => 2_000_000, random, () => t); // 2 MB/s = 2 KB per ms
    const sim: Sim = new Sim({ delayMs: 20, framesPerMs: 20, drop: (f) => ((t = sim.t), limiter.drop(f.length)) });
    let maxWindow = 0;
    sim.client.on('drain', () => (maxWindow = Math.max(maxWindow, sim.client.stats().windowBytes)));
    const bytes = 6 << 20;
    const origStep = sim.step.bind(sim);
    sim.step = () => {
      origStep();
      maxWindow = Math.max(maxWindow, sim.client.stats().windowBytes);
    };
    expectSame(sim.upload(bytes), bytes);
    const st = sim.client.stats();
    expect(st.congestion!.congestionEvents.loss).toBeGreaterThan(0);
    expect(st.windowBytes).toBeLessThan(maxWindow / 2);
    // Delivered close to the allowed rate, not collapsed to a trickle.
    expect(rate(sim, bytes)).toBeGreaterThan(0.4 * 2000);
    sim.close();
  });

  it('never runs further ahead of the oldest unacknowledged message than the peer buffers', () => {
    let dropped = false;
    const sim = new Sim(
      {
        delayMs: 20,
        drop: (f) => {
          const m = decodeMessage(f);
          if (!dropped && m.messageType === MessageType.InputStreamData && m.sequenceNumber === 10) return (dropped = true);
          return false;
        },
      },
      { peerReceiveBuffer: 64, receiveBufferLimit: 64 },
    );
    let maxSpan = 0;
    const origStep = sim.step.bind(sim);
    sim.step = () => {
      origStep();
      maxSpan = Math.max(maxSpan, sim.agent.stats().outOfOrder);
    };
    expectSame(sim.upload(1 << 20), 1 << 20);
    expect(maxSpan).toBeLessThanOrEqual(64);
    // Only the one lost message was resent: nothing was refused for lack of room.
    expect(sim.client.stats().retransmissions).toBe(1);
    sim.close();
  });
});
