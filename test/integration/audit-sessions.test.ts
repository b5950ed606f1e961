// Session history, termination, export and local recordings through HatchHost, against
// sessions really started on the embedded sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditSession } from '../../src/shared/domain/audit';
import type { SessionInfo } from '../../src/shared/contract';
import { startTestHost, type TestHost } from './documents-helpers';
import { watchTerminal } from '../helpers/terminal-viewer';
import { waitFor } from '../helpers/host-harness';

let t: TestHost;
const where = { profile: 'Sandbox', region: 'us-east-1' };
let web1: string;
let web2: string;
let first: SessionInfo;
let second: SessionInfo;

beforeAll(async () => {
  t = await startTestHost();
  const { nodes } = await t.call('inventory.list', where);
  web1 = nodes.find((n) => n.name === 'web-1')!.id;
  web2 = nodes.find((n) => n.name === 'web-2')!.id;
  first = await t.call('sessions.start', { ...where, target: web1, engine: 'native', reason: 'audit test', cols: 80, rows: 24 });
  second = await t.call('sessions.start', { ...where, target: web2, engine: 'native', cols: 80, rows: 24 });
  const terminal = watchTerminal(t.host, first.id);
  terminal.input('echo audit-$((40+2))\n');
  await waitFor(() => terminal.text().includes('audit-42'), 20_000, 'the echo in the first session');
});

afterAll(async () => {
  await t?.dispose();
});

const list = (state: 'Active' | 'History', filters = {}) => t.call('audit.sessions', { ...where, state, filters });

describe('Session audit', () => {
  it('lists the account’s active sessions with their details and local recordings', async () => {
    const { sessions, truncated } = await list('Active');
    expect(truncated).toBe(false);
    const mine = sessions.find((s) => s.sessionId === first.awsSessionId)!;
    expect(mine).toBeDefined();
    expect(mine.target).toBe(web1);
    expect(mine.reason).toBe('audit test');
    expect(mine.owner).toContain('hatch-sandbox');
    expect(mine.documentName).toBe('SSM-SessionManagerRunShell');
    expect(mine.endedAt).toBeNull();
    expect(mine.recordingId).toBe(first.recordingPath!.split('/').pop());
    expect(sessions.find((s) => s.sessionId === second.awsSessionId)?.recordingId).toBe(second.recordingPath!.split('/').pop());
  });

  it('filters by target, owner, status and date range', async () => {
    expect((await list('Active', { target: web2 })).sessions.map((s) => s.sessionId)).toEqual([second.awsSessionId]);
    const owner = (await list('Active')).sessions[0].owner;
    expect((await list('Active', { owner })).sessions).toHaveLength(2);
    expect((await list('Active', { owner: 'arn:aws:iam::000000000000:user/nobody' })).sessions).toHaveLength(0);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect((await list('Active', { after: tomorrow })).sessions).toHaveLength(0);
    expect((await list('Active', { after: yesterday, before: tomorrow })).sessions).toHaveLength(2);
    const bad = await t.raw('audit.sessions', { ...where, state: 'Active', filters: { after: 'last tuesday' } });
    expect(!bad.ok && bad.error.message).toContain('A date such as');
  });

  it('terminates a session, which moves to the history', async () => {
    await t.call('audit.terminate', { ...where, sessionId: second.awsSessionId! });
    const active = await list('Active');
    expect(active.sessions.map((s) => s.sessionId)).not.toContain(second.awsSessionId);
    const history = await list('History', { status: 'Terminated' });
    const ended = history.sessions.find((s) => s.sessionId === second.awsSessionId) as AuditSession;
    expect(ended.status).toBe('Terminated');
    expect(ended.endedAt).toBeGreaterThanOrEqual(ended.startedAt!);
    // Hatch's own tab learns that its session ended (the agent closed the data channel).
    let ended2 = false;
    while (!ended2) {
      const { sessions } = await t.call('sessions.list', {});
      ended2 = sessions.find((s) => s.id === second.id)?.state === 'ended';
      if (!ended2) await new Promise((r) => setTimeout(r, 20));
    }
  });

  it('exports the list as CSV and JSON', async () => {
    const csv = await t.call('audit.export', { ...where, state: 'History', format: 'csv' });
    expect(csv.filename).toMatch(/\.csv$/);
    expect(csv.mimeType).toBe('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('Session ID,Target,Status,Owner,Document,Reason,Start,End,Details,S3 output,CloudWatch output,Max duration (min)');
    expect(lines.some((l) => l.startsWith(`${second.awsSessionId},${web2},Terminated,`))).toBe(true);
    expect(csv.count).toBe(lines.length - 1);

    const json = await t.call('audit.export', { ...where, state: 'Active', format: 'json' });
    const rows = JSON.parse(json.text) as Array<{ sessionId: string; startedAt: string; reason: string | null }>;
    expect(rows.find((r) => r.sessionId === first.awsSessionId)?.reason).toBe('audit test');
    expect(rows[0].startedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('lists recordings and reads one back for playback', async () => {
    const { recordings } = await t.call('recordings.list', {});
    const id = first.recordingPath!.split('/').pop()!;
    const summary = recordings.find((r) => r.id === id)!;
    expect(summary.target).toBe(web1);
    expect(summary.width).toBe(80);
    const recording = await t.call('recordings.read', { id });
    expect(recording.events.filter((e) => e[1] === 'o').map((e) => e[2]).join('')).toContain('audit-42');
    expect(recording.duration).toBeGreaterThanOrEqual(0);
    const traversal = await t.raw('recordings.read', { id: '../sandbox-identity.cast' });
    expect(traversal.ok).toBe(false);
    const missing = await t.raw('recordings.read', { id: 'nope.cast' });
    expect(!missing.ok && missing.error.code).toBe('NotFound');
  });
});
