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

export function StatusBar() {
  const info = useAppStore((s) => s.systemInfo);
  const error = useAppStore((s) => s.connectionError);
  const profile = useAppStore((s) => s.profiles.find((p) => p.name === s.selectedProfile));
  const region = useAppStore((s) => s.selectedRegion);
  const session = useAppStore((s) => {
    const tab = s.tabs.find((t) => t.id === s.activeTabId);
    return tab?.kind === 'terminal' ? s.sessions[tab.panes[0]] : undefined;
  });
  const stats = useSessionStats(session && session.state !== 'ended' ? session.id : null);
  const parts = session
    ? [session.profile, session.region, `${session.engine} engine`, session.state, stats?.latencyMs != null ? `${Math.round(stats.latencyMs)} ms` : null]
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
