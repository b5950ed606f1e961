// Ten shell sessions at once through HatchHost (host.call), against the sandbox: each runs
// commands at the same time as the others and sees only its own output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../src/shared/contract';
import { plainLines, startHostHarness, waitFor, type HostHarness } from '../helpers/host-harness';

let h: HostHarness;

beforeAll(async () => {
  h = await startHostHarness({ sandbox: { agentPacing: false } });
});

afterAll(async () => {
  await h?.dispose();
});

const COUNT = 10;
const LINES = 5000;
// The marker is computed by the remote shell, so the echoed command line never contains it:
// only the command's output does. CONC1000END … CONC1009END are distinct and none is a
// substring of another.
const marker = (i: number) => `CONC${1000 + i}END`;
const MARKER = /CONC(\d+)END/g;

describe('concurrent shell sessions', () => {
  it(`runs ${COUNT} sessions at once, each seeing only its own output`, async () => {
    const online = h.nodes.filter((n) => n.pingStatus === 'Online' && n.platformType === 'Linux');
    expect(online.length).toBeGreaterThan(1);
    const sessions: SessionInfo[] = await Promise.all(Array.from({ length: COUNT }, (_, i) => h.shell(online[i % online.length].name)));
    expect(new Set(sessions.map((s) => s.id)).size).toBe(COUNT);
    expect(new Set(sessions.map((s) => s.awsSessionId)).size).toBe(COUNT);

    // All at once: a burst of marker lines and a per-session variable read back, so output
    // of the ten sessions is in flight together.
    await Promise.all(
      sessions.map((s, i) =>
        h.call('sessions.write', {
          sessionId: s.id,
          data: `export MINE=${i}; yes CONC$((1000+${i}))END | head -n ${LINES}; echo DONE$((500+$MINE))-$MINE\r`,
        }),
      ),
    );
    await waitFor(() => sessions.every((s, i) => h.output(s.id).includes(`DONE${500 + i}-${i}`)), 45_000, 'every session to finish');

    sessions.forEach((s, i) => {
      const text = h.output(s.id);
      const seen = [...text.matchAll(MARKER)].map((m) => m[0]);
      // Exactly its own LINES markers, none of anyone else's.
      expect(seen.length, `session ${i} marker count`).toBe(LINES);
      expect(new Set(seen), `session ${i} markers`).toEqual(new Set([marker(i)]));
      const lines = plainLines(text).filter((line) => line.includes(marker(i)));
      expect(lines.filter((line) => line !== marker(i)), `session ${i} lines intact`).toEqual([]);
      for (let j = 0; j < COUNT; j++) if (j !== i) expect(text.includes(`DONE${500 + j}-`), `session ${i} saw session ${j}'s end`).toBe(false);
    });

    // They end independently: ending one leaves the others running.
    await h.call('sessions.terminate', { sessionId: sessions[0].id });
    expect((await h.waitEnded(sessions[0].id)).endReason).toBe('terminated');
    await h.call('sessions.write', { sessionId: sessions[1].id, data: 'echo still-$((2+2))-$MINE\r' });
    await waitFor(() => h.output(sessions[1].id).includes('still-4-1'), 20_000, 'session 1 to answer');
    expect(sessions.slice(1).every((s) => h.session(s.id)?.state === 'live')).toBe(true);
    await Promise.all(sessions.slice(1).map((s) => h.call('sessions.terminate', { sessionId: s.id })));
    await Promise.all(sessions.map((s) => h.waitEnded(s.id)));
  });
});
