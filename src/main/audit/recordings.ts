// Local recordings: the asciicast v2 files SessionManager writes under
// <dataDir>/recordings. Listed from each file's header line, read back for playback, and
// matched to AWS sessions (by the AWS session id when the header names it, else by node,
// profile and start time).
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { HatchError } from '../../shared/contract';
import { RecordingId, type Recording, type RecordingEvent, type RecordingSummary } from '../../shared/domain/audit';

/** Recordings bigger than this are replayed from their beginning only. */
const MAX_REPLAY_BYTES = 16 * 1024 * 1024;
/** A recording starts this close to its session's StartDate (the header is written right after StartSession). */
const MATCH_WINDOW_MS = 60_000;

interface RecordingHeader {
  width: number;
  height: number;
  timestamp: number | null;
  title: string;
  awsSessionId: string | null;
}

export function parseHeader(line: string): RecordingHeader | null {
  let h: unknown;
  try {
    h = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof h !== 'object' || h === null) return null;
  const o = h as Record<string, unknown>;
  if (o.version !== 2) return null;
  const hatch = typeof o.hatch === 'object' && o.hatch !== null ? (o.hatch as Record<string, unknown>) : {};
  const aws = typeof o.awsSessionId === 'string' ? o.awsSessionId : typeof hatch.awsSessionId === 'string' ? hatch.awsSessionId : null;
  return {
    width: Number.isInteger(o.width) ? (o.width as number) : 80,
    height: Number.isInteger(o.height) ? (o.height as number) : 24,
    timestamp: typeof o.timestamp === 'number' ? o.timestamp : null,
    title: typeof o.title === 'string' ? o.title : '',
    awsSessionId: aws,
  };
}

/** The node id a recording is about: from its title ("profile i-…") or its file name. */
function targetOf(id: string, title: string): string | null {
  return /\b((?:i|mi)-[0-9a-f]{8,17})\b/.exec(title)?.[1] ?? /-((?:i|mi)-[0-9a-f]{8,17})-/.exec(id)?.[1] ?? null;
}

async function firstLine(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const nl = text.indexOf('\n');
    return nl < 0 ? text : text.slice(0, nl);
  } finally {
    await handle.close();
  }
}

export class Recordings {
  constructor(private readonly dir: string) {}

  async list(): Promise<RecordingSummary[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => RecordingId.safeParse(n).success);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: RecordingSummary[] = [];
    for (const id of names) {
      const file = path.join(this.dir, id);
      try {
        const [line, info] = await Promise.all([firstLine(file), stat(file)]);
        const header = parseHeader(line);
        if (!header) continue;
        out.push({
          id,
          title: header.title,
          target: targetOf(id, header.title),
          startedAt: header.timestamp === null ? null : header.timestamp * 1000,
          width: header.width,
          height: header.height,
          bytes: info.size,
          awsSessionId: header.awsSessionId,
        });
      } catch {
        // unreadable: skip it
      }
    }
    return out.sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0));
  }

  async read(id: string): Promise<Recording> {
    if (!RecordingId.safeParse(id).success || path.basename(id) !== id) throw new HatchError('BadRequest', 'Not a recording name.');
    const file = path.join(this.dir, id);
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      throw new HatchError('NotFound', `The recording ${id} no longer exists.`, 'Refresh the list.');
    }
    const truncated = size > MAX_REPLAY_BYTES;
    const text = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      createReadStream(file, { start: 0, end: Math.min(size, MAX_REPLAY_BYTES) - 1 })
        .on('data', (c) => chunks.push(c as Buffer))
        .on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
        .on('error', reject);
    });
    const lines = text.split('\n');
    const header = parseHeader(lines[0] ?? '');
    if (!header) throw new HatchError('BadRequest', `${id} is not an asciicast v2 recording.`);
    const events: RecordingEvent[] = [];
    for (const line of lines.slice(1)) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as unknown;
        if (Array.isArray(e) && typeof e[0] === 'number' && typeof e[1] === 'string' && typeof e[2] === 'string') events.push([e[0], e[1], e[2]]);
      } catch {
        // the last line of a truncated or still-written file
      }
    }
    return { id, title: header.title, width: header.width, height: header.height, duration: events.at(-1)?.[0] ?? 0, events, truncated };
  }
}

/**
 * Which recording belongs to which AWS session: by id when the header names it, else one
 * to one by closest start on the same node and profile.
 */
export function assignRecordings(
  sessions: Array<{ sessionId: string; target: string; startedAt: number | null }>,
  profile: string,
  recordings: RecordingSummary[],
): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const s of sessions) {
    const exact = recordings.find((r) => r.awsSessionId === s.sessionId);
    if (exact) {
      out.set(s.sessionId, exact.id);
      used.add(exact.id);
    }
  }
  const candidates: Array<{ sessionId: string; id: string; delta: number }> = [];
  for (const s of sessions) {
    if (out.has(s.sessionId) || s.startedAt === null) continue;
    for (const r of recordings) {
      if (used.has(r.id) || r.awsSessionId !== null || r.target !== s.target || r.startedAt === null) continue;
      if (r.title && !r.title.startsWith(`${profile} `)) continue;
      // The header's timestamp has 1 s resolution and is written after StartSession returned.
      const delta = r.startedAt - s.startedAt;
      if (delta < -1000 || delta > MATCH_WINDOW_MS) continue;
      candidates.push({ sessionId: s.sessionId, id: r.id, delta: Math.abs(delta) });
    }
  }
  candidates.sort((a, b) => a.delta - b.delta);
  for (const c of candidates) {
    if (out.has(c.sessionId) || used.has(c.id)) continue;
    out.set(c.sessionId, c.id);
    used.add(c.id);
  }
  return out;
}
