// Sessions of the selected profile and region as AWS records them: active and history,
// filtered; details, termination (asked once), CSV/JSON export, and local recordings.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { AWS_SESSION_STATUSES, type AuditFilters, type AuditSession, type SessionHistoryState } from '../../shared/domain/audit';
import { api } from '../api';
import { useAppStore } from '../stores/app-store';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { RecordingPlayer } from '../components/RecordingPlayer';
import { downloadText, errorText, formatTime } from '../components/view-helpers';

interface Listing {
  key: string;
  sessions: AuditSession[];
  truncated: boolean;
  error: string | null;
}

const EMPTY_FILTERS = { owner: '', target: '', status: '', after: '', before: '' };
type FilterForm = typeof EMPTY_FILTERS;

function toFilters(f: FilterForm): AuditFilters {
  return {
    ...(f.owner.trim() ? { owner: f.owner.trim() } : {}),
    ...(f.target.trim() ? { target: f.target.trim() } : {}),
    ...(f.status ? { status: f.status as AuditFilters['status'] } : {}),
    ...(f.after ? { after: f.after } : {}),
    ...(f.before ? { before: f.before } : {}),
  };
}

export function AuditView() {
  const profile = useAppStore((s) => s.selectedProfile);
  const region = useAppStore((s) => s.selectedRegion);
  if (!profile || !region) {
    return (
      <div className="empty-state">
        <h1>Sessions & audit</h1>
        <p className="hint">Choose a profile and region in the sidebar.</p>
      </div>
    );
  }
  return <AuditPanel key={`${profile}/${region}`} profile={profile} region={region} />;
}

