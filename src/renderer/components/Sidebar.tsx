import type { ProfileSummary } from '../../shared/contract';
import { useShallow } from 'zustand/react/shallow';
import { useEffect, useState } from 'react';
import { useAppStore } from '../stores/app-store';
import { ContextMenu } from '../ui/Menu';
import { openSshConfig } from '../access-commands';
import { ProfileDialog } from './ProfileDialog';
import { formatRate } from '../../shared/format';
import { localAddress, tunnelLabel, tunnelRoute } from '../names';

const STATE_DOT: Record<ProfileSummary['credentialState'], { glyph: string; label: string; className: string }> = {
  ready: { glyph: '●', label: 'ready', className: 'dot-ok' },
  'needs-mfa': { glyph: '◌', label: 'needs an MFA code', className: 'dot-wait' },
  'needs-sso': { glyph: '◌', label: 'needs SSO sign-in', className: 'dot-wait' },
  error: { glyph: '⚠', label: 'error', className: 'dot-error' },
  unknown: { glyph: '○', label: 'not checked yet', className: 'dot-idle' },
};

/** Regions commonly used for Session Manager; a profile's own regions come first. */
const COMMON_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'eu-south-1',
  'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-east-1', 'me-south-1', 'af-south-1',
];

function regionChoices(profile: ProfileSummary, current: string | null): string[] {
  const own = [...(profile.regions ?? []), ...(profile.region ? [profile.region] : []), ...(current ? [current] : [])];
  // The sandbox serves only its own regions.
  return [...new Set(profile.kind === 'builtin-sandbox' ? own : [...own, ...COMMON_REGIONS])];
}

export function Sidebar() {
  const profiles = useAppStore((s) => s.profiles);
  const selected = useAppStore((s) => s.selectedProfile);
  const selectProfile = useAppStore((s) => s.selectProfile);
  // '' = adding a profile, a name = editing it, null = no dialog.
  const [editing, setEditing] = useState<string | null>(null);
  // "Edit profile" from an error message elsewhere (a listing that failed).
  useEffect(() => {
    const onEdit = (event: Event) => setEditing((event as CustomEvent<string>).detail);
    window.addEventListener('hatch:edit-profile', onEdit);
    return () => window.removeEventListener('hatch:edit-profile', onEdit);
  }, []);
  // Strings, so the shallow comparison sees when nothing changed.
  const nameText = useAppStore(useShallow((s) => Object.fromEntries(Object.values(s.tunnels).map((t) => [t.id, `${tunnelLabel(s, t)}\n${tunnelRoute(s, t)}`]))));
  const names = Object.fromEntries(Object.entries(nameText).map(([id, text]) => [id, { label: text.split('\n')[0], route: text.split('\n')[1] }]));
  const region = useAppStore((s) => s.selectedRegion);
  const selectRegion = useAppStore((s) => s.selectRegion);
  const tunnels = useAppStore(useShallow((s) => Object.values(s.tunnels).filter((t) => t.state !== 'stopped')));
  const stats = useAppStore((s) => s.tunnelStats);
  const openTunnels = useAppStore((s) => s.openTunnelsTab);
  return (
    <nav className="sidebar" aria-label="Profiles and tunnels">
      <div className="sidebar-heading-row">
        <h2 className="sidebar-heading">Profiles</h2>
        <button type="button" className="icon-button" aria-label="Add a profile" title="Add a profile" onClick={() => setEditing('')}>
          +
        </button>
      </div>
      <ul className="profile-list" role="listbox" aria-label="Profiles">
        {profiles.map((profile) => {
          const dot = STATE_DOT[profile.credentialState];
          return (
            <ContextMenu
              key={profile.name}
              label={`Profile ${profile.name}`}
              items={() => [
                {
                  id: 'ssh-config',
                  label: 'SSH config…',
                  onSelect: () => {
                    selectProfile(profile.name);
                    const s = useAppStore.getState();
                    openSshConfig(profile.name, s.selectedRegion ?? profile.region ?? 'us-east-1', null);
                  },
                },
                ...(profile.source === 'config' ? [{ id: 'edit', label: 'Edit profile…', onSelect: () => setEditing(profile.name) }] : []),
              ]}
            >
              <li
                role="option"
                aria-selected={profile.name === selected}
                tabIndex={0}
                className={profile.name === selected ? 'profile selected' : 'profile'}
                title={profile.error ?? `${profile.name}: ${dot.label}`}
                aria-description={profile.regionErrors ? `error in ${Object.keys(profile.regionErrors).join(', ')}` : undefined}
                onClick={() => selectProfile(profile.name)}
                onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && selectProfile(profile.name)}
              >
                <span className={`dot ${dot.className}`} aria-label={dot.label}>
                  {dot.glyph}
                </span>
                <span className="profile-name">{profile.name}</span>
                {profile.name !== selected && profile.region && <span className="profile-region">{profile.region}</span>}
                {profile.name === selected && region && profile.regionErrors?.[region] === undefined && profile.regionErrors && (
                  <span className="profile-region dot-error" title={profile.error ?? undefined}>
                    ⚠ {Object.keys(profile.regionErrors).join(', ')}
                  </span>
                )}
                {profile.name === selected && profile.source === 'config' && (
                  <button
                    type="button"
                    className="icon-button profile-edit"
                    aria-label={`Edit profile ${profile.name}`}
                    title="Edit profile"
                    onClick={(e) => {
                      e.stopPropagation();
                      setEditing(profile.name);
                    }}
                  >
                    ✎
                  </button>
                )}
                {profile.name === selected && (
                  <select
                    className="region-picker"
                    aria-label={`Region for ${profile.name}`}
                    value={region ?? ''}
                    onClick={(e) => e.stopPropagation()}
                    onChange={(e) => selectRegion(e.target.value)}
                  >
                    {regionChoices(profile, region).map((r) => (
                      <option key={r} value={r} title={profile.regionErrors?.[r]}>
                        {profile.regionErrors?.[r] ? `⚠ ${r}` : r}
                      </option>
                    ))}
                  </select>
                )}
              </li>
            </ContextMenu>
          );
        })}
      </ul>
      {editing !== null && <ProfileDialog editing={editing || null} onClose={() => setEditing(null)} />}
      <h2 className="sidebar-heading">Tunnels</h2>
      {tunnels.length === 0 ? (
        <p className="sidebar-empty">No tunnels running.</p>
      ) : (
        <ul className="tunnel-list">
          {tunnels.map((t) => {
            const s = stats[t.id]?.latest;
            return (
              <li key={t.id}>
                <button type="button" className="tunnel-link" onClick={openTunnels} title={`${names[t.id]?.route} on ${localAddress(t)}${t.message ? `\n${t.message}` : ''}`}>
                  <span className="tunnel-link-title">
                    <span className={`dot tunnel-${t.state}`}>⇄</span> {names[t.id]?.label ?? t.label} <span className="dim">:{t.localPort}</span>
                  </span>
                  <div className="dim small tunnel-link-title">
                    {t.state === 'open' ? (s ? formatRate(s.rateUp + s.rateDown) : 'open') : t.state} · {names[t.id]?.route}
                  </div>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </nav>
  );
}
