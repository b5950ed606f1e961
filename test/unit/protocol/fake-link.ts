// In-memory transport for channel tests: a socket pair with scriptable loss, duplication and
// reordering. Deterministic (seeded), no timers.
import type { ChannelSocket } from '../../../src/protocol/channel';

export class FakeSocket implements ChannelSocket {
  sent: Buffer[] = [];
  peer: FakeSocket | null = null;
  open = true;
  /** When set, frames go here instead of straight to the peer. */
  intercept: ((frame: Buffer) => void) | null = null;
  private msgCb: (frame: Buffer) => void = () => {};
  private closeCb: (err?: Error) => void = () => {};
  send(frame: Buffer): void {
    if (!this.open) throw new Error('socket closed');
    this.sent.push(frame);
    if (this.intercept) this.intercept(frame);
    else this.peer?.deliver(frame);
  }
  onMessage(cb: (frame: Buffer) => void): void {
    this.msgCb = cb;
  }
  onClose(cb: (err?: Error) => void): void {
    this.closeCb = cb;
  }
  deliver(frame: Buffer): void {
    if (this.open) this.msgCb(frame);
  }
  cut(): void {
    if (!this.open) return;
    this.open = false;
    this.closeCb(new Error('cut'));
  }
}

export function socketPair(): [FakeSocket, FakeSocket] {
  const a = new FakeSocket();
  const b = new FakeSocket();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** Mulberry32: small seeded PRNG so lossy-link tests are reproducible. */
export function rng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = t;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A lossy, queued link between two sockets: frames are held until flush(), then delivered
 * with drop/dup/reorder applied.
 */
export class LossyLink {
  readonly a: FakeSocket;
  readonly b: FakeSocket;
  private q: { to: FakeSocket; frame: Buffer }[] = [];
  constructor(
    private readonly opts: { drop: number; dup: number; reorder: number; seed: number },
    private readonly random = rng(opts.seed),
  ) {
    [this.a, this.b] = socketPair();
    this.a.intercept = (f) => this.q.push({ to: this.b, frame: f });
    this.b.intercept = (f) => this.q.push({ to: this.a, frame: f });
  }
  /** Deliver queued frames (including ones produced while delivering). */
  flush(max = 100_000): void {
    let n = 0;
    while (this.q.length > 0 && n++ < max) {
      const batch = this.q;
      this.q = [];
      if (this.random() < this.opts.reorder && batch.length > 1) batch.reverse();
      for (const { to, frame } of batch) {
        if (this.random() < this.opts.drop) continue;
        to.deliver(frame);
        if (this.random() < this.opts.dup) to.deliver(frame);
      }
    }
  }
  get queued(): number {
    return this.q.length;
  }
}
