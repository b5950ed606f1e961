// Sessions of an account as AWS records them (DescribeSessions, Active or History, every
// page), with filters, termination, CSV/JSON export, and the local recording of each
// session Hatch recorded.
import { paginateDescribeSessions, TerminateSessionCommand, type Session, type SessionFilter, type SSMClient } from '@aws-sdk/client-ssm';
import { HatchError } from '../../shared/contract';
import { sessionsToCsv, sessionsToJson, type AuditFilters, type AuditSession, type ExportFormat, type SessionHistoryState } from '../../shared/domain/audit';
import { describeAwsError } from '../sessions/aws-errors';
import { isAccessDenied, missingPermission, toMs } from '../documents/aws-access';
import { assignRecordings, type Recordings } from './recordings';

export interface AuditQuery {
  profile: string;
  region: string;
  state: SessionHistoryState;
  filters: AuditFilters;
  limit?: number;
}

/** AWS's date format for DescribeSessions filters (no milliseconds). */
function awsDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** DescribeSessions filters for the view's filters; a bare "before" date includes that whole day. */
export function sessionFilters(f: AuditFilters): SessionFilter[] {
  const out: SessionFilter[] = [];
  if (f.owner) out.push({ key: 'Owner', value: f.owner });
  if (f.target) out.push({ key: 'Target', value: f.target });
  if (f.status) out.push({ key: 'Status', value: f.status });
  if (f.after) out.push({ key: 'InvokedAfter', value: awsDate(Date.parse(f.after)) });
  if (f.before) {
    const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(f.before);
    out.push({ key: 'InvokedBefore', value: awsDate(Date.parse(f.before) + (dayOnly ? 86_399_000 : 0)) });
  }
  return out;
}

function toAuditSession(s: Session): AuditSession {
  return {
    sessionId: s.SessionId ?? '',
    target: s.Target ?? '',
    status: s.Status ?? 'Unknown',
    owner: s.Owner ?? '',
    documentName: s.DocumentName ?? null,
    reason: s.Reason ?? null,
    startedAt: toMs(s.StartDate),
    endedAt: toMs(s.EndDate),
    details: s.Details ?? null,
    s3OutputUrl: s.OutputUrl?.S3OutputUrl ?? null,
    cloudWatchOutputUrl: s.OutputUrl?.CloudWatchOutputUrl ?? null,
    maxSessionDuration: s.MaxSessionDuration ?? null,
    recordingId: null,
  };
}

export class AuditService {
  constructor(
    private readonly ssm: (profile: string, region: string) => Promise<SSMClient>,
    private readonly recordings: Recordings,
  ) {}

  async sessions(query: AuditQuery): Promise<{ sessions: AuditSession[]; truncated: boolean }> {
    const { profile, region, state } = query;
    const limit = query.limit ?? 1000;
    const sessions: AuditSession[] = [];
    let truncated = false;
    try {
      const ssm = await this.ssm(profile, region);
      const filters = sessionFilters(query.filters);
      pages: for await (const page of paginateDescribeSessions({ client: ssm, pageSize: 200 }, { State: state, ...(filters.length ? { Filters: filters } : {}) })) {
        for (const s of page.Sessions ?? []) {
          if (sessions.length >= limit) {
            truncated = true;
            break pages;
          }
          sessions.push(toAuditSession(s));
        }
      }
    } catch (error) {
      if (isAccessDenied(error)) {
        const denied = missingPermission(error, 'ssm:DescribeSessions');
        throw new HatchError('AwsError', `Can't list sessions: ${denied.action} is not allowed for this profile.`, `Ask for ${denied.action}.`, 'AccessDeniedException');
      }
      throw describeAwsError(error, { profile, region });
    }
    const assigned = assignRecordings(sessions, profile, await this.recordings.list().catch(() => []));
    return { sessions: sessions.map((s) => ({ ...s, recordingId: assigned.get(s.sessionId) ?? null })), truncated };
  }

  async terminate(profile: string, region: string, sessionId: string): Promise<void> {
    try {
      const ssm = await this.ssm(profile, region);
      await ssm.send(new TerminateSessionCommand({ SessionId: sessionId }));
    } catch (error) {
      if (isAccessDenied(error)) {
        const denied = missingPermission(error, 'ssm:TerminateSession');
        throw new HatchError('AwsError', `Can't terminate ${sessionId}: ${denied.action} is not allowed for this profile.`, `Ask for ${denied.action}.`, 'AccessDeniedException');
      }
      throw describeAwsError(error, { profile, region });
    }
  }

  async export(query: AuditQuery & { format: ExportFormat }): Promise<{ filename: string; mimeType: string; text: string; count: number }> {
    const { sessions } = await this.sessions({ ...query, limit: query.limit ?? 5000 });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const base = `sessions-${query.profile}-${query.region}-${query.state.toLowerCase()}-${stamp}`.replace(/[^A-Za-z0-9._-]/g, '_');
    return query.format === 'csv'
      ? { filename: `${base}.csv`, mimeType: 'text/csv', text: sessionsToCsv(sessions), count: sessions.length }
      : { filename: `${base}.json`, mimeType: 'application/json', text: sessionsToJson(sessions), count: sessions.length };
  }
}