function AuditPanel({ profile, region }: { profile: string; region: string }) {
  const [state, setState] = useState<SessionHistoryState>('Active');
  const [form, setForm] = useState<FilterForm>(EMPTY_FILTERS);
  const [applied, setApplied] = useState<AuditFilters>({});
  const [generation, setGeneration] = useState(0);
  const [listing, setListing] = useState<Listing | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<AuditSession | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [playing, setPlaying] = useState<string | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const nodes = useAppStore((s) => s.inventories[`${profile}/${region}`]?.nodes);
  const hatchSessions = useAppStore((s) => s.sessions);

  const key = `${state}|${JSON.stringify(applied)}|${generation}`;
  useEffect(() => {
    let live = true;
    api.call('audit.sessions', { profile, region, state, filters: applied }).then(
      ({ sessions, truncated }) => live && setListing({ key, sessions, truncated, error: null }),
      (error: unknown) => live && setListing({ key, sessions: [], truncated: false, error: errorText(error) }),
    );
    return () => {
      live = false;
    };
  }, [profile, region, state, applied, key]);

  const names = useMemo(() => new Map((nodes ?? []).map((n) => [n.id, n.name])), [nodes]);
  // Recordings of sessions this window started are known exactly (by AWS session id).
  const ownRecordings = useMemo(() => {
    const map = new Map<string, string>();
    for (const s of Object.values(hatchSessions)) if (s.awsSessionId && s.recordingPath) map.set(s.awsSessionId, s.recordingPath.split(/[\\/]/).pop()!);
    return map;
  }, [hatchSessions]);

  const loading = listing?.key !== key;
  const sessions = listing?.sessions ?? [];
  const selected = sessions.find((s) => s.sessionId === selectedId) ?? null;
  const recordingOf = (s: AuditSession) => ownRecordings.get(s.sessionId) ?? s.recordingId;
  const targetLabel = (target: string) => (names.get(target) ? `${names.get(target)} (${target})` : target);

  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  const apply = () => {
    const dateOk = (v: string) => v === '' || !Number.isNaN(Date.parse(v));
    if (!dateOk(form.after) || !dateOk(form.before)) {
      setActionError('Dates must look like 2024-05-01.');
      return;
    }
    setActionError(null);
    setApplied(toFilters(form));
  };
  const terminate = async (s: AuditSession) => {
    setBusy(true);
    setActionError(null);
    try {
      await api.call('audit.terminate', { profile, region, sessionId: s.sessionId });
      setConfirming(null);
      refresh();
    } catch (error) {
      setActionError(errorText(error));
      setConfirming(null);
    } finally {
      setBusy(false);
    }
  };
  const exportAs = async (format: 'csv' | 'json') => {
    setActionError(null);
    try {
      const out = await api.call('audit.export', { profile, region, state, filters: applied, format });
      downloadText(out.filename, out.mimeType, out.text);
      setExported(`Exported ${out.count} session${out.count === 1 ? '' : 's'} to ${out.filename}.`);
    } catch (error) {
      setActionError(errorText(error));
    }
  };

  return (
    <div className="docs-view audit-view">
      <div className="docs-toolbar">
        <h1 className="docs-title">Sessions & audit</h1>
        <span className="dim">
          {profile} · {region}
        </span>
        <div className="segmented" role="radiogroup" aria-label="Which sessions">
          {(['Active', 'History'] as const).map((s) => (
            <button
              key={s}
              type="button"
              role="radio"
              aria-checked={state === s}
              onClick={() => {
                setState(s);
                setSelectedId(null);
              }}
            >
              {s === 'Active' ? 'Active' : 'History'}
            </button>
          ))}
        </div>
        <span className="titlebar-spacer" />
        <button type="button" onClick={refresh}>
          Refresh
        </button>
        <button type="button" onClick={() => void exportAs('csv')}>
          Export CSV
        </button>
        <button type="button" onClick={() => void exportAs('json')}>
          Export JSON
        </button>
      </div>
      <form
        className="audit-filters"
        aria-label="Filter sessions"
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <label>
          Owner
          <input value={form.owner} placeholder="IAM ARN" onChange={(e) => setForm({ ...form, owner: e.target.value })} />
        </label>
        <label>
          Target
          <input value={form.target} placeholder="i-…" onChange={(e) => setForm({ ...form, target: e.target.value })} />
        </label>
        <label>
          Status
          <select value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })}>
            <option value="">Any</option>
            {AWS_SESSION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" value={form.after} onChange={(e) => setForm({ ...form, after: e.target.value })} />
        </label>
        <label>
          To
          <input type="date" value={form.before} onChange={(e) => setForm({ ...form, before: e.target.value })} />
        </label>
        <button type="submit">Apply filters</button>
        <button
          type="button"
          onClick={() => {
            setForm(EMPTY_FILTERS);
            setApplied({});
          }}
        >
          Clear
        </button>
      </form>
      {(actionError || listing?.error) && (
        <div className="inline-error" role="alert">
          {actionError ?? listing?.error}
        </div>
      )}
      {exported && (
        <div className="ok-text docs-pad-x" role="status">
          {exported}
        </div>
      )}
      <div className="audit-body">
        <div className="audit-table-wrap">
          <table className="data-table audit-table" aria-label={`${state === 'Active' ? 'Active' : 'Past'} sessions`} aria-busy={loading}>
            <thead>
              <tr>
                <th scope="col">Session ID</th>
                <th scope="col">Target</th>
                <th scope="col">Owner</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col">Ended</th>
                <th scope="col">Document</th>
                <th scope="col">Recording</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s, index) => (
                <tr
                  key={s.sessionId}
                  className={s.sessionId === selectedId ? 'selected' : undefined}
                  aria-selected={s.sessionId === selectedId}
                  // One Tab stop for the table (roving): the selected row, or the first.
                  tabIndex={s.sessionId === selectedId || (!sessions.some((x) => x.sessionId === selectedId) && index === 0) ? 0 : -1}
                  onClick={() => setSelectedId(s.sessionId)}
                  onKeyDown={(e) => {
                    const step = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0;
                    if (step) {
                      e.preventDefault();
                      const next = sessions[Math.min(sessions.length - 1, Math.max(0, index + step))];
                      setSelectedId(next.sessionId);
                      (e.currentTarget.parentElement?.children[sessions.indexOf(next)] as HTMLElement | undefined)?.focus();
                    } else if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      setSelectedId(s.sessionId);
                    }
                  }}
                >
                  <td className="mono" title={s.sessionId}>{s.sessionId}</td>
                  <td>{targetLabel(s.target)}</td>
                  <td className="ellipsis" title={s.owner}>
                    {s.owner.split('/').pop()}
                  </td>
                  <td>
                    <span className={`status-${s.status.toLowerCase()}`}>{s.status}</span>
                  </td>
                  <td>{formatTime(s.startedAt)}</td>
                  <td>{formatTime(s.endedAt)}</td>
                  <td>{s.documentName ?? '—'}</td>
                  <td>{recordingOf(s) ? 'Recorded' : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="dim docs-pad-x" role="status">
            {loading ? 'Loading sessions…' : `${sessions.length} ${state === 'Active' ? 'active' : 'past'} session${sessions.length === 1 ? '' : 's'}${listing?.truncated ? ' (first 1000 shown: narrow the filters)' : ''}.`}
          </p>
        </div>
        {selected && (
          <aside className="audit-details" aria-label="Session details">
            <h2 className="mono">{selected.sessionId}</h2>
            <dl>
              <dt>Target</dt>
              <dd>{targetLabel(selected.target)}</dd>
              <dt>Owner</dt>
              <dd className="mono">{selected.owner}</dd>
              <dt>Status</dt>
              <dd>{selected.status}</dd>
              <dt>Document</dt>
              <dd>{selected.documentName ?? '—'}</dd>
              <dt>Reason</dt>
              <dd>{selected.reason ?? '—'}</dd>
              <dt>Started</dt>
              <dd>{formatTime(selected.startedAt)}</dd>
              <dt>Ended</dt>
              <dd>{formatTime(selected.endedAt)}</dd>
              {selected.details && (
                <>
                  <dt>Details</dt>
                  <dd>{selected.details}</dd>
                </>
              )}
              {selected.maxSessionDuration && (
                <>
                  <dt>Max duration</dt>
                  <dd>{selected.maxSessionDuration} min</dd>
                </>
              )}
              <dt>S3 output</dt>
              <dd className="mono">{selected.s3OutputUrl ?? (selected.endedAt ? 'not logged' : '—')}</dd>
              <dt>CloudWatch output</dt>
              <dd className="mono">{selected.cloudWatchOutputUrl ?? (selected.endedAt ? 'not logged' : '—')}</dd>
            </dl>
            <div className="banner-actions">
              {recordingOf(selected) && (
                <button type="button" onClick={() => setPlaying(recordingOf(selected))}>
                  Play recording
                </button>
              )}
              {state === 'Active' && (
                <button type="button" className="danger-outline" onClick={() => setConfirming(selected)}>
                  Terminate…
                </button>
              )}
            </div>
          </aside>
        )}
      </div>
      {confirming && (
        <ConfirmDialog title="Terminate this session?" confirmLabel="Terminate session" busy={busy} onCancel={() => setConfirming(null)} onConfirm={() => void terminate(confirming)}>
          <p>
            Terminate <span className="mono">{confirming.sessionId}</span> on {targetLabel(confirming.target)}? Whoever is connected ({confirming.owner.split('/').pop()}) is
            disconnected at once, and anything running in that shell stops.
          </p>
        </ConfirmDialog>
      )}
      {playing && <RecordingPlayer id={playing} onClose={() => setPlaying(null)} />}
    </div>
  );
}
