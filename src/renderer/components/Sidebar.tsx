import type { ProfileSummary } from '../../shared/contract';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../stores/app-store';
import { formatRate, localAddress } from '../views/TunnelsView';

const STATE_DOT: Record<ProfileSummary['credentialState'], { glyph: string; label: string; className: string }> = {
  ready: { glyph: '●', label: 'ready', className: 'dot-ok' },
  'needs-mfa': { glyph: '◌', label: 'needs an MFA code', className: 'dot-wait' },
  'needs-sso': { glyph: '◌', label: 'needs SSO sign-in', className: 'dot-wait' },
  error: { glyph: '⚠', label: 'error', className: 'dot-error' },
  unknown: { glyph: '○', label: 'not checked yet', className: 'dot-idle' },
};

export function Sidebar() {
  const profiles = useAppStore((s) => s.profiles);
  const selected = useAppStore((s) => s.selectedProfile);
  const selectProfile = useAppStore((s) => s.selectProfile);
  const tunnels = useAppStore(useShallow((s) => Object.values(s.tunnels).filter((t) => t.state !== 'stopped')));
  const stats = useAppStore((s) => s.tunnelStats);
  const openTunnels = useAppStore((s) => s.openTunnelsTab);
  return (
    <nav className="sidebar" aria-label="Profiles and tunnels">
      <h2 className="sidebar-heading">Profiles</h2>
      <ul className="profile-list" role="listbox" aria-label="Profiles">
        {profiles.map((profile) => {
          const dot = STATE_DOT[profile.credentialState];
          return (
            <li
              key={profile.name}
              role="option"
              aria-selected={profile.name === selected}
              tabIndex={0}
              className={profile.name === selected ? 'profile selected' : 'profile'}
              title={profile.error ?? `${profile.name}: ${dot.label}`}
              onClick={() => selectProfile(profile.name)}
              onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && selectProfile(profile.name)}
            >
              <span className={`dot ${dot.className}`} aria-label={dot.label}>
                {dot.glyph}
              </span>
              <span className="profile-name">{profile.name}</span>
              {profile.region && <span className="profile-region">{profile.region}</span>}
            </li>
          );
        })}
      </ul>
      <h2 className="sidebar-heading">Tunnels</h2>
      {tunnels.length === 0 ? (
        <p className="sidebar-empty">No tunnels running.</p>
      ) : (
        <ul className="tunnel-list">
          {tunnels.map((t) => {
            const s = stats[t.id]?.latest;
            return (
              <li key={t.id}>
                <button type="button" className="tunnel-link" onClick={openTunnels} title={t.message ?? `${t.label} on ${localAddress(t)}`}>
                  <span className={`dot tunnel-${t.state}`}>⇄</span> {t.label} <span className="dim">:{t.localPort}</span>
                  <div className="dim small">{s ? formatRate(s.rateUp + s.rateDown) : t.state}</div>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </nav>
  );
}
