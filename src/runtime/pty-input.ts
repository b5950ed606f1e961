// Input into a node-pty terminal that ends quietly with the terminal. node-pty (1.1, Unix)
// queues what write() is given and feeds it to the descriptor from its own fs.write loop;
// when the terminal closes with input still queued or a write in flight (a shell that exits
// or is killed during a paste, an upload over a shell session that is cut), that loop writes
// to the closed descriptor and prints "Unhandled pty write error ... EBADF" — or, if the
// number has been reused meanwhile, puts the bytes into an unrelated file or socket.
//
// So on Unix the input is written here, to the terminal's descriptor, by a queue that knows
// when the terminal has ended: from then on nothing more is written, and a write that was
// already under way and fails is expected, not an error. Input to a closed terminal has
// nowhere to go; it is dropped. Elsewhere (Windows, fakes) node-pty's write() is used.
import fs from 'node:fs';
import type { IPty } from 'node-pty';

/** Largest single write to the descriptor when several pieces of input are queued. */
const COALESCE_BYTES = 64 * 1024;

export class PtyInput {
  private ended = false;
  private readonly fd: number | null;
  private readonly queue: Buffer[] = [];
  private offset = 0;
  private writing = false;
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly proc: IPty,
    /** A write failed while the terminal was open (not EAGAIN): input was dropped. */
    private readonly onError: (e: NodeJS.ErrnoException) => void = () => undefined,
  ) {
    const fd = (proc as unknown as { fd?: unknown }).fd;
    this.fd = process.platform !== 'win32' && typeof fd === 'number' && fd >= 0 ? fd : null;
    proc.onExit(() => this.end());
    // The terminal's 'close' comes before 'exit' when the tty is closed first (read EIO):
    // its descriptor is being closed, the process may still be running.
    (proc as unknown as { on?: (event: string, cb: () => void) => void }).on?.('close', () => this.end());
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Bytes for the terminal, in order; nothing once it has ended (or is being stopped). */
  write(data: string | Buffer): void {
    if (this.ended) return;
    if (this.fd === null) {
      this.proc.write(data);
      return;
    }
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data); // the caller may reuse its buffer
    if (buf.length === 0) return;
    if (this.queue.length === 0 && !this.writing && this.retryTimer === null) {
      // Idle: write at once. node-pty opens the descriptor non-blocking, so this never waits;
      // a keystroke then reaches the shell without a round trip through libuv's thread pool
      // (two thread hand-offs, the echo bench's p99 on a busy machine).
      let written = 0;
      try {
        written = fs.writeSync(this.fd, buf);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code !== 'EAGAIN') return this.fail(err);
      }
      if (written >= buf.length) return;
      this.offset = written;
    }
    this.queue.push(buf);
    if (!this.writing && this.retryTimer === null) this.next();
  }

  /** A write failed: what is queued has nowhere to go. EIO/EBADF mean the terminal is closing. */
  private fail(err: NodeJS.ErrnoException): void {
    this.queue.length = 0;
    this.offset = 0;
    if (err.code !== 'EIO' && err.code !== 'EBADF') this.onError(err);
  }

  private next(): void {
    if (this.ended || this.fd === null) return;
    if (this.queue.length > 1) this.coalesce();
    const head = this.queue[0];
    if (!head) return;
    this.writing = true;
    fs.write(this.fd, head, this.offset, head.length - this.offset, null, (err, written) => {
      this.writing = false;
      if (this.ended) return; // the terminal closed under the write: expected, nothing to report
      if (err) {
        if (err.code === 'EAGAIN') {
          // The terminal's input buffer is full (the program is not reading): retry, backing
          // off to 10 ms instead of spinning.
          this.retryTimer = setTimeout(() => {
            this.retryTimer = null;
            this.next();
          }, Math.min(10, 2 ** this.retries++));
          return;
        }
        this.fail(err);
        return;
      }
      this.retries = 0;
      this.offset += written;
      if (this.offset >= head.length) {
        this.queue.shift();
        this.offset = 0;
      }
      this.next();
    });
  }

  /**
   * Joins what is queued into one write of up to COALESCE_BYTES: input arrives as many small
   * pieces (a session's data messages are 1 KiB), and one descriptor write per piece, each a
   * round trip through libuv's thread pool, made the pty take a few MB/s at most.
   */
  private coalesce(): void {
    let bytes = this.queue[0].length - this.offset;
    let count = 1;
    while (count < this.queue.length && bytes + this.queue[count].length <= COALESCE_BYTES) bytes += this.queue[count++].length;
    if (count === 1) return;
    const parts = this.queue.splice(0, count);
    parts[0] = parts[0].subarray(this.offset);
    this.queue.unshift(Buffer.concat(parts, bytes));
    this.offset = 0;
  }

  /** A new size; nothing once it has ended (node-pty throws EBADF on a closed terminal). */
  resize(cols: number, rows: number): void {
    if (this.ended) return;
    try {
      this.proc.resize(cols, rows);
    } catch {
      /* closed under us, before its 'close' reached us */
    }
  }

  /** The terminal is gone or going (exit, close, a stop on the way): drop queued input. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.length = 0;
    this.offset = 0;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}
