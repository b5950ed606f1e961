// IAM Identity Center sign-in: the OAuth device-authorization flow through SSO OIDC, and
// the token cache the AWS CLI and SDKs read (~/.aws/sso/cache/<sha1>.json), so a sign-in
// in Hatch also signs the CLI in, and the reverse.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  CreateTokenCommand,
  RegisterClientCommand,
  SSOOIDCClient,
  StartDeviceAuthorizationCommand,
  type SSOOIDCClientConfig,
} from '@aws-sdk/client-sso-oidc';
import { getSSOTokenFilepath } from '@smithy/shared-ini-file-loader';
import { HatchError } from '../../shared/contract';
import type { SsoDeviceCode } from '../../shared/domain/profiles';
import { writeFileAtomic } from '../files/atomic-write';
import type { ProfileRecord } from './profiles';

/** The token file format shared with the AWS CLI v2 and the SDKs. */
interface SsoTokenFile {
  startUrl: string;
  region: string;
  accessToken: string;
  expiresAt: string;
  clientId?: string;
  clientSecret?: string;
  registrationExpiresAt?: string;
  refreshToken?: string;
}

interface SsoTarget {
  /** What the cache file is keyed by: the sso-session name, or the start URL (legacy profiles). */
  cacheKey: string;
  startUrl: string;
  region: string;
  scopes: string[];
  /** sso-session profiles can refresh their token; legacy ones cannot. */
  refreshable: boolean;
}

export function ssoTarget(record: ProfileRecord): SsoTarget | undefined {
  const data = record.data;
  if (data.sso_session) {
    const session = record.ssoSession;
    if (!session?.sso_start_url || !session.sso_region) return undefined;
    return {
      cacheKey: data.sso_session,
      startUrl: session.sso_start_url,
      region: session.sso_region,
      scopes: (session.sso_registration_scopes ?? 'sso:account:access').split(/[\s,]+/).filter(Boolean),
      refreshable: true,
    };
  }
  if (!data.sso_start_url || !data.sso_region) return undefined;
  return { cacheKey: data.sso_start_url, startUrl: data.sso_start_url, region: data.sso_region, scopes: [], refreshable: false };
}

type SsoTokenState = 'valid' | 'refreshable' | 'missing' | 'expired';

/** Whether the cached token can get credentials without asking the user. */
export async function ssoTokenState(target: SsoTarget, now: number): Promise<SsoTokenState> {
  const token = await readSsoToken(target);
  if (!token) return 'missing';
  const expiresAt = Date.parse(token.expiresAt);
  // The SDK refuses a token within 5 minutes of expiry unless it can refresh it.
  if (Number.isFinite(expiresAt) && expiresAt - now > 5 * 60_000) return 'valid';
  if (
    target.refreshable &&
    token.refreshToken &&
    token.clientId &&
    token.clientSecret &&
    token.registrationExpiresAt &&
    Date.parse(token.registrationExpiresAt) > now
  ) {
    return 'refreshable';
  }
  return 'expired';
}

async function readSsoToken(target: SsoTarget): Promise<SsoTokenFile | undefined> {
  try {
    const token = JSON.parse(await fs.readFile(getSSOTokenFilepath(target.cacheKey), 'utf8')) as SsoTokenFile;
    return typeof token.accessToken === 'string' && typeof token.expiresAt === 'string' ? token : undefined;
  } catch {
    return undefined;
  }
}

interface DeviceFlowOptions {
  profile: string;
  target: SsoTarget;
  /** Config for the SSO OIDC client (region, endpoint, user agent). */
  clientConfig: SSOOIDCClientConfig;
  show: (code: SsoDeviceCode) => void;
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Run the device-authorization flow and write the token where the CLI expects it. */
export async function ssoDeviceLogin(options: DeviceFlowOptions): Promise<SsoTokenFile> {
  const { target, signal } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const client = new SSOOIDCClient(options.clientConfig);
  try {
    const registration = await client.send(
      new RegisterClientCommand({
        clientName: 'hatch',
        clientType: 'public',
        ...(target.scopes.length > 0 ? { scopes: target.scopes } : {}),
        // The refresh_token grant only exists for sso-session registrations.
        ...(target.refreshable ? { grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'] } : {}),
      }),
      { abortSignal: signal },
    );
    const clientId = registration.clientId!;
    const clientSecret = registration.clientSecret!;
    const authorization = await client.send(
      new StartDeviceAuthorizationCommand({ clientId, clientSecret, startUrl: target.startUrl }),
      { abortSignal: signal },
    );
    const expiresAt = now() + (authorization.expiresIn ?? 600) * 1000;
    options.show({
      profile: options.profile,
      verificationUri: authorization.verificationUri ?? target.startUrl,
      verificationUriComplete: authorization.verificationUriComplete ?? null,
      userCode: authorization.userCode ?? '',
      expiresAt,
    });
    let intervalMs = Math.max(1, authorization.interval ?? 5) * 1000;
    for (;;) {
      if (now() > expiresAt) throw new HatchError('Unavailable', 'The SSO sign-in code expired before it was confirmed.', 'Sign in again.');
      try {
        const token = await client.send(
          new CreateTokenCommand({
            clientId,
            clientSecret,
            grantType: 'urn:ietf:params:oauth:grant-type:device_code',
            deviceCode: authorization.deviceCode,
          }),
          { abortSignal: signal },
        );
        const file: SsoTokenFile = {
          startUrl: target.startUrl,
          region: target.region,
          accessToken: token.accessToken!,
          expiresAt: isoSeconds(now() + (token.expiresIn ?? 3600) * 1000),
          clientId,
          clientSecret,
          registrationExpiresAt: isoSeconds((registration.clientSecretExpiresAt ?? 0) * 1000),
          ...(token.refreshToken ? { refreshToken: token.refreshToken } : {}),
        };
        await writeSsoToken(target, file);
        return file;
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'AuthorizationPendingException') {
          await sleep(intervalMs, signal);
          continue;
        }
        if (name === 'SlowDownException') {
          intervalMs += 5000; // RFC 8628 §3.5
          await sleep(intervalMs, signal);
          continue;
        }
        if (name === 'AccessDeniedException') throw new HatchError('Forbidden', 'The SSO sign-in was denied in the browser.', 'Sign in again.');
        if (name === 'ExpiredTokenException') throw new HatchError('Unavailable', 'The SSO sign-in code expired before it was confirmed.', 'Sign in again.');
        throw error;
      }
    }
  } finally {
    client.destroy();
  }
}

async function writeSsoToken(target: SsoTarget, token: SsoTokenFile): Promise<void> {
  const file = getSSOTokenFilepath(target.cacheKey);
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // A token is a bearer secret: owner-only (whatever an earlier file had), and no copy lying around.
  await writeFileAtomic(file, JSON.stringify(token, null, 2), { mode: 0o600, keepMode: false });
}

// The CLI writes "2024-01-01T00:00:00Z" (no milliseconds); the SDKs accept both.
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
