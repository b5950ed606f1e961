// CSV/JSON export, DescribeSessions filters, recordings and the matching of recordings to sessions.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sessionsToCsv, sessionsToJson, type AuditSession } from '../../../src/shared/domain/audit';
import { sessionFilters } from '../../../src/main/audit/audit-service';
import { assignRecordings, parseHeader, Recordings } from '../../../src/main/audit/recordings';
import type { RecordingSummary } from '../../../src/shared/domain/audit';

const session = (over: Partial<AuditSession> = {}): AuditSession => ({
  sessionId: 'user-0123',
  target: 'i-0123456789abcdef0',
  status: 'Terminated',
  owner: 'arn:aws:iam::123456789012:user/ops',
  documentName: 'SSM-SessionManagerRunShell',
  reason: null,
  startedAt: Date.UTC(2024, 4, 1, 9, 30),
  endedAt: null,
  details: null,
  s3OutputUrl: null,
  cloudWatchOutputUrl: null,
  maxSessionDuration: null,
  recordingId: null,
  ...over,
});

describe('export', () => {
  it('writes RFC 4180 CSV with quoting and neutralised formulas', () => {
    const csv = sessionsToCsv([session({ reason: 'fix "db", now\nplease' }), session({ sessionId: 'b', reason: '=HYPERLINK("x")' })]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('Session ID,Target,Status,Owner,Document,Reason,Start,End,Details,S3 output,CloudWatch output,Max duration (min)');
    expect(csv).toContain('"fix ""db"", now\nplease"');
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv).toContain('2024-05-01T09:30:00.000Z');
  });

  it('writes JSON with ISO dates', () => {
    const rows = JSON.parse(sessionsToJson([session()])) as Array<{ startedAt: string; endedAt: null }>;
    expect(rows[0].startedAt).toBe('2024-05-01T09:30:00.000Z');
    expect(rows[0].endedAt).toBeNull();
  });
});

describe('DescribeSessions filters', () => {
  it('maps the view’s filters to AWS’s keys, a bare "to" date covering the whole day', () => {
    expect(sessionFilters({ owner: 'arn:x', target: 'i-1', status: 'Connected', after: '2024-05-01', before: '2024-05-02' })).toEqual([
      { key: 'Owner', value: 'arn:x' },
      { key: 'Target', value: 'i-1' },
      { key: 'Status', value: 'Connected' },
      { key: 'InvokedAfter', value: '2024-05-01T00:00:00Z' },
      { key: 'InvokedBefore', value: '2024-05-02T23:59:59Z' },
    ]);
  });
});

describe('recordings', () => {
  it('reads the asciicast header, including an AWS session id when present', () => {
    expect(parseHeader('{"version":2,"width":100,"height":30,"timestamp":1700000000,"title":"Sandbox i-0abc12345678"}')).toEqual({
      width: 100,
      height: 30,
      timestamp: 1700000000,
      title: 'Sandbox i-0abc12345678',
      awsSessionId: null,
    });
    expect(parseHeader('{"version":2,"width":80,"height":24,"awsSessionId":"s-1"}')?.awsSessionId).toBe('s-1');
    expect(parseHeader('{"version":1}')).toBeNull();
    expect(parseHeader('nope')).toBeNull();
  });

  it('matches recordings one to one: exact id first, then the closest start on the same node and profile', () => {
    const t0 = Date.UTC(2024, 4, 1, 9, 0, 0);
    const rec = (id: string, target: string, startedAt: number, title = `Sandbox ${target}`, awsSessionId: string | null = null): RecordingSummary => ({
      id,
      title,
      target,
      startedAt,
      width: 80,
      height: 24,
      bytes: 10,
      awsSessionId,
    });
    const recordings = [rec('a.cast', 'i-1', t0 + 1000), rec('b.cast', 'i-1', t0 + 5000), rec('c.cast', 'i-2', t0, 'Other i-2'), rec('d.cast', 'i-3', t0 + 999_000, 'x', 's-exact')];
    const sessions = [
      { sessionId: 's-first', target: 'i-1', startedAt: t0 },
      { sessionId: 's-second', target: 'i-1', startedAt: t0 + 4500 },
      { sessionId: 's-other-profile', target: 'i-2', startedAt: t0 },
      { sessionId: 's-exact', target: 'i-3', startedAt: t0 },
      { sessionId: 's-late', target: 'i-1', startedAt: t0 + 3_600_000 },
    ];
    const m = assignRecordings(sessions, 'Sandbox', recordings);
    expect(Object.fromEntries(m)).toEqual({ 's-first': 'a.cast', 's-second': 'b.cast', 's-exact': 'd.cast' });
  });

  it('lists and reads files, refusing names outside the folder', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hatch-rec-'));
    writeFileSync(path.join(dir, '2024-x-i-0123456789abcdef0-abcd1234.cast'), '{"version":2,"width":80,"height":24,"timestamp":1700000000,"title":"P i-0123456789abcdef0"}\n[0.1,"o","hi"]\n[0.2,"r","100x30"]\n[0.3,"o","');
    writeFileSync(path.join(dir, 'notes.txt'), 'x');
    const r = new Recordings(dir);
    const list = await r.list();
    expect(list.map((x) => [x.target, x.startedAt])).toEqual([['i-0123456789abcdef0', 1_700_000_000_000]]);
    const rec = await r.read(list[0].id);
    expect(rec.events).toEqual([
      [0.1, 'o', 'hi'],
      [0.2, 'r', '100x30'],
    ]);
    await expect(r.read('../x.cast')).rejects.toThrow('Not a recording name');
    expect(await new Recordings(path.join(dir, 'missing')).list()).toEqual([]);
  });
});
