// Data-channel fault injection: each frame passing a FaultyPipe may be dropped, duplicated,
// held back behind the next frame (reorder) or delayed. One pipe per direction per socket.
import type { DataChannelFaults } from '../agent-api';

export interface FaultStats {
  dropped: number;
  duplicated: number;
  reordered: number;
  delayed: number;
  cuts: number;
  /** Frames dropped by the rate limit (`limit=`). */
  rateDropped: number;
  /** Half-open stalls begun, and frames swallowed by them. */
  stalls: number;
  stalledFrames: number;
}

export function emptyFaultStats(): FaultStats {
  return { dropped: 0, duplicated: 0, reordered: 0, delayed: 0, cuts: 0, rateDropped: 0, stalls: 0, stalledFrames: 0 };
}

/**
 * The `limit=` fault: a token bucket of 100 ms at the allowed rate. A frame that finds the
 * bucket short is dropped with a probability that grows with the shortfall (up to 95 %),
 * so a sender just above the rate loses a little and one far above it loses most.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  constructor(
    private readonly bytesPerSec: () => number,
    private readonly random: () => number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = bytesPerSec() * 0.1;
    this.last = now();
  }

  /** true: drop this frame. */
  drop(size: number): boolean {
    const rate = this.bytesPerSec();
    if (!(rate > 0)) return false;
    const capacity = rate * 0.1;
    const now = this.now();
    this.tokens = Math.min(capacity, this.tokens + ((now - this.last) / 1000) * rate);
    this.last = now;
    if (this.tokens >= size) {
      this.tokens -= size;
      return false;
    }
    // Over the rate: the deeper in debt, the likelier the drop. What passes adds to the debt.
    const shortfall = (size - this.tokens) / capacity;
    if (this.random() < Math.min(0.95, shortfall / 2)) return true;
    this.tokens = Math.max(-capacity, this.tokens - size);
    return false;
  }
}

/** A held (reordered) frame goes out after the next frame, or after this long if none comes. */
const REORDER_HOLD_MS = 20;

export class FaultyPipe {
  private held: Buffer | undefined;
  private heldTimer: NodeJS.Timeout | undefined;
  private timers = new Set<NodeJS.Timeout>();
  private disposed = false;
  private readonly limiter: RateLimiter;

  constructor(
    // Read on every frame so a service can change faults while sessions run.
    private readonly faults: () => DataChannelFaults,
    private readonly stats: FaultStats,
    private readonly deliver: (frame: Buffer) => void,
    private readonly random: () => number = Math.random,
  ) {
    this.limiter = new RateLimiter(() => this.faults().rateLimitBytesPerSec ?? 0, random);
  }

  push(frame: Buffer): void {
    if (this.disposed) return;
    const f = this.faults();
    if (f.rateLimitBytesPerSec && this.limiter.drop(frame.length)) {
      this.stats.rateDropped++;
      return;
    }
    if (f.drop > 0 && this.random() < f.drop) {
      this.stats.dropped++;
      return;
    }
    const copies = f.dup > 0 && this.random() < f.dup ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      if (!this.held && f.reorder > 0 && this.random() < f.reorder) {
        this.stats.reordered++;
        this.held = frame;
        this.heldTimer = setTimeout(() => this.releaseHeld(), REORDER_HOLD_MS);
        continue;
      }
      this.forward(frame, f.delayMs);
      this.releaseHeld();
    }
  }

  private releaseHeld(): void {
    const h = this.held;
    if (!h) return;
    this.held = undefined;
    clearTimeout(this.heldTimer);
    this.forward(h, this.faults().delayMs);
  }

  private forward(frame: Buffer, delayMs: number): void {
    if (this.disposed) return;
    if (delayMs <= 0) {
      this.deliver(frame);
      return;
    }
    this.stats.delayed++;
    // Equal delays keep order: Node fires equal-duration timers in creation order.
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.disposed) this.deliver(frame);
    }, delayMs);
    this.timers.add(t);
  }

  /** The socket is gone: frames in flight die with it (as on a real network). */
  dispose(): void {
    this.disposed = true;
    this.held = undefined;
    clearTimeout(this.heldTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

