// Session history of an account (DescribeSessions), local recordings, and the exports.
import { z } from 'zod';

export const SessionHistoryState = z.enum(['Active', 'History']);
export type SessionHistoryState = z.infer<typeof SessionHistoryState>;

export const AWS_SESSION_STATUSES = ['Connected', 'Connecting', 'Disconnected', 'Terminated', 'Terminating', 'Failed'] as const;

const DATE_RULE = 'A date such as 2024-05-01 or 2024-05-01T09:30:00Z.';
const isoDate = z
  .string()
  .max(40)
  .refine((v) => !Number.isNaN(Date.parse(v)), DATE_RULE);

export const AuditFilters = z
  .object({
    owner: z.string().min(1).max(2048).optional(),
    target: z.string().min(1).max(400).optional(),
    status: z.enum(AWS_SESSION_STATUSES).optional(),
    /** Sessions started at or after this date. */
    after: isoDate.optional(),
    /** Sessions started at or before this date. */
    before: isoDate.optional(),
  })
  .strict();
export type AuditFilters = z.infer<typeof AuditFilters>;

export const AuditSession = z.object({
  sessionId: z.string(),
  target: z.string(),
  status: z.string(),
  owner: z.string(),
  documentName: z.string().nullable(),
  reason: z.string().nullable(),
  /** epoch ms */
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  details: z.string().nullable(),
  s3OutputUrl: z.string().nullable(),
  cloudWatchOutputUrl: z.string().nullable(),
  maxSessionDuration: z.string().nullable(),
  /** A local recording of this session (recordings.read id), when Hatch recorded it. */
  recordingId: z.string().nullable(),
});
export type AuditSession = z.infer<typeof AuditSession>;

export const RecordingId = z.string().regex(/^[A-Za-z0-9._-]{1,200}\.cast$/, 'a recording file name ending in .cast');

export const RecordingSummary = z.object({
  id: z.string(),
  title: z.string(),
  target: z.string().nullable(),
  /** epoch ms, from the asciicast header */
  startedAt: z.number().nullable(),
  width: z.number().int(),
  height: z.number().int(),
  bytes: z.number().int(),
  /** When the recording names it (header field `awsSessionId`). */
  awsSessionId: z.string().nullable(),
});
export type RecordingSummary = z.infer<typeof RecordingSummary>;

/** One asciicast v2 event: seconds since start, kind ('o' output, 'r' resize, 'i' input), data. */
export const RecordingEvent = z.tuple([z.number(), z.string(), z.string()]);
export type RecordingEvent = z.infer<typeof RecordingEvent>;

export const Recording = z.object({
  id: z.string(),
  title: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  duration: z.number(),
  events: z.array(RecordingEvent),
  /** The file was larger than Hatch replays; only its beginning is here. */
  truncated: z.boolean(),
});
export type Recording = z.infer<typeof Recording>;

export const ExportFormat = z.enum(['csv', 'json']);
export type ExportFormat = z.infer<typeof ExportFormat>;

const CSV_COLUMNS: Array<[keyof AuditSession, string]> = [
  ['sessionId', 'Session ID'],
  ['target', 'Target'],
  ['status', 'Status'],
  ['owner', 'Owner'],
  ['documentName', 'Document'],
  ['reason', 'Reason'],
  ['startedAt', 'Start'],
  ['endedAt', 'End'],
  ['details', 'Details'],
  ['s3OutputUrl', 'S3 output'],
  ['cloudWatchOutputUrl', 'CloudWatch output'],
  ['maxSessionDuration', 'Max duration (min)'],
];

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  // Quote when needed; neutralise a leading formula character for spreadsheet safety.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180 CSV, one row per session, dates as ISO 8601 UTC. */
export function sessionsToCsv(sessions: AuditSession[]): string {
  const rows = [CSV_COLUMNS.map(([, label]) => label).join(',')];
  for (const s of sessions) {
    rows.push(
      CSV_COLUMNS.map(([key]) => {
        const v = s[key];
        return csvCell((key === 'startedAt' || key === 'endedAt') && typeof v === 'number' ? new Date(v).toISOString() : v);
      }).join(','),
    );
  }
  return rows.join('\r\n') + '\r\n';
}

export function sessionsToJson(sessions: AuditSession[]): string {
  return (
    JSON.stringify(
      sessions.map((s) => ({ ...s, startedAt: s.startedAt === null ? null : new Date(s.startedAt).toISOString(), endedAt: s.endedAt === null ? null : new Date(s.endedAt).toISOString() })),
      null,
      2,
    ) + '\n'
  );
}
