// ProfileService: every profile of the user's AWS config and credentials files (and the
// built-in Sandbox), what kind each is, its region and endpoints, and what is wrong with
// it; adding, editing and removing profiles. It composes four parts:
//   profile-store.ts      the files: paths, reading as the SDK does, watching, the one
//                         serialised transactional queue every edit goes through
//   profile-classifier.ts parsed files → profile records (kinds, regions, errors)
//   profile-edits.ts      add / update / remove as text changes of both files
//   endpoints.ts          endpoint_url resolution
import { HatchError } from '../../shared/contract';
import type { CredentialState, ProfileInput, ProfileSummary } from '../../shared/domain/profiles';
import type { AtomicFs } from '../files/atomic-write';
import { configuredEndpoint, displayableEndpoint, type ServiceId } from './endpoints';
import { buildRecords, type ProfileRecord } from './profile-classifier';
import { planAdd, planRemove, planUpdate } from './profile-edits';
import { ProfileStore } from './profile-store';
import { BuiltinSandbox, SANDBOX_PROFILE } from './sandbox';
import { Emitter } from '../../shared/emitter';

export type { ProfileRecord } from './profile-classifier';
export type { ServiceId } from './endpoints';

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
  /** File operations of the writes (tests inject failures). */
  io?: AtomicFs;
}

interface Snapshot {
  records: Map<string, ProfileRecord>;
  /** Problems of a whole file (unreadable, rejected, text outside sections). */
  fileErrors: string[];
}

export class ProfileService {
  private readonly env: () => NodeJS.ProcessEnv;
  private readonly sandbox: BuiltinSandbox | undefined;
  private readonly debounceMs: number;
  private readonly store: ProfileStore;
  private snapshot: Promise<Snapshot> | undefined;
  private stateSource: CredentialStateSource | undefined;
  private readonly listeners = new Emitter<[profiles: ProfileSummary[]]>();
  private readonly recordListeners = new Emitter<[changed: string[]]>();
  private watchers: Array<() => void> = [];
  private debounce: NodeJS.Timeout | undefined;
  private ssoDebounce: NodeJS.Timeout | undefined;
  private lastEmitted = '';
  private disposed = false;

  constructor(options: ProfileServiceOptions = {}) {
    this.env = () => options.env ?? process.env;
    this.sandbox = options.sandbox;
    this.debounceMs = options.watchDebounceMs ?? 150;
    this.store = new ProfileStore({ env: this.env, io: options.io });
    this.sandbox?.onChange(() => this.notify());
  }

  /** The files in use, after AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE and ~ expansion. */
  paths(): { config: string; credentials: string } {
    return this.store.paths();
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
    return configuredEndpoint(record, service, this.env());
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
      if (changed.length > 0) this.recordListeners.emit(changed);
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
    const off = this.listeners.on(onChange);
    if (this.watchers.length === 0) this.startWatching();
    return () => {
      off();
      if (this.listeners.size === 0) this.stopWatching();
    };
  }

  /** For CredentialService: names of profiles whose configuration changed. */
  onRecordsChanged(listener: (changed: string[]) => void): () => void {
    return this.recordListeners.on(listener);
  }

  /** Recompute summaries and tell watchers if anything visible changed. */
  notify(): void {
    if (this.listeners.size === 0 || this.disposed) return;
    void this.list().then(
      (profiles) => this.emit(profiles),
      () => undefined,
    );
  }

  // ── Editing: one transaction each, through the store's queue ──────────────────────

  async add(input: ProfileInput): Promise<ProfileSummary> {
    await this.store.transact((texts) => planAdd(texts, input));
    return this.readBack(input.name);
  }

  /** Replace the settings of an existing profile; keys Hatch does not manage are kept. */
  async update(input: ProfileInput): Promise<ProfileSummary> {
    await this.store.transact((texts) => planUpdate(texts, input));
    return this.readBack(input.name);
  }

  async remove(name: string): Promise<void> {
    await this.store.transact((texts) => planRemove(texts, name));
    await this.refresh();
  }

  private async readBack(name: string): Promise<ProfileSummary> {
    const profiles = await this.refresh();
    const summary = profiles.find((p) => p.name === name);
    if (!summary) throw new HatchError('Internal', `The profile "${name}" was written but cannot be read back.`);
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
    const files = await this.store.read();
    const records = buildRecords(files);
    const ordered = new Map<string, ProfileRecord>();
    if (this.sandbox && !records.has(SANDBOX_PROFILE)) ordered.set(SANDBOX_PROFILE, this.sandboxRecord());
    for (const name of [...records.keys()].sort(byProfileName)) ordered.set(name, records.get(name)!);
    return { records: ordered, fileErrors: files.fileErrors };
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
      endpointUrl: displayableEndpoint(this.endpointFor(record, 'ssm')),
      credentialState: state.state,
      error: state.error ?? null,
      source: 'config',
    };
  }

  // ── Watching ────────────────────────────────────────────────────────────────────

  private startWatching(): void {
    const refreshSoon = () => {
      if (this.debounce) clearTimeout(this.debounce);
      this.debounce = setTimeout(() => {
        this.debounce = undefined;
        void this.refresh().catch(() => undefined);
      }, this.debounceMs);
    };
    const notifySoon = () => {
      if (this.ssoDebounce) clearTimeout(this.ssoDebounce);
      this.ssoDebounce = setTimeout(() => this.notify(), this.debounceMs);
    };
    this.watchers.push(this.store.watchFiles(refreshSoon), this.store.watchSsoCache(notifySoon));
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
    this.listeners.emit(profiles);
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
    this.recordListeners.clear();
    this.stopWatching();
  }
}

function byProfileName(a: string, b: string): number {
  if (a === 'default') return -1;
  if (b === 'default') return 1;
  return a.localeCompare(b);
}
