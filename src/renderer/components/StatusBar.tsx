// What the current tab is connected through: profile, region, engine, state, latency.
import { useEffect, useState } from 'react';
import { api } from '../api';
import { useAppStore } from '../stores/app-store';

function useSessionStats(sessionId: string | null) {
  const [stats, setStats] = useState<{ latencyMs: number | null; lastActivityAt: number } | null>(null);
  useEffect(() => {
    if (!sessionId) return;
    let alive = true;
    const poll = () =>
      void api.call('sessions.stats', { sessionId }).then(
        (s) => alive && setStats(s),
        () => alive && setStats(null),
      );
    poll();
    const timer = setInterval(poll, 2000);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [sessionId]);
  return sessionId ? stats : null;
}

/** The idle timeout and maximum duration in force where a session runs (its preferences). */
function useSessionLimits(profile: string | null, region: string | null) {
  const [limits, setLimits] = useState<{ idle: number; max: number | null } | null>(null);
  useEffect(() => {
    if (!profile || !region) return;
    let alive = true;
    void api.call('preferences.get', { profile, region }).then(
      (state) => alive && setLimits({ idle: state.preferences.idleSessionTimeout, max: state.preferences.maxSessionDuration }),
      () => alive && setLimits(null),
    );
    return () => {
      alive = false;
    };
  }, [profile, region]);
  return profile && region ? limits : null;
}

function useNow(enabled: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!enabled) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [enabled]);
  return now;
}

const mmss = (ms: number) => {
  const total = Math.max(0, Math.floor(ms / 1000)); // a countdown never shows more than the limit
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
};

export function StatusBar() {
  const info = useAppStore((s) => s.systemInfo);
  const error = useAppStore((s) => s.connectionError);
  const profile = useAppStore((s) => s.profiles.find((p) => p.name === s.selectedProfile));
  const region = useAppStore((s) => s.selectedRegion);
  const session = useAppStore((s) => {
    const tab = s.tabs.find((t) => t.id === s.activeTabId);
    return tab?.kind === 'terminal' ? s.sessions[tab.panes[0]] : undefined;
  });
  const running = session && session.state !== 'ended' ? session : null;
  const stats = useSessionStats(running?.id ?? null);
  const limits = useSessionLimits(running?.profile ?? null, running?.region ?? null);
  const now = useNow(running !== null);
  const parts = session
    ? [
        session.profile,
        session.region,
        `${session.engine} engine`,
        session.state,
        stats?.latencyMs != null ? `${Math.round(stats.latencyMs)} ms` : null,
        running && stats && limits ? `idle timeout ${mmss(Math.min(limits.idle * 60_000, stats.lastActivityAt + limits.idle * 60_000 - now))}` : null,
        running && limits?.max ? `max duration ${mmss(running.startedAt + limits.max * 60_000 - now)}` : null,
      ]
    : [profile?.name ?? 'No profile selected', region];
  return (
    <footer className="statusbar" aria-label="Status">
      <span data-testid="status-context">{parts.filter(Boolean).join(' · ')}</span>
      <span className="statusbar-spacer" />
      {error ? (
        <span className="status-error" role="alert">
          {error}
        </span>
      ) : (
        <span data-testid="app-version">{info ? `Hatch ${info.appVersion} · ${info.host === 'web' ? 'browser host' : 'desktop'}` : 'Connecting…'}</span>
      )}
    </footer>
  );
}
