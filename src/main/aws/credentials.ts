// CredentialService: credentials for every profile kind, resolved through
// @aws-sdk/credential-providers, cached in main's memory only, and refreshed ahead of
// expiry so a session or tunnel that runs for hours never signs a call with a dead token.
// MFA codes and SSO device codes go through the injected `prompts` (the UI), never a
// terminal. Nothing here is ever sent to the renderer except states and prompt events.
import { fromIni } from '@aws-sdk/credential-providers';
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
  type Credentials as StsCredentials,
} from '@aws-sdk/client-sts';
import { HatchError } from '../../shared/contract';
import type { SsoDeviceCode } from '../../shared/domain/profiles';
import { appVersion } from '../../shared/version';
import type { CredentialStateInfo, CredentialStateSource, ProfileRecord, ProfileService, ServiceId } from './profiles';
import { ssoDeviceLogin, ssoTarget, ssoTokenState } from './sso';
import { Emitter } from '../../shared/emitter';

/** Structurally the SDK's AwsCredentialIdentity. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export type CredentialsProvider = () => Promise<AwsCredentials>;

/** How main asks the user for things; implemented over events + a call back from the UI. */
export interface CredentialPrompts {
  /** Resolve with the 6-digit code, or reject when the user cancels. */
  askMfaCode(profile: string, serial: string): Promise<string>;
  /** Show the verification URL and code; Hatch polls until the user confirms. */
  showSsoDeviceCode(info: SsoDeviceCode): void;
  /** The device flow finished (the UI can close its dialog). */
  ssoDeviceCodeDone?(profile: string, outcome: 'signed-in' | 'failed'): void;
}

/** What an SDK v3 client needs for one profile and region. */
export interface ClientConfig {
  region: string;
  endpoint?: string;
  credentials: CredentialsProvider;
}

export interface CredentialServiceOptions {
  /** Refresh this long before expiry (capped at half the credentials' lifetime). Default 5 min. */
  refreshAheadMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Extra SDK client settings for the STS / SSO OIDC calls (tests inject a request handler). */
  clientOverrides?: Record<string, unknown>;
}

interface Entry {
  fingerprint: string;
  creds?: AwsCredentials;
  obtainedAt?: number;
  inflight?: Promise<AwsCredentials>;
  timer?: NodeJS.Timeout;
  error?: string;
}

// Kinds that need the user to refresh: never refreshed by a timer, only on use.
const INTERACTIVE = new Set(['mfa']);

export class CredentialService implements CredentialStateSource {
  private readonly entries = new Map<string, Entry>();
  private readonly invalidateListeners = new Emitter<[profile: string]>();
  private readonly refreshAheadMs: number;
  private readonly now: () => number;
  private readonly overrides: Record<string, unknown>;
  private readonly unsubscribe: () => void;
  private readonly ssoLogins = new Map<string, Promise<void>>();

  constructor(
    private readonly profiles: ProfileService,
    private readonly prompts: CredentialPrompts,
    options: CredentialServiceOptions = {},
  ) {
    this.refreshAheadMs = options.refreshAheadMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    this.overrides = options.clientOverrides ?? {};
    profiles.attachCredentialStates(this);
    this.unsubscribe = profiles.onRecordsChanged((names) => names.forEach((name) => this.forget(name)));
  }

