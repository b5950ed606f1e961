// hatch cp's progress bar: percent, bytes, rate over the last seconds and ETA, redrawn in
// place on a terminal at most every 100 ms (a fake clock; no real time involved).
import { describe, expect, it } from 'vitest';
import { ProgressBar, formatDuration } from '../../../src/cli/progress';

function terminal(columns = 100) {
  const writes: string[] = [];
  return { writes, stream: { write: (text: string) => writes.push(text) > 0, isTTY: true, columns } };
}

describe('ProgressBar', () => {
  it('shows percent, bytes, rate and ETA, and redraws in place', () => {
    let now = 1_000;
    const { writes, stream } = terminal();
    const bar = new ProgressBar(stream as never, 'app.log', () => now);
    const MiB = 1024 * 1024;
    bar.update(0, 10 * MiB);
    for (let second = 1; second <= 4; second++) {
      now += 1000;
      bar.update(second * MiB, 10 * MiB);
    }
    const last = writes.at(-1)!;
    expect(last.startsWith('\r')).toBe(true);
    expect(last.endsWith('\x1b[K')).toBe(true);
    // 1 MiB a second: 1.0 MB/s (decimal, as rates go), 6 MiB left → 6 s.
    expect(last.slice(1, -3)).toMatch(/^app\.log \[#+-+\] {2}40% 4\.0 MiB\/10 MiB 1\.0 MB\/s ETA 0:06$/);
    expect(last.length).toBeLessThanOrEqual(100 + 4);
    bar.finish();
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });

  it('draws at most every 100 ms, and has no ETA before it knows a rate', () => {
    let now = 5_000;
    const { writes, stream } = terminal(60);
    const bar = new ProgressBar(stream as never, 'a-very-long-file-name-that-does-not-fit.tar.gz', () => now);
    bar.update(1, 100);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/ ETA --:--/);
    expect(writes[0]).toMatch(/^\r….*\.tar\.gz \[/);
    now += 50;
    bar.update(2, 100);
    expect(writes).toHaveLength(1);
    now += 60;
    bar.update(3, 100);
    expect(writes).toHaveLength(2);
  });

  it('formats durations', () => {
    expect(formatDuration(59)).toBe('0:59');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(Number.NaN)).toBe('--:--');
  });
});
