// Local recordings of what a session showed, in asciicast v2 (one JSON line per output
// batch), so any player — and Hatch's own — can replay them.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';

export class SessionRecorder {
  private readonly stream: WriteStream;
  private readonly startedAt = performance.now();
  readonly path: string;

  constructor(dir: string, meta: { id: string; awsSessionId: string; target: string; cols: number; rows: number; title: string }) {
    mkdirSync(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    // Recording names are [A-Za-z0-9._-] (RecordingId): a container's ecs:… target has colons.
    const target = meta.target.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
    this.path = path.join(dir, `${stamp}-${target}-${meta.id.slice(0, 8)}.cast`);
    this.stream = createWriteStream(this.path, { flags: 'wx', mode: 0o600 });
    this.stream.write(
      JSON.stringify({
        version: 2,
        width: meta.cols,
        height: meta.rows,
        timestamp: Math.floor(Date.now() / 1000),
        title: meta.title,
        env: { TERM: 'xterm-256color' },
        // Hatch's own header field: ties the recording to the session in the audit view.
        awsSessionId: meta.awsSessionId,
      }) + '\n',
    );
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.startedAt) / 1000;
  }

  output(data: string): void {
    this.stream.write(JSON.stringify([this.elapsed(), 'o', data]) + '\n');
  }

  /** What was typed (only when the settings ask for it: it includes passwords typed at a prompt). */
  input(data: string): void {
    this.stream.write(JSON.stringify([this.elapsed(), 'i', data]) + '\n');
  }

  resize(cols: number, rows: number): void {
    this.stream.write(JSON.stringify([this.elapsed(), 'r', `${cols}x${rows}`]) + '\n');
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}

/** Deletes recordings (.cast) older than `days` days; 0 keeps everything. Returns how many went. */
export async function pruneRecordings(dir: string, days: number, now = Date.now()): Promise<number> {
  if (days <= 0) return 0;
  const { readdir, stat, rm } = await import('node:fs/promises');
  const cutoff = now - days * 86_400_000;
  let removed = 0;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0; // no recordings yet
  }
  for (const name of names) {
    if (!name.endsWith('.cast')) continue;
    const file = path.join(dir, name);
    try {
      if ((await stat(file)).mtimeMs < cutoff) {
        await rm(file);
        removed++;
      }
    } catch {
      // gone already, or not ours to remove: leave it
    }
  }
  return removed;
}
