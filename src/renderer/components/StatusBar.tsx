import { useAppStore } from '../stores/app-store';

export function StatusBar() {
  const info = useAppStore((s) => s.systemInfo);
  const error = useAppStore((s) => s.connectionError);
  const profile = useAppStore((s) => s.profiles.find((p) => p.name === s.selectedProfile));
  return (
    <footer className="statusbar" aria-label="Status">
      <span>{profile ? [profile.name, profile.region].filter(Boolean).join(' · ') : 'No profile selected'}</span>
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
