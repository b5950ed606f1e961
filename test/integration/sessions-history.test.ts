// sessions.list keeps a bounded history: every live session, and only the most recent
// ended ones (ENDED_SESSION_HISTORY), so a long-running Hatch does not list (and hold)
// every session it ever started. Through the contract against the sandbox.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHostHarness, type HostHarness } from '../helpers/host-harness';
import { ENDED_SESSION_HISTORY } from '../../src/main/sessions/session-manager';
import type { SessionInfo } from '../../src/shared/contract';

let h: HostHarness;

beforeAll(async () => {
  h = await startHostHarness();
});

afterAll(() => h?.dispose());

it('lists every live session and only the last ended ones', async () => {
  const live = await h.shell('web-1');
  // Sessions that end at once: a node the sandbox does not know (StartSession fails).
  const extra = 12;
  const failedIds: string[] = [];
  for (let i = 0; i < ENDED_SESSION_HISTORY + extra; i++) {
    const seen = new Set((await h.call<{ sessions: SessionInfo[] }>('sessions.list')).sessions.map((s) => s.id));
    await expect(h.call('sessions.start', { profile: 'Sandbox', region: 'us-east-1', target: `i-0${String(i).padStart(16, '0')}`, cols: 80, rows: 24, engine: 'native' })).rejects.toThrow();
    const after = (await h.call<{ sessions: SessionInfo[] }>('sessions.list')).sessions;
    const added = after.find((s) => !seen.has(s.id) && s.state === 'ended');
    expect(added, `the failed start #${i} is listed as ended`).toBeTruthy();
    failedIds.push(added!.id);
  }
  const { sessions } = await h.call<{ sessions: SessionInfo[] }>('sessions.list');
  expect(sessions.find((s) => s.id === live.id)).toMatchObject({ state: 'live' });
  const ended = sessions.filter((s) => s.state === 'ended');
  expect(ended).toHaveLength(ENDED_SESSION_HISTORY);
  // The oldest were dropped, the most recent kept.
  expect(ended.map((s) => s.id).sort()).toEqual(failedIds.slice(extra).sort());
  // A dropped session is gone for every call, with a clear answer.
  await expect(h.call('sessions.restart', { sessionId: failedIds[0] })).rejects.toMatchObject({ code: 'NotFound' });
  // The live one still works.
  await h.call('sessions.write', { sessionId: live.id, data: 'echo still-$((40+2))\r' });
  await expect.poll(() => h.output(live.id), { timeout: 20_000 }).toContain('still-42');
});
