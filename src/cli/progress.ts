// A one-line progress bar for a terminal: percent, bar, bytes, rate and ETA, redrawn in
// place at most every 100 ms. Rate is measured over the last few seconds, on bytes that
// travelled (resumed bytes are not counted as speed).
import type { CliIo } from './io';
import { formatBytes, formatRate } from '../shared/format';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** Rate over a sliding window of samples. */
class RateMeter {
  private samples: Array<{ at: number; bytes: number }> = [];

  constructor(
    private readonly windowMs = 3000,
    private readonly now: () => number = Date.now,
  ) {}

  add(bytes: number): void {
    const at = this.now();
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - this.samples[0].at > this.windowMs) this.samples.shift();
  }

  /** Bytes per second, or 0 before there are two samples. */
  rate(): number {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const ms = last.at - first.at;
    return ms > 0 ? ((last.bytes - first.bytes) * 1000) / ms : 0;
  }
}

export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;
  private readonly meter: RateMeter;

  constructor(
    private readonly stream: CliIo['stderr'],
    private readonly label: string,
    private readonly now: () => number = Date.now,
  ) {
    this.meter = new RateMeter(3000, now);
  }

  update(done: number, total: number, force = false): void {
    this.meter.add(done);
    const at = this.now();
    if (!force && at - this.lastDraw < 100) return;
    this.lastDraw = at;
    this.stream.write(`\r${this.line(done, total)}\x1b[K`);
    this.drawn = true;
  }

  /** Leave the bar's line (the next output starts on a fresh line). */
  finish(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  line(done: number, total: number): string {
    const width = Math.max(40, Math.min(this.stream.columns ?? 80, 160));
    const rate = this.meter.rate();
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const eta = rate > 0 ? (total - done) / rate : Number.NaN;
    const tail = ` ${String(Math.floor(fraction * 100)).padStart(3)}% ${formatBytes(done)}/${formatBytes(total)} ${formatRate(rate)} ETA ${formatDuration(eta)}`;
    const labelWidth = Math.min(this.label.length, Math.max(10, Math.floor(width / 3)));
    const label = this.label.length > labelWidth ? `…${this.label.slice(this.label.length - labelWidth + 1)}` : this.label;
    const barWidth = Math.max(5, width - label.length - tail.length - 4);
    const full = Math.round(fraction * barWidth);
    return `${label} [${'#'.repeat(full)}${'-'.repeat(barWidth - full)}]${tail}`;
  }
}
