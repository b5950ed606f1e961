// A listing that failed, said once, in words, with the next step as a button.
import type { ProfileSummary } from '../../shared/contract';
import type { InventoryState } from '../stores/app-store';
import { api } from '../api';

/** `alsoIn`: other regions that failed the same way (said here rather than in alerts of their own). */
export function InventoryError({
  profile,
  region,
  alsoIn = [],
  inventory,
  stale,
  onRetry,
}: {
  profile: ProfileSummary;
  region: string;
  alsoIn?: string[];
  inventory: InventoryState;
  stale: boolean;
  onRetry(): void;
}) {
  const kind = inventory.errorInfo?.detail ?? null;
  const action = inventory.errorInfo?.action ?? null;
  const signIn = kind === 'credentials-expired' && (profile.kind === 'sso' || profile.kind === 'mfa');
  return (
    <div className="inline-error actionable" role="alert">
      <div>
        <strong>{inventory.error}</strong>
        {alsoIn.length > 0 && <div>The same in {alsoIn.join(', ')}.</div>}
        {action && <div>{action}</div>}
        {stale && <div className="dim small">The list below is from {inventory.updatedAt ? new Date(inventory.updatedAt).toLocaleTimeString() : 'earlier'}.</div>}
        {region && <span className="sr-only"> ({region})</span>}
      </div>
      <div className="inline-error-actions">
        {signIn && (
          <button type="button" onClick={() => void api.call('credentials.signIn', { profile: profile.name }).then(onRetry, () => undefined)}>
            {profile.kind === 'sso' ? 'Sign in' : 'Enter MFA code'}
          </button>
        )}
        <button type="button" onClick={onRetry}>
          Try again
        </button>
        {profile.source === 'config' && (kind === 'endpoint-unreachable' || kind === 'credentials-invalid') && (
          <button type="button" onClick={() => window.dispatchEvent(new CustomEvent('hatch:edit-profile', { detail: profile.name }))}>
            Edit profile
          </button>
        )}
      </div>
    </div>
  );
}
