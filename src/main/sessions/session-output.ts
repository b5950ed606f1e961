// One session's output on its way to the windows that show it: engine chunks → batcher →
// ring (for replay) → each attached viewer, with flow control.
//
// Flow control, in characters (docs/architecture.md, "Data paths that must stay fast"):
// - with windows attached, the producer (pty, or the protocol's acknowledgements) is paused
//   once the slowest window is `highWater` behind, and resumed below `lowWater`;
// - with none attached, output keeps arriving into the ring until `ring capacity` characters
//   no window has shown are held; then the producer is paused until a window attaches and
//   catches up. Unseen output is never dropped, so memory stays bounded and nothing is lost.
import { OutputBatcher, type OutputBatcherOptions } from './output-batcher';
import { OutputRing } from './output-ring';

/** Main's end of one window's stream for a session: what main sends to it. */
export interface TerminalViewer {
  /** A batch of output (or a piece of the replay), in order. */
  output(data: string): void;
  /** Main ends this stream (the session is gone, or Hatch is closing); nothing follows. */
  end(reason: string): void;
}

/** What a window's stream can do to its session: type, acknowledge, go away. */
export interface TerminalAttachment {
  /** Keystrokes (one-way: nothing is sent back for them). */
  input(data: string): void;
  /**
   * Characters this window has written since its stream opened (a cumulative count). False
   * when the count is impossible (not an integer, going backwards, more than was sent): the
   * acknowledgement is ignored, the stream stays open.
   */
  ack(chars: number): boolean;
  close(): void;
}

/** One window's view of the output (SessionManager adds keystrokes to make an attachment). */
interface OutputView extends Omit<TerminalAttachment, 'input'> {
  readonly reattached: boolean;
}

interface Producer {
  pause(): void;
  resume(): void;
}

export interface SessionOutputOptions {
  /** Every batch, once, as it is produced (the session recording). */
  record?: (data: string) => void;
  /** Characters kept for replay (default 1 Mi). */
  ringChars?: number;
  highWaterChars?: number;
  lowWaterChars?: number;
  batcher?: Omit<OutputBatcherOptions, 'send'>;
}

export const RING_CHARS = 1024 * 1024;
export const HIGH_WATER_CHARS = 512 * 1024;
const LOW_WATER_CHARS = 128 * 1024;

interface Viewer {
  sink: TerminalViewer;
  /** Position where this stream began (its acknowledgements count from here). */
  base: number;
  /** Position up to which the window has written (base + its last acknowledgement). */
  acked: number;
}

export class SessionOutput {
  private readonly ring: OutputRing;
  private readonly batcher: OutputBatcher;
  private readonly viewers = new Set<Viewer>();
  private producer: Producer | null = null;
  private paused = false;
  /** Furthest position any window has written: output past it has never been shown. */
  private seen = 0;
  private everAttached = false;
  private readonly highWater: number;
  private readonly lowWater: number;

  constructor(private readonly options: SessionOutputOptions = {}) {
    this.ring = new OutputRing(options.ringChars ?? RING_CHARS);
    this.highWater = options.highWaterChars ?? HIGH_WATER_CHARS;
    this.lowWater = options.lowWaterChars ?? LOW_WATER_CHARS;
    this.batcher = new OutputBatcher({ ...options.batcher, send: (data) => this.deliver(data) });
  }

  /**
   * The engine whose output this is (again, after a restart in the same tab). A producer
   * bound while output is paused starts paused.
   */
  bind(producer: Producer): void {
    this.producer = producer;
    if (this.paused) producer.pause();
  }

  /** Output from the engine. */
  push(chunk: Buffer | string): void {
    this.batcher.push(chunk);
    this.updateFlow();
  }

  /** The engine finished: send what the batcher holds. */
  end(): void {
    this.batcher.end();
  }

  /**
   * A window starts showing the session: it is sent the ring (from a line start) at once,
   * then every batch. `reattached`: some window had shown the session before.
   */
  attach(sink: TerminalViewer): OutputView {
    this.batcher.flush();
    const base = this.ring.replayStart(this.seen);
    for (const chunk of this.ring.since(base)) sink.output(chunk);
    const viewer: Viewer = { sink, base, acked: base };
    this.viewers.add(viewer);
    const reattached = this.everAttached;
    this.everAttached = true;
    this.updateFlow();
    let closed = false;
    return {
      reattached,
      ack: (chars) => {
        if (closed) return true;
        const position = viewer.base + chars;
        if (!Number.isSafeInteger(chars) || position < viewer.acked || position > this.ring.end) return false;
        viewer.acked = position;
        if (position > this.seen) this.seen = position;
        this.updateFlow();
        return true;
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.viewers.delete(viewer);
        this.updateFlow();
      },
    };
  }

  /** End every window's stream (the session is forgotten, or Hatch is closing). */
  endViewers(reason: string): void {
    for (const viewer of [...this.viewers]) viewer.sink.end(reason);
    this.viewers.clear();
  }

  get attachedWindows(): number {
    return this.viewers.size;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Characters main holds that a window still needs: not yet written by the slowest (or, with none attached, by any). */
  get buffered(): number {
    return this.behind() + this.batcher.pendingLength;
  }

  /** Characters the ring holds (replay memory). */
  get held(): number {
    return this.ring.length + this.batcher.pendingLength;
  }

  private deliver(data: string): void {
    this.ring.append(data, this.seen);
    this.options.record?.(data);
    for (const viewer of this.viewers) viewer.sink.output(data);
  }

  /** How far the slowest attached window is behind; with none attached, output never shown. */
  private behind(): number {
    const end = this.ring.end;
    if (this.viewers.size === 0) return end - this.seen;
    let slowest = end;
    for (const viewer of this.viewers) slowest = Math.min(slowest, viewer.acked);
    return end - slowest;
  }

  private updateFlow(): void {
    const behind = this.behind() + this.batcher.pendingLength;
    const limit = this.viewers.size === 0 ? this.ring.capacity : this.highWater;
    if (!this.paused && behind >= limit) {
      this.paused = true;
      this.producer?.pause();
    } else if (this.paused && this.viewers.size > 0 && behind < this.lowWater) {
      this.paused = false;
      this.producer?.resume();
    }
  }
}
