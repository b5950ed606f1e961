// Data-channel fault injection: each frame passing a FaultyPipe may be dropped, duplicated,
// held back behind the next frame (reorder) or delayed. One pipe per direction per socket.
import type { DataChannelFaults } from '../agent-api';

export interface FaultStats {
  dropped: number;
  duplicated: number;
  reordered: number;
  delayed: number;
  cuts: number;
}

export function emptyFaultStats(): FaultStats {
  return { dropped: 0, duplicated: 0, reordered: 0, delayed: 0, cuts: 0 };
}

/** A held (reordered) frame goes out after the next frame, or after this long if none comes. */
const REORDER_HOLD_MS = 20;

export class FaultyPipe {
  private held: Buffer | undefined;
  private heldTimer: NodeJS.Timeout | undefined;
  private timers = new Set<NodeJS.Timeout>();
  private disposed = false;

  constructor(
    // Read on every frame so a service can change faults while sessions run.
    private readonly faults: () => DataChannelFaults,
    private readonly stats: FaultStats,
    private readonly deliver: (frame: Buffer) => void,
    private readonly random: () => number = Math.random,
  ) {}

  push(frame: Buffer): void {
    if (this.disposed) return;
    const f = this.faults();
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

