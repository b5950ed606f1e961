import type { ProfileSummary } from '../../shared/contract';
import { useAppStore } from '../stores/app-store';

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
      <p className="sidebar-empty">No tunnels running.</p>
    </nav>
  );
}
