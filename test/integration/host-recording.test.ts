// A session's local recording (asciicast v2) replays to exactly what the terminal
// received: the "o" events of the .cast file, concatenated, equal the session's
// output on the session's stream, concatenated — byte for byte, non-ASCII output included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startHostHarness, waitFor, type HostHarness } from '../helpers/host-harness';

let h: HostHarness;

beforeAll(async () => {
  // Agent pacing on (the default): output arrives in ≤1024-byte messages, so multi-byte
  // characters meet message and batch boundaries.
  h = await startHostHarness();
});

afterAll(async () => {
  await h?.dispose();
});

interface Cast {
  header: Record<string, unknown>;
  events: Array<[number, string, string]>;
  complete: boolean;
}

function readCast(file: string): Cast {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const complete = text.endsWith('\n');
  if (complete) lines.pop();
  return { header: JSON.parse(lines[0]), events: lines.slice(1).map((l) => JSON.parse(l)), complete };
}

describe('session recordings', () => {
  it('replays to exactly what the terminal received, UTF-8 included', async () => {
    const session = await h.shell('web-1', { cols: 100, rows: 30 });
    const utf8 = 'ü✓🚀日本語';
    await h.call('sessions.write', { sessionId: session.id, data: `for i in $(seq 1 1500); do printf '${utf8}%d ' $i; done; echo; echo REC-$((2*21))\r` });
    await waitFor(() => h.output(session.id).includes('REC-42'), 30_000, 'the output');
    await h.call('sessions.resize', { sessionId: session.id, cols: 120, rows: 40 });
    await h.call('sessions.write', { sessionId: session.id, data: `echo "naïve café — $(stty size)"\r` });
    await waitFor(() => h.output(session.id).includes('naïve café — 40 120'), 20_000, 'the resized echo');
    await h.call('sessions.write', { sessionId: session.id, data: 'exit\r' });
    const ended = await h.waitEnded(session.id);
    expect(ended.endReason).toBe('exit');
    const file = ended.recordingPath;
    if (!file) return expect.fail('no recording');

    const received = h.output(session.id);
    expect(received).toContain(`${utf8}1500 `);
    expect(received).not.toContain('\ufffd');
    // The recorder is closed shortly after the end; wait until the file is whole.
    const cast = await waitFor(
      () => {
        const c = readCast(file);
        return c.complete && c.events.filter((e) => e[1] === 'o').reduce((n, e) => n + e[2].length, 0) >= received.length ? c : undefined;
      },
      10_000,
      'the recording to be complete',
    );
    expect(cast.header).toMatchObject({ version: 2, width: 100, height: 30, awsSessionId: ended.awsSessionId });
    const replay = cast.events.filter((e) => e[1] === 'o').map((e) => e[2]).join('');
    // Byte for byte (compared as UTF-8, so a lone surrogate or a U+FFFD would show).
    expect(Buffer.from(replay, 'utf8').equals(Buffer.from(received, 'utf8'))).toBe(true);
    expect(replay).toBe(received);
    // One "o" event per batch the renderer got, in the same order.
    expect(cast.events.filter((e) => e[1] === 'o').map((e) => e[2])).toEqual(h.batches(session.id));
    expect(cast.events.filter((e) => e[1] === 'r').map((e) => e[2])).toEqual(['120x40']);
    const times = cast.events.map((e) => e[0]);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
