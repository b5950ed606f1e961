// Pausing a node-pty terminal without losing its last output. node-pty (1.1, Unix) pauses
// a terminal by pausing its read stream, and when the process exits it waits 200 ms for that
// stream to end before destroying it: whatever a paused terminal had not read by then (a
// plugin's closing lines, the end of a flood) was thrown away. Resuming once the process is
// gone is not enough on its own: the terminal side is closed by then, and Linux answers a read
// of the controller with EIO as soon as its read buffer (4 KiB) is empty, even when more is
// still on its way from the kernel's queue. So while paused we also hold the terminal side
// open ourselves, look every EXIT_POLL_MS whether the process is still there, and once it is
// gone resume, read until the output goes quiet, and only then let the terminal side close.
import fs from 'node:fs';
import type { IPty } from 'node-pty';

/** Well inside node-pty's 200 ms, so the rest is read before it gives up on the stream. */
const EXIT_POLL_MS = 40;
/** After the process is gone: this long without output and what the terminal held has been read. */
const DRAIN_QUIET_MS = 15;
/** ... and never longer than this, still inside node-pty's 200 ms. */
const DRAIN_MAX_MS = 120;

export class PtyFlow {
  private watch: ReturnType<typeof setInterval> | null = null;
  private drainQuiet: ReturnType<typeof setTimeout> | null = null;
  private drainMax: ReturnType<typeof setTimeout> | null = null;
  /** Our descriptor of the terminal side while paused (none where it cannot be opened). */
  private held: number | null = null;
  private exited = false;

  constructor(private readonly proc: IPty) {
    proc.onExit(() => {
      this.exited = true;
      this.stopWatching();
      this.release();
    });
    proc.onData(() => {
      if (this.drainQuiet !== null) this.drainQuiet.refresh();
    });
  }

  /** Stop reading the terminal (back-pressure), until resume() or the process has gone. */
  pause(): void {
    if (this.exited || this.drainMax !== null) return;
    this.proc.pause();
    // Windows terminals are not closed that way (conpty); nothing to watch there.
    if (this.watch !== null || process.platform === 'win32') return;
    this.hold();
    this.watch = setInterval(() => this.checkGone(), EXIT_POLL_MS);
    this.watch.unref();
  }

  resume(): void {
    this.stopWatching();
    if (this.drainMax === null) this.release(); // while draining, the drain ends it
    if (!this.exited) this.proc.resume();
  }

  private hold(): void {
    const name = (this.proc as unknown as { ptsName?: unknown }).ptsName;
    if (this.held !== null || typeof name !== 'string' || !name.startsWith('/dev/')) return;
    try {
      this.held = fs.openSync(name, fs.constants.O_RDWR | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
    } catch {
      this.held = null; // exclusive or gone: resuming at exit still saves the first 4 KiB
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

  private checkGone(): void {
    try {
      process.kill(this.proc.pid, 0); // signal 0: is it there (a zombie not yet reaped still is)
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') return; // EPERM: there, not ours to signal
    }
    this.stopWatching();
    // Read what is left; the terminal side stays open (ours) until the output goes quiet.
    this.drainQuiet = setTimeout(() => this.release(), DRAIN_QUIET_MS);
    this.drainMax = setTimeout(() => this.release(), DRAIN_MAX_MS);
    this.proc.resume();
  }

  private stopWatching(): void {
    if (this.watch !== null) clearInterval(this.watch);
    this.watch = null;
  }
}
