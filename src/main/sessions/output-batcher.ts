// The terminal output path of one session (ARCHITECTURE.md "Data paths that must stay
// fast"): engine bytes are decoded as a UTF-8 stream (a sequence split across chunks is
// held back, never mangled), coalesced for a few milliseconds or up to a size cap, and
// sent as one message per batch. The renderer acknowledges what xterm has written; past a
// high-water mark of unacknowledged characters the producer is paused, and resumed once
// the renderer has caught up below the low-water mark.
import { StringDecoder } from 'node:string_decoder';

export interface OutputBatcherOptions {
  /** Deliver one batch to the renderer. */
  send(data: string): void;
  /** Stop reading from the engine (pause the pty / withhold protocol acks). */
  pause(): void;
  resume(): void;
  flushAfterMs?: number;
  maxBatchChars?: number;
  highWaterChars?: number;
  lowWaterChars?: number;
  /** Test seam for timers. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class OutputBatcher {
  private readonly decoder = new StringDecoder('utf8');
  private pending: string[] = [];
  private pendingChars = 0;
  private timer: unknown = null;
  private unacked = 0;
  private paused = false;
  private readonly flushAfterMs: number;
  private readonly maxBatchChars: number;
  private readonly highWater: number;
  private readonly lowWater: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: OutputBatcherOptions) {
    this.flushAfterMs = options.flushAfterMs ?? 5;
    this.maxBatchChars = options.maxBatchChars ?? 64 * 1024;
    this.highWater = options.highWaterChars ?? 100_000;
    this.lowWater = options.lowWaterChars ?? 5_000;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as NodeJS.Timeout));
  }

  /** Bytes from the engine. */
  push(bytes: Buffer): void {
    const text = this.decoder.write(bytes);
    if (text.length === 0) return;
    this.pending.push(text);
    this.pendingChars += text.length;
    // Everything main holds counts, sent or not: past the high-water mark the engine stops
    // at once, so main never holds more than the mark plus the chunk that crossed it.
    if (!this.paused && this.unacked + this.pendingChars > this.highWater) {
      this.paused = true;
      this.options.pause();
    }
    if (this.pendingChars >= this.maxBatchChars) this.flush();
    else if (this.timer === null) this.timer = this.setTimer(() => this.flush(), this.flushAfterMs);
  }

  /** Send what is pending now (also called when the session ends), in batches of at most the size cap. */
  flush(): void {
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
    if (this.pendingChars === 0) return;
    let data = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    while (data.length > 0) {
      let cut = Math.min(data.length, this.maxBatchChars);
      // Never end a batch between the two halves of a surrogate pair.
      if (cut < data.length && cut > 1 && isHighSurrogate(data.charCodeAt(cut - 1))) cut--;
      const batch = cut === data.length ? data : data.slice(0, cut);
      data = cut === data.length ? '' : data.slice(cut);
      this.unacked += batch.length;
      this.options.send(batch);
    }
  }

  /** The renderer wrote `chars` characters. */
  ack(chars: number): void {
    this.unacked = Math.max(0, this.unacked - chars);
    if (this.paused && this.unacked + this.pendingChars < this.lowWater) {
      this.paused = false;
      this.options.resume();
    }
  }

  /** End of stream: emit what the decoder still holds (an incomplete sequence becomes U+FFFD). */
  end(): void {
    const rest = this.decoder.end();
    if (rest) {
      this.pending.push(rest);
      this.pendingChars += rest.length;
    }
    this.flush();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get unacknowledged(): number {
    return this.unacked;
  }

  /** Characters main holds for the renderer: sent but unacknowledged, plus not yet sent. */
  get buffered(): number {
    return this.unacked + this.pendingChars;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
