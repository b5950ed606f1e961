// ProfileService: every profile of the user's AWS config and credentials files (and the
// built-in Sandbox), what kind each is, its region and endpoints, and what is wrong with
// it. Data comes from @smithy/shared-ini-file-loader, so we read the files exactly as the
// SDK's credential providers will; ./ini.ts adds line-level diagnostics and safe edits.
import { watch as fsWatch, watchFile, unwatchFile, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { getHomeDir, loadSharedConfigFiles, readFile as sdkReadFile } from '@smithy/shared-ini-file-loader';
import { HatchError } from '../../shared/contract';
import {
  ProfileInput,
  type CredentialState,
  type ProfileKind,
  type ProfileSummary,
} from '../../shared/domain/profiles';
import { editFileAtomic } from './atomic-file';
import { editSection, removeSection, scanIni, type IniScan, type SectionEdit } from './ini';
import { BuiltinSandbox, SANDBOX_PROFILE } from './sandbox';

export type ServiceId = 'ssm' | 'ec2' | 'sts' | 'kms' | 'ecs' | 'sso' | 'sso_oidc';

// Key of each service in a [services] section and in AWS_ENDPOINT_URL_<KEY>.
const SERVICE_KEYS: Record<ServiceId, { config: string; env: string }> = {
  ssm: { config: 'ssm', env: 'SSM' },
  ec2: { config: 'ec2', env: 'EC2' },
  sts: { config: 'sts', env: 'STS' },
  kms: { config: 'kms', env: 'KMS' },
  ecs: { config: 'ecs', env: 'ECS' },
  sso: { config: 'sso', env: 'SSO' },
  sso_oidc: { config: 'sso_oidc', env: 'SSO_OIDC' },
};

const CREDENTIAL_SOURCES = new Set(['Environment', 'Ec2InstanceMetadata', 'EcsContainer']);
const REGION = /^[a-z]{2}(-[a-z0-9]+)+-\d+$/;

/** A profile as main knows it. Holds raw config values (keys included): never send it out. */
export interface ProfileRecord {
  name: string;
  kind: ProfileKind;
  source: 'config' | 'builtin';
  /** The merged config + credentials values the SDK sees for this profile. */
  data: Readonly<Record<string, string>>;
  /** The [sso-session] this profile refers to, if any. */
  ssoSession?: Readonly<Record<string, string>>;
  /** The [services] section this profile refers to, if any. */
  services?: Readonly<Record<string, string>>;
  region: string | null;
  regions: string[];
  errors: string[];
  /** Changes whenever anything this profile's credentials depend on changes. */
  fingerprint: string;
}

export interface CredentialStateInfo {
  state: CredentialState;
  error?: string;
}

/** Supplied by CredentialService: the live state of each profile's credentials. */
export interface CredentialStateSource {
  describe(records: ProfileRecord[]): Promise<Map<string, CredentialStateInfo>>;
}

export interface ProfileServiceOptions {
  /** Environment to read AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_ENDPOINT_URL* from (default: process.env, read at each load). */
  env?: NodeJS.ProcessEnv;
  /** The built-in Sandbox profile; omit to have none. */
  sandbox?: BuiltinSandbox;
  /** Coalesce bursts of file events (editors write in several steps). */
  watchDebounceMs?: number;
}

interface Snapshot {
  records: Map<string, ProfileRecord>;
  scans: { config: IniScan | undefined; credentials: IniScan | undefined };
  paths: { config: string; credentials: string };
  /** Problems of a whole file (unreadable, rejected, text outside sections). */
  fileErrors: string[];
}

export class ProfileService {
  private readonly env: () => NodeJS.ProcessEnv;
  private readonly sandbox: BuiltinSandbox | undefined;
  private readonly debounceMs: number;
  private snapshot: Promise<Snapshot> | undefined;
  private stateSource: CredentialStateSource | undefined;
  private readonly listeners = new Set<(profiles: ProfileSummary[]) => void>();
  private readonly recordListeners = new Set<(changed: string[]) => void>();
  private watchers: Array<() => void> = [];
  private debounce: NodeJS.Timeout | undefined;
  private ssoDebounce: NodeJS.Timeout | undefined;
  private lastEmitted = '';
  private disposed = false;

  constructor(options: ProfileServiceOptions = {}) {
    this.env = () => options.env ?? process.env;
    this.sandbox = options.sandbox;
    this.debounceMs = options.watchDebounceMs ?? 150;
    this.sandbox?.onChange(() => this.notify());
  }

  /** The files in use, after AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE and ~ expansion. */
  paths(): { config: string; credentials: string } {
    const env = this.env();
    const home = env.HOME || env.USERPROFILE || getHomeDir();
    const expand = (file: string) => (file.startsWith('~/') ? path.join(home, file.slice(2)) : file);
    return {
      config: expand(env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config')),
      credentials: expand(env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials')),
    };
  }

  /** The built-in Sandbox, if this service has one. */
  builtinSandbox(): BuiltinSandbox | undefined {
    return this.sandbox;
  }

  /** Called by CredentialService so list() carries live credential states. */
  attachCredentialStates(source: CredentialStateSource): void {
    this.stateSource = source;
  }

  async list(): Promise<ProfileSummary[]> {
    const snapshot = await this.load();
    const records = [...snapshot.records.values()];
    const states = (await this.stateSource?.describe(records)) ?? new Map<string, CredentialStateInfo>();
    return records.map((record) => this.summarize(record, states.get(record.name)));
  }

  /** Problems that belong to a file rather than a profile, for a notice in the UI. */
  async fileErrors(): Promise<string[]> {
    return (await this.load()).fileErrors;
  }

  async get(name: string): Promise<ProfileRecord> {
    const record = (await this.load()).records.get(name);
    if (!record) throw new HatchError('NotFound', `There is no AWS profile named "${name}".`, 'Pick a profile from the list.');
    return record;
  }

  async records(): Promise<ProfileRecord[]> {
    return [...(await this.load()).records.values()];
  }

  /** The endpoint URL for a service of a profile, following the AWS SDKs' precedence. */
  endpointFor(record: ProfileRecord, service: ServiceId): string | undefined {
    if (record.source === 'builtin') return this.sandbox?.current?.endpoint;
    const env = this.env();
    if (isTrue(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) || isTrue(record.data.ignore_configured_endpoint_urls)) return undefined;
    const keys = SERVICE_KEYS[service];
    return (
      env[`AWS_ENDPOINT_URL_${keys.env}`] ||
      env.AWS_ENDPOINT_URL ||
      record.services?.[`${keys.config}.endpoint_url`] ||
      record.data.endpoint_url ||
      undefined
    );
  }

  /** Re-read the files now (the watcher does this on its own). */
  async refresh(): Promise<ProfileSummary[]> {
    const previous = this.snapshot ? await this.snapshot.catch(() => undefined) : undefined;
    this.snapshot = this.read();
    const next = await this.snapshot;
    if (previous) {
      const changed: string[] = [];
      for (const name of new Set([...previous.records.keys(), ...next.records.keys()])) {
        if (previous.records.get(name)?.fingerprint !== next.records.get(name)?.fingerprint) changed.push(name);
      }
      if (changed.length > 0) for (const listener of this.recordListeners) listener(changed);
    }
    const profiles = await this.list();
    this.emit(profiles);
    return profiles;
  }

  /**
   * Call `onChange` with the full list whenever the files (or a credential state) change.
   * Watching starts with the first subscriber and stops with the last.
   */
  watch(onChange: (profiles: ProfileSummary[]) => void): () => void {
    this.listeners.add(onChange);
    if (this.watchers.length === 0) this.startWatching();
    return () => {
      this.listeners.delete(onChange);
      if (this.listeners.size === 0) this.stopWatching();
    };
  }

  /** For CredentialService: names of profiles whose configuration changed. */
  onRecordsChanged(listener: (changed: string[]) => void): () => void {
    this.recordListeners.add(listener);
    return () => this.recordListeners.delete(listener);
  }

  /** Recompute summaries and tell watchers if anything visible changed. */
  notify(): void {
    if (this.listeners.size === 0 || this.disposed) return;
    void this.list().then(
      (profiles) => this.emit(profiles),
      () => undefined,
    );
  }

  // ── Editing ─────────────────────────────────────────────────────────────────────

  async add(input: ProfileInput): Promise<ProfileSummary> {
    const parsed = parseInput(input);
    const snapshot = await this.load();
    if (snapshot.records.has(parsed.name) || parsed.name === SANDBOX_PROFILE) {
      throw new HatchError('BadRequest', `A profile named "${parsed.name}" already exists.`, 'Choose another name, or edit that profile.');
    }
    if (parsed.kind === 'static' && !(parsed.accessKeyId && parsed.secretAccessKey)) {
      throw new HatchError('BadRequest', 'A static-keys profile needs an access key id and a secret access key.');
    }
    return this.write(parsed);
  }

  /** Replace the settings of an existing profile; keys Hatch does not manage are kept. */
  async update(input: ProfileInput): Promise<ProfileSummary> {
    const parsed = parseInput(input);
    const snapshot = await this.load();
    const existing = snapshot.records.get(parsed.name);
    if (!existing || existing.source !== 'config') {
      throw new HatchError('NotFound', `There is no AWS profile named "${parsed.name}" in your config files.`);
    }
    if (parsed.kind === 'static' && !(parsed.accessKeyId || existing.data.aws_access_key_id)) {
      throw new HatchError('BadRequest', 'A static-keys profile needs an access key id and a secret access key.');
    }
    return this.write(parsed);
  }

  async remove(name: string): Promise<void> {
    const record = await this.get(name);
    if (record.source !== 'config') throw new HatchError('BadRequest', 'The built-in Sandbox profile cannot be removed.');
    const paths = this.paths();
    await editFileAtomic(paths.config, (text) => text && removeSection(scanIni(text, 'config'), 'profile', name));
    await editFileAtomic(paths.credentials, (text) => text && removeSection(scanIni(text, 'credentials'), 'profile', name));
    await this.refresh();
  }

  private async write(input: ProfileInput): Promise<ProfileSummary> {
    const paths = this.paths();
    const { config, ssoSession, credentials } = inputToEdits(input);
    await editFileAtomic(paths.config, (text) => {
      let scan = scanIni(text ?? '', 'config');
      if (scan.rejected) throw new HatchError('BadRequest', `Hatch will not edit ${paths.config}: ${scan.fileErrors.join(' ')}`);
      let next = editSection(scan, 'profile', input.name, config);
      if (ssoSession && input.ssoSession) {
        scan = scanIni(next, 'config');
        next = editSection(scan, 'sso-session', input.ssoSession, ssoSession);
      }
      return next;
    });
    if (credentials) {
      await editFileAtomic(paths.credentials, (text) => editSection(scanIni(text ?? '', 'credentials'), 'profile', input.name, credentials));
    }
    const profiles = await this.refresh();
    const summary = profiles.find((p) => p.name === input.name);
    if (!summary) throw new HatchError('Internal', `The profile "${input.name}" was written but cannot be read back.`);
    return summary;
  }

  // ── Reading ─────────────────────────────────────────────────────────────────────

  private load(): Promise<Snapshot> {
    if (!this.snapshot) {
      this.snapshot = this.read();
      this.snapshot.catch(() => (this.snapshot = undefined));
    }
    return this.snapshot;
  }

  private async read(): Promise<Snapshot> {
    const paths = this.paths();
    // Read through the SDK's own file cache: one consistent snapshot that the SDK's
    // credential providers will also use, and which we can lint line by line.
    const [configText, credentialsText] = await Promise.all([readRaw(paths.config), readRaw(paths.credentials)]);
    const parsed = await loadSharedConfigFiles({ configFilepath: paths.config, filepath: paths.credentials });
    const scans = {
      config: configText.text === undefined ? undefined : scanIni(configText.text, 'config'),
      credentials: credentialsText.text === undefined ? undefined : scanIni(credentialsText.text, 'credentials'),
    };
    const records = buildRecords(parsed.configFile, parsed.credentialsFile, scans, paths);
    const fileErrors = [configText.error, credentialsText.error].filter((e): e is string => !!e);
    for (const kind of ['config', 'credentials'] as const) {
      for (const error of scans[kind]?.fileErrors ?? []) fileErrors.push(`${paths[kind]}: ${error}`);
    }
    const ordered = new Map<string, ProfileRecord>();
    if (this.sandbox && !records.has(SANDBOX_PROFILE)) ordered.set(SANDBOX_PROFILE, this.sandboxRecord());
    for (const name of [...records.keys()].sort(byProfileName)) ordered.set(name, records.get(name)!);
    return { records: ordered, scans, paths, fileErrors };
  }

  private sandboxRecord(): ProfileRecord {
    const handle = this.sandbox?.current;
    return {
      name: SANDBOX_PROFILE,
      kind: 'builtin-sandbox',
      source: 'builtin',
      data: {},
      region: handle?.region ?? null,
      regions: handle ? (handle.regions ?? [handle.region]) : [],
      errors: [],
      fingerprint: 'builtin',
    };
  }

  private summarize(record: ProfileRecord, live: CredentialStateInfo | undefined): ProfileSummary {
    if (record.source === 'builtin') {
      const handle = this.sandbox?.current;
      const error = this.sandbox?.error;
      return {
        name: record.name,
        kind: record.kind,
        region: handle?.region ?? null,
        regions: handle ? (handle.regions ?? [handle.region]) : [],
        endpointUrl: handle?.endpoint ?? null,
        // Static local keys: ready as soon as it can start; a failed start is shown.
        credentialState: error && !handle ? 'error' : 'ready',
        error: error && !handle ? `The sandbox could not start: ${error}` : null,
        source: 'builtin',
      };
    }
    const errors = record.errors.length > 0 ? record.errors.join(' ') : null;
    const base: CredentialStateInfo = errors
      ? { state: 'error', error: errors }
      : record.kind === 'static'
        ? { state: 'ready' }
        : record.kind === 'mfa'
          ? { state: 'needs-mfa' }
          : { state: 'unknown' };
    const state = errors ? base : (live ?? base);
    return {
      name: record.name,
      kind: record.kind,
      region: record.region,
      regions: record.regions,
      endpointUrl: this.endpointFor(record, 'ssm') ?? null,
      credentialState: state.state,
      error: state.error ?? null,
      source: 'config',
    };
  }

  // ── Watching ────────────────────────────────────────────────────────────────────

  private startWatching(): void {
    const paths = this.paths();
    const schedule = () => {
      if (this.debounce) clearTimeout(this.debounce);
      this.debounce = setTimeout(() => {
        this.debounce = undefined;
        void this.refresh().catch(() => undefined);
      }, this.debounceMs);
    };
    const byDir = new Map<string, Set<string>>();
    for (const file of [paths.config, paths.credentials]) {
      const dir = path.dirname(file);
      if (!byDir.has(dir)) byDir.set(dir, new Set());
      byDir.get(dir)!.add(path.basename(file));
    }
    for (const [dir, names] of byDir) {
      let watcher: FSWatcher | undefined;
      try {
        // The directory, not the file: editors and the CLI replace files by rename.
        watcher = fsWatch(dir, { persistent: false }, (_event, filename) => {
          if (!filename || names.has(filename.toString())) schedule();
        });
        watcher.on('error', () => undefined);
        this.watchers.push(() => watcher?.close());
      } catch {
        // No directory yet (no ~/.aws): poll the files until they appear.
        for (const name of names) {
          const file = path.join(dir, name);
          const listener = () => schedule();
          watchFile(file, { persistent: false, interval: 2000 }, listener);
          this.watchers.push(() => unwatchFile(file, listener));
        }
      }
    }
    this.watchSsoCache();
  }

  /** `aws sso login` in a terminal changes a profile's state: watch the token cache too. */
  private watchSsoCache(): void {
    const env = this.env();
    const dir = path.join(env.HOME || env.USERPROFILE || getHomeDir(), '.aws', 'sso', 'cache');
    try {
      const watcher = fsWatch(dir, { persistent: false }, () => {
        if (this.ssoDebounce) clearTimeout(this.ssoDebounce);
        this.ssoDebounce = setTimeout(() => this.notify(), this.debounceMs);
      });
      watcher.on('error', () => undefined);
      this.watchers.push(() => watcher.close());
    } catch {
      // No cache yet: states are recomputed on the next refresh or sign-in anyway.
    }
  }

  private stopWatching(): void {
    for (const stop of this.watchers.splice(0)) stop();
    if (this.debounce) clearTimeout(this.debounce);
    if (this.ssoDebounce) clearTimeout(this.ssoDebounce);
    this.debounce = undefined;
    this.ssoDebounce = undefined;
  }

  private emit(profiles: ProfileSummary[]): void {
    const json = JSON.stringify(profiles);
    if (json === this.lastEmitted) return;
    this.lastEmitted = json;
    for (const listener of this.listeners) listener(profiles);
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
    this.recordListeners.clear();
    this.stopWatching();
  }
}

// ── Building records ──────────────────────────────────────────────────────────────

type Parsed = Record<string, Record<string, string | undefined>>;

async function readRaw(file: string): Promise<{ text: string | undefined; error?: string }> {
  try {
    return { text: await sdkReadFile(file, { ignoreCache: true }) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { text: undefined };
    return { text: undefined, error: `Cannot read ${file}: ${(error as Error).message}` };
  }
}

function buildRecords(
  configFile: Parsed,
  credentialsFile: Parsed,
  scans: Snapshot['scans'],
  paths: Snapshot['paths'],
): Map<string, ProfileRecord> {
  const profiles = new Map<string, Record<string, string>>();
  const ssoSessions = new Map<string, Record<string, string>>();
  const services = new Map<string, Record<string, string>>();
  for (const [key, values] of Object.entries(configFile)) {
    const clean = defined(values);
    if (key.startsWith('sso-session.')) ssoSessions.set(key.slice('sso-session.'.length), clean);
    else if (key.startsWith('services.')) services.set(key.slice('services.'.length), clean);
    else profiles.set(key, clean);
  }
  for (const [key, values] of Object.entries(credentialsFile)) {
    // "[profile x]" in the credentials file is keyed "profile.x" by the SDK: not a profile.
    if (/^(profile|sso-session|services)\./.test(key)) continue;
    profiles.set(key, { ...(profiles.get(key) ?? {}), ...defined(values) });
  }

  // Errors from the line scan, per profile / sso-session / services name.
  const sectionErrors = { profile: new Map<string, string[]>(), 'sso-session': new Map<string, string[]>(), services: new Map<string, string[]>() };
  const orphanNames = new Map<string, string[]>();
  const fileLabel = { config: paths.config, credentials: paths.credentials };
  for (const kind of ['config', 'credentials'] as const) {
    const scan = scans[kind];
    if (!scan) continue;
    for (const section of scan.sections) {
      const where = `${fileLabel[kind]}:`;
      if (section.type === 'ignored') {
        if (!section.name) continue;
        const reason = section.ignoredReason === 'missing ]' ? section.errors.join(' ') : `[${section.header}] is ignored (${section.ignoredReason}).`;
        push(orphanNames, section.name, `${where} ${reason}`);
        continue;
      }
      for (const error of section.errors) push(sectionErrors[section.type], section.name, `${where} ${error}`);
      // Sections the SDK reads must exist in its view even when empty.
      if (section.type === 'profile' && !profiles.has(section.name)) profiles.set(section.name, {});
    }
  }
  for (const [name] of orphanNames) if (!profiles.has(name)) profiles.set(name, {});

  // Each profile's own problems first, so a profile can name a broken source profile.
  const own = new Map<string, { kind: ProfileKind; errors: string[] }>();
  for (const name of profiles.keys()) {
    const { kind, errors } = classifyProfile(name, profiles, ssoSessions, services);
    own.set(name, { kind, errors: [...rejectedFileErrors(name, scans, paths), ...(sectionErrors.profile.get(name) ?? []), ...errors] });
  }

  const records = new Map<string, ProfileRecord>();
  for (const [name, data] of profiles) {
    const { kind, errors } = own.get(name)!;
    const allErrors = [...errors];
    if (Object.keys(data).length === 0 && orphanNames.has(name)) allErrors.unshift(...orphanNames.get(name)!);
    const sessionName = data.sso_session;
    if (sessionName) allErrors.push(...(sectionErrors['sso-session'].get(sessionName) ?? []));
    if (data.services) allErrors.push(...(sectionErrors.services.get(data.services) ?? []));
    // A broken source profile breaks this one too; say which.
    const chain = sourceChain(name, profiles);
    for (const source of chain.slice(1)) {
      if (own.get(source)?.errors.length) allErrors.push(`Its source profile "${source}" has errors.`);
    }
    const region = data.region ?? null;
    const regions = unique([...(region ? [region] : []), ...splitList(data.hatch_regions)]);
    records.set(name, {
      name,
      kind,
      source: 'config',
      data,
      ssoSession: sessionName ? ssoSessions.get(sessionName) : undefined,
      services: data.services ? services.get(data.services) : undefined,
      region,
      regions,
      errors: unique(allErrors),
      fingerprint: fingerprint(chain.map((n) => [n, profiles.get(n), profiles.get(n)?.sso_session ? ssoSessions.get(profiles.get(n)!.sso_session) : undefined])),
    });
  }
  return records;
}

// A file the SDK rejects as a whole breaks every profile with a section in it.
function rejectedFileErrors(name: string, scans: Snapshot['scans'], paths: Snapshot['paths']): string[] {
  return (['config', 'credentials'] as const)
    .filter((kind) => scans[kind]?.rejected && scans[kind]!.sections.some((s) => s.type === 'profile' && s.name === name))
    .map((kind) => `The AWS SDK cannot read ${paths[kind]}: ${scans[kind]!.fileErrors.join(' ')}`);
}

/** The kind of a profile and what makes it unusable, following the SDK's resolution order. */
export function classifyProfile(
  name: string,
  profiles: Map<string, Record<string, string>>,
  ssoSessions: Map<string, Record<string, string>>,
  services: Map<string, Record<string, string>>,
): { kind: ProfileKind; errors: string[] } {
  const data = profiles.get(name) ?? {};
  const errors: string[] = [];
  let kind: ProfileKind = 'unknown';

  if (data.region !== undefined && !REGION.test(data.region)) errors.push(`region "${data.region}" is not a region name (e.g. eu-west-1).`);
  for (const region of splitList(data.hatch_regions)) {
    if (!REGION.test(region)) errors.push(`hatch_regions: "${region}" is not a region name.`);
  }
  if (data.endpoint_url !== undefined && !isHttpUrl(data.endpoint_url)) errors.push(`endpoint_url "${data.endpoint_url}" is not an http(s) URL.`);
  if (data.services !== undefined) {
    const section = services.get(data.services);
    if (!section) errors.push(`services = ${data.services}, but there is no [services ${data.services}] section.`);
    for (const [key, value] of Object.entries(section ?? {})) {
      if (key.endsWith('.endpoint_url') && !isHttpUrl(value)) errors.push(`[services ${data.services}] ${key} "${value}" is not an http(s) URL.`);
    }
  }
  if (data.duration_seconds !== undefined && !/^\d+$/.test(data.duration_seconds)) errors.push('duration_seconds must be a whole number of seconds.');

  const hasKeyId = data.aws_access_key_id !== undefined;
  const hasSecret = data.aws_secret_access_key !== undefined;
  const isSso = ['sso_start_url', 'sso_account_id', 'sso_session', 'sso_region', 'sso_role_name'].some((k) => data[k] !== undefined);

  if (data.role_arn !== undefined && data.web_identity_token_file === undefined) {
    kind = data.mfa_serial ? 'mfa' : 'assume-role';
    if (!/^arn:[\w-]+:iam::\d{12}:role\/.+$/.test(data.role_arn)) errors.push(`role_arn "${data.role_arn}" is not a role ARN.`);
    if (data.source_profile !== undefined && data.credential_source !== undefined) {
      errors.push('Set either source_profile or credential_source, not both.');
    } else if (data.source_profile === undefined && data.credential_source === undefined) {
      errors.push('role_arn needs source_profile or credential_source to say which credentials assume the role.');
    } else if (data.credential_source !== undefined && !CREDENTIAL_SOURCES.has(data.credential_source)) {
      errors.push(`credential_source "${data.credential_source}" must be Environment, Ec2InstanceMetadata or EcsContainer.`);
    } else if (data.source_profile !== undefined) {
      errors.push(...sourceProfileErrors(name, profiles));
    }
  } else if (hasKeyId || hasSecret) {
    kind = data.mfa_serial ? 'mfa' : 'static';
    if (!hasKeyId) errors.push('aws_secret_access_key is set but aws_access_key_id is missing.');
    if (!hasSecret) errors.push('aws_access_key_id is set but aws_secret_access_key is missing.');
  } else if (data.web_identity_token_file !== undefined) {
    kind = 'web-identity';
    if (data.role_arn === undefined) errors.push('web_identity_token_file needs role_arn.');
  } else if (data.credential_process !== undefined) {
    kind = 'credential-process';
  } else if (isSso) {
    kind = 'sso';
    if (data.sso_session !== undefined) {
      const session = ssoSessions.get(data.sso_session);
      if (!session) {
        errors.push(`sso_session = ${data.sso_session}, but there is no [sso-session ${data.sso_session}] section.`);
      } else {
        if (!session.sso_start_url) errors.push(`[sso-session ${data.sso_session}] has no sso_start_url.`);
        if (!session.sso_region) errors.push(`[sso-session ${data.sso_session}] has no sso_region.`);
        if (data.sso_start_url && session.sso_start_url && data.sso_start_url !== session.sso_start_url) {
          errors.push(`sso_start_url differs from the one in [sso-session ${data.sso_session}].`);
        }
      }
    } else {
      for (const key of ['sso_start_url', 'sso_region'] as const) if (!data[key]) errors.push(`${key} is missing.`);
    }
    for (const key of ['sso_account_id', 'sso_role_name'] as const) if (!data[key]) errors.push(`${key} is missing.`);
  } else if (data.credential_source !== undefined || data.login_session !== undefined) {
    kind = 'unknown';
  } else if (Object.keys(data).length > 0) {
    errors.push('This profile has no credentials: add access keys, a role, SSO or credential_process.');
  }
  return { kind, errors };
}

function sourceProfileErrors(name: string, profiles: Map<string, Record<string, string>>): string[] {
  const seen = [name];
  let current = profiles.get(name)?.source_profile;
  while (current !== undefined) {
    if (!profiles.has(current)) return [`source_profile "${current}" does not exist.`];
    if (seen.includes(current)) {
      // A profile that names itself with static keys is the SDK's documented pattern.
      const data = profiles.get(current)!;
      if (current === seen[seen.length - 1] && data.aws_access_key_id) return [];
      return [`source_profile forms a cycle: ${[...seen, current].join(' → ')}.`];
    }
    seen.push(current);
    const data = profiles.get(current)!;
    if (data.aws_access_key_id && data.aws_secret_access_key) return [];
    current = data.role_arn ? data.source_profile : undefined;
  }
  return [];
}

function sourceChain(name: string, profiles: Map<string, Record<string, string>>): string[] {
  const chain = [name];
  let current = profiles.get(name)?.source_profile;
  while (current !== undefined && !chain.includes(current) && profiles.has(current)) {
    chain.push(current);
    current = profiles.get(current)?.source_profile;
  }
  return chain;
}

// ── Input → file edits ────────────────────────────────────────────────────────────

const MANAGED_CONFIG_KEYS = [
  'region',
  'hatch_regions',
  'endpoint_url',
  'role_arn',
  'source_profile',
  'credential_source',
  'mfa_serial',
  'external_id',
  'role_session_name',
  'duration_seconds',
  'sso_session',
  'sso_start_url',
  'sso_region',
  'sso_account_id',
  'sso_role_name',
  'credential_process',
  'web_identity_token_file',
] as const;

function parseInput(input: ProfileInput): ProfileInput {
  const result = ProfileInput.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new HatchError('BadRequest', `Invalid profile: ${where}${issue?.message ?? 'malformed'}.`);
  }
  const value = result.data;
  if (value.name === SANDBOX_PROFILE) throw new HatchError('BadRequest', `"${SANDBOX_PROFILE}" is the built-in profile's name.`);
  const need = (ok: boolean, message: string) => {
    if (!ok) throw new HatchError('BadRequest', message);
  };
  switch (value.kind) {
    case 'assume-role':
    case 'mfa':
      if (value.kind === 'mfa') need(!!value.mfaSerial, 'An MFA profile needs the MFA device serial (mfa_serial).');
      if (value.roleArn || value.kind === 'assume-role') {
        need(!!value.roleArn, 'An assume-role profile needs role_arn.');
        need(!!value.sourceProfile !== !!value.credentialSource, 'Set either a source profile or a credential source.');
      }
      break;
    case 'sso':
      need(!!value.ssoAccountId && !!value.ssoRoleName, 'An SSO profile needs an account id and a role name.');
      need(!!value.ssoSession || (!!value.ssoStartUrl && !!value.ssoRegion), 'An SSO profile needs an sso-session or a start URL and SSO region.');
      break;
    case 'credential-process':
      need(!!value.credentialProcess, 'A credential_process profile needs the command.');
      break;
    case 'web-identity':
      need(!!value.roleArn && !!value.webIdentityTokenFile, 'A web identity profile needs role_arn and web_identity_token_file.');
      break;
    default:
      break;
  }
  need(!value.accessKeyId === !value.secretAccessKey, 'Give both the access key id and the secret access key.');
  return value;
}

function inputToEdits(input: ProfileInput): { config: SectionEdit; ssoSession?: SectionEdit; credentials?: SectionEdit } {
  const config: SectionEdit = Object.fromEntries(MANAGED_CONFIG_KEYS.map((key) => [key, null]));
  const set = (key: (typeof MANAGED_CONFIG_KEYS)[number], value: string | number | undefined) => {
    if (value !== undefined) config[key] = String(value);
  };
  set('region', input.region);
  const extra = (input.regions ?? []).filter((r) => r !== input.region);
  if (extra.length > 0) set('hatch_regions', extra.join(','));
  set('endpoint_url', input.endpointUrl);
  let ssoSession: SectionEdit | undefined;
  switch (input.kind) {
    case 'assume-role':
    case 'mfa':
      set('role_arn', input.roleArn);
      set('source_profile', input.sourceProfile);
      set('credential_source', input.credentialSource);
      set('mfa_serial', input.mfaSerial);
      set('external_id', input.externalId);
      set('role_session_name', input.roleSessionName);
      set('duration_seconds', input.durationSeconds);
      break;
    case 'sso':
      set('sso_account_id', input.ssoAccountId);
      set('sso_role_name', input.ssoRoleName);
      if (input.ssoSession) {
        set('sso_session', input.ssoSession);
        if (input.ssoStartUrl || input.ssoRegion) {
          ssoSession = {};
          if (input.ssoStartUrl) ssoSession.sso_start_url = input.ssoStartUrl;
          if (input.ssoRegion) ssoSession.sso_region = input.ssoRegion;
          ssoSession.sso_registration_scopes = 'sso:account:access';
        }
      } else {
        set('sso_start_url', input.ssoStartUrl);
        set('sso_region', input.ssoRegion);
      }
      break;
    case 'credential-process':
      set('credential_process', input.credentialProcess);
      break;
    case 'web-identity':
      set('role_arn', input.roleArn);
      set('web_identity_token_file', input.webIdentityTokenFile);
      set('role_session_name', input.roleSessionName);
      break;
    case 'static':
      set('mfa_serial', input.mfaSerial);
      break;
    default:
      break;
  }
  const credentials: SectionEdit | undefined =
    input.accessKeyId && input.secretAccessKey
      ? { aws_access_key_id: input.accessKeyId, aws_secret_access_key: input.secretAccessKey, aws_session_token: null }
      : undefined;
  return { config, ssoSession, credentials };
}

// ── Small helpers ─────────────────────────────────────────────────────────────────

function defined(values: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) out[key] = value;
  return out;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function splitList(value: string | undefined): string[] {
  return value ? value.split(/[\s,]+/).filter(Boolean) : [];
}

function isTrue(value: string | undefined): boolean {
  return value?.toLowerCase() === 'true';
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

function byProfileName(a: string, b: string): number {
  if (a === 'default') return -1;
  if (b === 'default') return 1;
  return a.localeCompare(b);
}
