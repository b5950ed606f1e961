// Coalescing of a terminal's output (docs/architecture.md, "Data paths that must stay
// fast"): bytes are decoded as a UTF-8 stream (a sequence split across chunks is held back,
// never mangled) and sent as one batch per few milliseconds or per size cap, whichever
// comes first. The first chunk after a quiet spell goes out at once, so a keystroke's echo
// never waits for the timer; only a burst is coalesced. Used by main for every session and
// by the pty host before output crosses the process boundary.
import { StringDecoder } from 'node:string_decoder';

export interface OutputBatcherOptions {
  /** One batch, in order. */
  send(data: string): void;
  flushAfterMs?: number;
  maxBatchChars?: number;
  /** Test seams for the clock and timers. */
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

const DEFAULT_FLUSH_MS = 5;
export const DEFAULT_MAX_BATCH_CHARS = 64 * 1024;

export class OutputBatcher {
  private readonly decoder = new StringDecoder('utf8');
  private pending: string[] = [];
  private pendingChars = 0;
  private timer: unknown = null;
  private lastSent = -Infinity;
  private readonly flushAfterMs: number;
  private readonly maxBatchChars: number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: OutputBatcherOptions) {
    this.flushAfterMs = options.flushAfterMs ?? DEFAULT_FLUSH_MS;
    this.maxBatchChars = options.maxBatchChars ?? DEFAULT_MAX_BATCH_CHARS;
    this.now = options.now ?? (() => performance.now());
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as NodeJS.Timeout));
  }

  /** Output from the engine: bytes (decoded here) or text already decoded (node-pty's). */
  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (text.length === 0) return;
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= this.maxBatchChars) return this.flush();
    if (this.timer !== null) return;
    const wait = this.lastSent + this.flushAfterMs - this.now();
    if (wait <= 0) this.flush();
    else this.timer = this.setTimer(() => this.flush(), wait);
  }

  /** Send what is pending now, in batches of at most the size cap. */
  flush(): void {
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
    if (this.pendingChars === 0) return;
    let data = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    this.lastSent = this.now();
    while (data.length > 0) {
      let cut = Math.min(data.length, this.maxBatchChars);
      // Never end a batch between the two halves of a surrogate pair.
      if (cut < data.length && cut > 1 && isHighSurrogate(data.charCodeAt(cut - 1))) cut--;
      const batch = cut === data.length ? data : data.slice(0, cut);
      data = cut === data.length ? '' : data.slice(cut);
      this.options.send(batch);
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

  /** Characters received but not sent yet. */
  get pendingLength(): number {
    return this.pendingChars;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
