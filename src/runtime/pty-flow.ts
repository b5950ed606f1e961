// A node-pty terminal that gives all of its output before it ends, paused or not.
//
// Linux answers a read of a terminal's controlling side with EIO as soon as its read buffer
// (4 KiB) is empty once the process side has closed, even while more output is still on its
// way from the kernel's queue; node-pty takes that EIO as the end. So a flood followed by an
// exit lost its last few KiB most of the time (`seq 1 30000; echo done` lost ~12 KB in 16
// of 20 runs of plain node-pty here). And node-pty pauses by pausing its read stream, then
// destroys that stream 200 ms after the process exits: a paused terminal lost everything
// unread. So we hold the process side open ourselves for the terminal's life — no EIO while
// anything is on its way — look every EXIT_POLL_MS whether the process is still there, and
// once it is gone resume, read until the output goes quiet, and only then let go.
import fs from 'node:fs';
import type { IPty } from 'node-pty';

/** Well inside node-pty's 200 ms, so the rest is read before it gives up on the stream. */
const EXIT_POLL_MS = 40;
/** After the process is gone: this long without output and what the terminal held has been read. */
const DRAIN_QUIET_MS = 15;
/** ... and never longer than this, still inside node-pty's 200 ms. */
const DRAIN_MAX_MS = 120;

/** Every terminal whose process may still run: one timer looks at all of them. */
const watched = new Set<PtyFlow>();
let poll: ReturnType<typeof setInterval> | null = null;

function watch(flow: PtyFlow): void {
  watched.add(flow);
  if (poll !== null) return;
  poll = setInterval(() => {
    for (const f of watched) f.checkGone();
    if (watched.size === 0 && poll !== null) {
      clearInterval(poll);
      poll = null;
    }
  }, EXIT_POLL_MS);
  poll.unref();
}

export class PtyFlow {
  private drainQuiet: ReturnType<typeof setTimeout> | null = null;
  private drainMax: ReturnType<typeof setTimeout> | null = null;
  /** Our descriptor of the process side (none where it cannot be opened, e.g. Windows). */
  private held: number | null = null;
  private draining = false;
  private exited = false;

  constructor(private readonly proc: IPty) {
    proc.onExit(() => {
      this.exited = true;
      watched.delete(this);
      this.release();
    });
    proc.onData(() => {
      if (this.drainQuiet !== null) this.drainQuiet.refresh();
    });
    if (process.platform === 'win32') return; // conpty ends differently; nothing to hold
    this.hold();
    watch(this);
  }

  /** Stop reading the terminal (back-pressure), until resume() — or its process has gone. */
  pause(): void {
    if (this.exited || this.draining) return;
    this.proc.pause();
  }

  resume(): void {
    if (!this.exited) this.proc.resume();
  }

  /** (The shared timer.) The process has gone: read the rest, then let the terminal close. */
  checkGone(): void {
    if (this.draining || this.exited) return;
    try {
      process.kill(this.proc.pid, 0); // signal 0: is it there (a zombie not yet reaped still is)
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') return; // EPERM: there, not ours to signal
    }
    watched.delete(this);
    this.draining = true;
    this.drainQuiet = setTimeout(() => this.release(), DRAIN_QUIET_MS);
    this.drainMax = setTimeout(() => this.release(), DRAIN_MAX_MS);
    this.proc.resume();
  }

  private hold(): void {
    const name = (this.proc as unknown as { ptsName?: unknown }).ptsName;
    if (typeof name !== 'string' || !name.startsWith('/dev/')) return;
    try {
      this.held = fs.openSync(name, fs.constants.O_RDWR | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
    } catch {
      this.held = null; // gone already or exclusive: node-pty's own ending applies
    }
  }

  private release(): void {
    if (this.drainQuiet !== null) clearTimeout(this.drainQuiet);
    if (this.drainMax !== null) clearTimeout(this.drainMax);
    this.drainQuiet = this.drainMax = null;
    if (this.held === null) return;
    try {
      fs.closeSync(this.held);
    } catch {
      /* already closed */
    }
    this.held = null;
  }
}