  /** Region, endpoint and a credentials provider for an SDK client of `service`. */
  async getClientConfig(profile: string, options: { region?: string; service: ServiceId }): Promise<ClientConfig> {
    const record = await this.profiles.get(profile);
    if (record.source === 'builtin') {
      const handle = await this.startSandbox();
      return { region: options.region ?? handle.region, endpoint: handle.endpoint, credentials: this.provider(profile) };
    }
    const region = options.region ?? record.region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION);
    if (!region) {
      throw new HatchError('BadRequest', `Profile "${profile}" has no region.`, 'Pick a region, or set one in the profile.');
    }
    const endpoint = this.profiles.endpointFor(record, options.service);
    return { region, ...(endpoint ? { endpoint } : {}), credentials: this.provider(profile) };
  }

  /** A provider for SDK clients: cached credentials, refreshed ahead of expiry. */
  provider(profile: string): CredentialsProvider {
    return () => this.getCredentials(profile);
  }

  async getCredentials(profile: string, options: { forceRefresh?: boolean } = {}): Promise<AwsCredentials> {
    const record = await this.profiles.get(profile);
    if (record.errors.length > 0) {
      throw new HatchError('BadRequest', `Profile "${profile}" cannot be used: ${record.errors.join(' ')}`, 'Fix the profile in your AWS config.');
    }
    const entry = this.entry(record);
    const creds = entry.creds;
    if (creds && !options.forceRefresh) {
      if (!creds.expiration) return creds;
      const now = this.now();
      const expiresAt = creds.expiration.getTime();
      const lifetime = expiresAt - (entry.obtainedAt ?? now);
      if (now < expiresAt - this.window(lifetime)) return creds;
      // Inside the refresh window: refresh now, but keep serving the old credentials
      // while they still have a safe margin, so callers never wait on an MFA prompt early.
      const refreshing = this.refresh(record, entry);
      if (now < expiresAt - Math.min(30_000, lifetime / 10)) {
        refreshing.catch(() => undefined);
        return creds;
      }
      return refreshing;
    }
    return this.refresh(record, entry);
  }

  /** Get credentials now (asking for MFA or running SSO sign-in if needed). */
  async signIn(profile: string): Promise<void> {
    await this.getCredentials(profile, { forceRefresh: true });
  }

  /** Drop cached credentials of a profile (config changed, sign out). */
  forget(profile: string): void {
    const entry = this.entries.get(profile);
    if (entry?.timer) clearTimeout(entry.timer);
    this.entries.delete(profile);
    this.invalidateListeners.emit(profile);
    this.profiles.notify();
  }

  /** Called when a profile's configuration changes: clients built from it are stale. */
  onInvalidate(listener: (profile: string) => void): () => void {
    return this.invalidateListeners.on(listener);
  }

  async describe(records: ProfileRecord[]): Promise<Map<string, CredentialStateInfo>> {
    const states = new Map<string, CredentialStateInfo>();
    const now = this.now();
    await Promise.all(
      records.map(async (record) => {
        const entry = this.entries.get(record.name);
        if (entry && entry.fingerprint !== record.fingerprint) return;
        const creds = entry?.creds;
        if (creds && (!creds.expiration || creds.expiration.getTime() > now)) {
          states.set(record.name, { state: 'ready' });
        } else if (entry?.error) {
          states.set(record.name, { state: 'error', error: entry.error });
        } else if (record.kind === 'mfa') {
          states.set(record.name, { state: 'needs-mfa' });
        } else if (record.kind === 'sso') {
          const target = ssoTarget(record);
          const token = target ? await ssoTokenState(target, now) : 'missing';
          states.set(record.name, { state: token === 'valid' || token === 'refreshable' ? 'ready' : 'needs-sso' });
        }
      }),
    );
    return states;
  }

  dispose(): void {
    this.unsubscribe();
    for (const entry of this.entries.values()) if (entry.timer) clearTimeout(entry.timer);
    this.entries.clear();
    this.invalidateListeners.clear();
  }

  // ── Internals ───────────────────────────────────────────────────────────────────

  private window(lifetime: number): number {
    return Math.max(0, Math.min(this.refreshAheadMs, lifetime / 2));
  }

  private entry(record: ProfileRecord): Entry {
    let entry = this.entries.get(record.name);
    if (!entry || entry.fingerprint !== record.fingerprint) {
      if (entry?.timer) clearTimeout(entry.timer);
      entry = { fingerprint: record.fingerprint };
      this.entries.set(record.name, entry);
    }
    return entry;
  }

  /** One resolution at a time per profile: concurrent callers share it (one MFA prompt). */
  private refresh(record: ProfileRecord, entry: Entry): Promise<AwsCredentials> {
    if (entry.inflight) return entry.inflight;
    const inflight = this.resolve(record)
      .then((creds) => {
        if (this.entries.get(record.name) !== entry) return creds; // config changed meanwhile
        entry.creds = creds;
        entry.obtainedAt = this.now();
        entry.error = undefined;
        this.schedule(record, entry);
        this.profiles.notify();
        return creds;
      })
      .catch((error: unknown) => {
        const hatch = toHatchError(record.name, error);
        if (this.entries.get(record.name) === entry) {
          entry.error = hatch.message;
          this.profiles.notify();
        }
        throw hatch;
      })
      .finally(() => {
        if (entry.inflight === inflight) entry.inflight = undefined;
      });
    entry.inflight = inflight;
    return inflight;
  }

  private schedule(record: ProfileRecord, entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    const expiration = entry.creds?.expiration?.getTime();
    if (expiration === undefined || INTERACTIVE.has(record.kind)) return;
    const now = this.now();
    const delay = Math.max(0, expiration - this.window(expiration - now) - now);
    // A background refresh keeps long-lived tunnels signing with fresh credentials even
    // when no call happens to land inside the window; failures retry on next use.
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (this.entries.get(record.name) !== entry) return;
      this.refresh(record, entry).catch(() => undefined);
    }, delay);
    entry.timer.unref?.();
  }

  private async startSandbox() {
    const sandbox = this.profiles.builtinSandbox();
    if (!sandbox) throw new HatchError('NotFound', 'This build has no built-in sandbox.');
    try {
      return await sandbox.ensure();
    } catch (error) {
      throw new HatchError('Unavailable', `The sandbox could not start: ${(error as Error).message}`, 'Try again.');
    }
  }

  private async resolve(record: ProfileRecord): Promise<AwsCredentials> {
    if (record.source === 'builtin') {
      const handle = await this.startSandbox();
      return { accessKeyId: handle.credentials.accessKeyId, secretAccessKey: handle.credentials.secretAccessKey };
    }
    const data = record.data;
    // Static keys with mfa_serial: an MFA session from GetSessionToken (the SDK has no
    // provider for it; aws-vault and similar tools do the same).
    if (record.kind === 'mfa' && !data.role_arn) {
      const code = await this.askMfa(record.name, data.mfa_serial!);
      const sts = this.sts(record, {
        accessKeyId: data.aws_access_key_id!,
        secretAccessKey: data.aws_secret_access_key!,
        ...(data.aws_session_token ? { sessionToken: data.aws_session_token } : {}),
      });
      try {
        const out = await sts.send(
          new GetSessionTokenCommand({
            SerialNumber: data.mfa_serial,
            TokenCode: code,
            ...(data.duration_seconds ? { DurationSeconds: Number(data.duration_seconds) } : {}),
          }),
        );
        return fromSts(out.Credentials);
      } finally {
        sts.destroy();
      }
    }
    if (record.kind === 'sso') await this.ensureSsoToken(record, false);
    const run = () => {
      const paths = this.profiles.paths();
      const ssoEndpoint = this.profiles.endpointFor(record, 'sso');
      return fromIni({
        profile: record.name,
        configFilepath: paths.config,
        filepath: paths.credentials,
        mfaCodeProvider: (serial) => this.askMfa(record.name, serial),
        roleAssumer: (source, params) => this.assumeRole(record, source, params),
        roleAssumerWithWebIdentity: (params) => this.assumeRoleWithWebIdentity(record, params),
        ...(ssoEndpoint ? { clientConfig: { endpoint: ssoEndpoint } } : {}),
      })();
    };
    try {
      return await run();
    } catch (error) {
      // The token went bad between our check and the SDK's use of it: sign in once more.
      if (record.kind === 'sso' && isSsoTokenError(error)) {
        await this.ensureSsoToken(record, true);
        return run();
      }
      throw error;
    }
  }

  private async ensureSsoToken(record: ProfileRecord, force: boolean): Promise<void> {
    const target = ssoTarget(record);
    if (!target) return; // classifyProfile already reports what is missing
    if (!force) {
      const state = await ssoTokenState(target, this.now());
      if (state === 'valid' || state === 'refreshable') return;
    }
    // Profiles sharing an sso-session share one sign-in.
    let login = this.ssoLogins.get(target.cacheKey);
    if (!login) {
      const endpoint = this.profiles.endpointFor(record, 'sso_oidc');
      login = ssoDeviceLogin({
        profile: record.name,
        target,
        clientConfig: {
          region: target.region,
          ...(endpoint ? { endpoint } : {}),
          customUserAgent: [['hatch', appVersion]],
          ...this.overrides,
        },
        show: (code) => this.prompts.showSsoDeviceCode(code),
      }).then(
        () => this.prompts.ssoDeviceCodeDone?.(record.name, 'signed-in'),
        (error: unknown) => {
          this.prompts.ssoDeviceCodeDone?.(record.name, 'failed');
          throw error;
        },
      );
      const shared = login.finally(() => this.ssoLogins.delete(target.cacheKey));
      this.ssoLogins.set(target.cacheKey, shared);
      login = shared;
    }
    await login;
  }

  private async askMfa(profile: string, serial: string): Promise<string> {
    let code: string;
    try {
      code = (await this.prompts.askMfaCode(profile, serial)).trim();
    } catch (error) {
      throw new HatchError('BadRequest', `No MFA code for profile "${profile}": ${(error as Error).message || 'cancelled'}.`, 'Enter the code from your MFA device.');
    }
    if (!/^\d{6}$/.test(code)) throw new HatchError('BadRequest', 'An MFA code is 6 digits.', 'Enter the code from your MFA device.');
    return code;
  }

  private sts(record: ProfileRecord, credentials: AwsCredentials): STSClient {
    const endpoint = this.profiles.endpointFor(record, 'sts');
    return new STSClient({
      // Roles are assumed in the profile's region (regional STS), else the global default.
      region: record.region ?? (process.env.AWS_REGION || 'us-east-1'),
      ...(endpoint ? { endpoint } : {}),
      credentials,
      customUserAgent: [['hatch', appVersion]],
      ...this.overrides,
    });
  }

  private async assumeRole(
    record: ProfileRecord,
    source: AwsCredentials,
    params: { RoleArn: string; RoleSessionName: string; ExternalId?: string; SerialNumber?: string; TokenCode?: string; DurationSeconds?: number },
  ): Promise<AwsCredentials> {
    const sts = this.sts(record, source);
    try {
      const sessionName = record.data.role_session_name ?? `hatch-${this.now()}`;
      const out = await sts.send(new AssumeRoleCommand({ ...params, RoleSessionName: sessionName }));
      return fromSts(out.Credentials);
    } finally {
      sts.destroy();
    }
  }

  private async assumeRoleWithWebIdentity(
    record: ProfileRecord,
    params: { RoleArn: string; RoleSessionName: string; WebIdentityToken: string; DurationSeconds?: number },
  ): Promise<AwsCredentials> {
    const endpoint = this.profiles.endpointFor(record, 'sts');
    // AssumeRoleWithWebIdentity is unsigned; the SDK still wants a credentials value.
    const sts = new STSClient({
      region: record.region ?? (process.env.AWS_REGION || 'us-east-1'),
      ...(endpoint ? { endpoint } : {}),
      credentials: { accessKeyId: '', secretAccessKey: '' },
      customUserAgent: [['hatch', appVersion]],
      ...this.overrides,
    });
    try {
      const out = await sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: params.RoleArn,
          RoleSessionName: params.RoleSessionName,
          WebIdentityToken: params.WebIdentityToken,
          ...(params.DurationSeconds ? { DurationSeconds: params.DurationSeconds } : {}),
        }),
      );
      return fromSts(out.Credentials);
    } finally {
      sts.destroy();
    }
  }
}

function fromSts(credentials: StsCredentials | undefined): AwsCredentials {
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) throw new Error('STS returned no credentials.');
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
    ...(credentials.Expiration ? { expiration: new Date(credentials.Expiration) } : {}),
  };
}

function isSsoTokenError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /sso/i.test(message) && /(expired|invalid|token)/i.test(message);
}

/** A message for the user, naming the AWS error; never a credential value. */
function toHatchError(profile: string, error: unknown): HatchError {
  if (error instanceof HatchError) return error;
  const name = (error as { name?: string }).name;
  const message = error instanceof Error ? error.message : String(error);
  const aws = name && name !== 'Error' && name !== 'CredentialsProviderError' ? `${name}: ` : '';
  return new HatchError('AwsError', `Could not get credentials for profile "${profile}": ${aws}${message}`, 'Check the profile, then sign in again.', name ?? null);
}
