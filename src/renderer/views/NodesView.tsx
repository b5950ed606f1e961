import { useAppStore } from '../stores/app-store';

/** The node browser. Until a profile's nodes are listed it guides the user to a first step. */
export function NodesView() {
  const profile = useAppStore((s) => s.profiles.find((p) => p.name === s.selectedProfile));
  const profiles = useAppStore((s) => s.profiles);
  const selectProfile = useAppStore((s) => s.selectProfile);
  const sandbox = profiles.find((p) => p.kind === 'builtin-sandbox');
  return (
    <div className="empty-state">
      <h1>Start here</h1>
      {profile ? (
        <p>
          Profile <strong>{profile.name}</strong>
          {profile.region ? ` in ${profile.region}` : ''} is selected. Its managed nodes will be listed here.
        </p>
      ) : (
        <p>Pick a profile on the left to list the managed nodes it can reach.</p>
      )}
      {sandbox && profile?.name !== sandbox.name && (
        <button type="button" className="primary" onClick={() => selectProfile(sandbox.name)}>
          Use the Sandbox profile
        </button>
      )}
      <p className="hint">
        No AWS account? The <strong>Sandbox</strong> profile runs a local Session Manager with a fleet of practice nodes, so
        you can try sessions and port forwarding safely.
      </p>
    </div>
  );
}
