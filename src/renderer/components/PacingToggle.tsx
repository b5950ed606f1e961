// The profile's "AWS-compatible pacing" switch for the built-in engine: off (the default)
// sizes uploads to the measured round trip; on sends like AWS's plugin, 1 KiB every 1 ms.
import { updateSettings, useSettings } from '../settings';

export function PacingToggle({ profile }: { profile: string }) {
  const aws = useSettings((s) => (s.settings.profilePacing?.[profile] ?? 'adaptive') === 'aws');
  return (
    <label className="pacing-toggle nowrap" title="Send uploads like AWS's session-manager-plugin (1 KiB every 1 ms) instead of sizing them to the measured round trip. For services or agents that need exactly that; much slower on long distances.">
      <input type="checkbox" checked={aws} onChange={(e) => void updateSettings({ profilePacing: { [profile]: e.target.checked ? 'aws' : null } })} /> AWS-compatible pacing
    </label>
  );
}
