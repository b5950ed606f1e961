// Placeholder for the profile service: until the AWS config is read, the built-in
// Sandbox profile is the only one, so a new user always has somewhere to start.
import type { ProfileSummary } from '../../shared/contract';

export const SANDBOX_PROFILE = 'Sandbox';

export class ProfileDirectory {
  list(): ProfileSummary[] {
    return [
      {
        name: SANDBOX_PROFILE,
        kind: 'builtin-sandbox',
        region: 'us-east-1',
        endpointUrl: null,
        credentialState: 'ready',
        error: null,
        source: 'builtin',
      },
    ];
  }
}
