// HatchHost composes the services and is the only thing either transport calls. It owns
// the contract's runtime checks: an unknown method or a payload that fails its schema is
// answered with a typed error and never reaches a service; every response and event is
// parsed with its schema on the way out (undeclared fields are stripped).
import os from 'node:os';
import path from 'node:path';
import { calls, events, HatchError, isEventName, isMethod, type CallResult, type EventName, type EventPayload } from '../shared/contract';
import { SystemService, type HostKind } from './system/system-service';
import { AwsClientFactory, CredentialService, ProfileService, PromptBroker, createBuiltinSandbox, type BuiltinSandbox } from './aws';
import { InventoryService } from './inventory';
import { actionableError, ProfileHealth } from './inventory/actionable-errors';
import { editableProfile } from './aws/editable-profile';
import { SessionManager, type SessionAwsAccess } from './sessions/session-manager';
import type { TerminalAttachment, TerminalViewer } from './sessions/session-output';
import { Emitter, type Unsubscribe } from '../shared/emitter';
import { MAX_SESSION_ID_CHARS } from '../shared/terminal-stream';
import { NativeEngine } from './sessions/native-engine';
import type { SpawnPty } from './sessions/pty';
import { PluginEngine } from './sessions/plugin-engine';
import { TunnelService } from './tunnels/tunnel-service';
import { TransferService } from './transfers/transfer-service';
import { documentsHandlers } from './documents/handlers';
import { DocumentsService } from './documents/documents-service';
import { PreferencesService } from './documents/preferences-service';
import { AuditService } from './audit/audit-service';
import { Recordings } from './audit/recordings';
import type { Handlers } from './handlers';
import { ContainersService } from './containers/containers-service';
import { containersHandlers, executeCommandWith } from './containers/handlers';
import { SshConfigService } from './ssh/ssh-config-service';
import type { SshEntry } from './ssh/ssh-config';
import type { SshConfigEntry } from '../shared/contract-access';
import { hatchCommandLine } from './ssh/hatch-command';
import { RdpService } from './rdp/rdp-service';
import type { LauncherProbe, Spawner } from './rdp/launcher';
import { locatePlugin, usualPluginPaths, type PluginInfo } from './sessions/plugin-locator';
import { SettingsStore } from './settings/settings-store';
import { AppSettingsService } from './settings/app-settings-service';
import { pruneRecordings } from './sessions/recorder';
import type { Notice } from '../shared/contract';


type EventListener = (name: EventName, payload: unknown) => void;

export interface HatchHostOptions {
  host: HostKind;
  /** Where Hatch keeps its files (Electron: userData). Default ~/.hatch. */
  dataDir?: string;
  /** The environment AWS config is read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The built-in Sandbox profile; default: an embedded sandbox started on first use. */
  sandbox?: BuiltinSandbox;
  /** Where to look for session-manager-plugin (default: PATH and the usual install places). */
  pluginCandidates?: () => string[];
  /** How engines get a pty (Electron: the pty host utility process); default in-process node-pty. */
  spawnPty?: SpawnPty;
  /** Where a thrown non-HatchError is reported (a bug); defaults to console.error. */
  logError?: (error: unknown, method: string) => void;
  /** Opens a URL in the user's browser (Electron: shell.openExternal); absent in the browser host. */
  openExternal?: (url: string) => Promise<void>;
  /** Where problems with settings.json are told (Electron queues them for the window); default system.notice. */
  notify?: (notice: Notice) => void;
  /** How a Remote Desktop client is found and started (tests record the arguments); default the system's. */
  rdp?: { probe?: LauncherProbe; spawner?: Spawner };
  /** The words that start `hatch` in ssh's ProxyCommand; default an installed `hatch`, else this checkout's bin/hatch.cjs. */
  hatchCommand?: () => string[] | null;
  /** Where downloads land (Electron: the Downloads folder); default ~/Downloads. */
  downloadsDir?: string;
  /** Shows a file in the system's file manager (Electron: shell.showItemInFolder). */
  revealFile?: (file: string) => boolean;
  /** A notification from the system (Electron: when the window is not in front), e.g. a transfer that ended. */
  systemNotify?: (title: string, body: string) => void;
  /** Browser host: the same-origin URL of a finished download (served by the host with its token). */
  transferFetchUrl?: (transferId: string, name: string) => string;
}

export class HatchHost {
  private readonly events = new Emitter<[name: EventName, payload: unknown]>();
  private readonly handlers: Handlers;
  /** Finished downloads, for the browser host to serve. */
  readonly transfers: TransferService;
  private readonly sessions: SessionManager;
  private readonly logError: (error: unknown, method: string) => void;
  private readonly disposers: Array<() => void | Promise<void>> = [];
  /** settings.json in the data folder (window state and the app's settings), opened once. */
  readonly settingsStore: Promise<SettingsStore>;

  constructor(options: HatchHostOptions) {
    this.logError = options.logError ?? ((error, method) => console.error(`[hatch] ${method} failed:`, error));
    const dataDir = options.dataDir ?? path.join(os.homedir(), '.hatch');
    const system = new SystemService(options.host);
    this.settingsStore = SettingsStore.open({ dir: dataDir, notify: options.notify ?? ((notice) => this.emit('system.notice', notice)) });
    const settings = new AppSettingsService(this.settingsStore, dataDir, (state) => this.emit('settings.changed', state));
    // Recordings past their retention go at start-up (the setting may say to keep them all).
    void this.settingsStore.then(() => pruneRecordings(settings.recordingsDir, settings.current().recordings.retentionDays)).catch(() => undefined);

    const sandbox = options.sandbox ?? createBuiltinSandbox({ dataDir: path.join(dataDir, 'sandbox') });
    const profiles = new ProfileService({ env: options.env, sandbox });
    const prompts = new PromptBroker({
      mfaRequested: (prompt) => this.emit('credentials.mfaRequested', prompt),
      mfaSettled: (requestId) => this.emit('credentials.mfaSettled', { requestId }),
      ssoDeviceCode: (code) => this.emit('credentials.ssoDeviceCode', code),
      ssoDone: (profile, outcome) => this.emit('credentials.ssoDone', { profile, outcome }),
    });
    const credentials = new CredentialService(profiles, prompts);
    const clients = new AwsClientFactory(credentials);
    const inventory = new InventoryService(clients, { invalidations: credentials });
    const listings = new Map<string, AbortController>();
    // A profile whose calls fail for a reason the person can act on shows the error on its dot.
    const health = new ProfileHealth(() => void profiles.list().then((list) => this.emit('profiles.changed', { profiles: health.apply(list) }), () => undefined));
    this.disposers.push(profiles.watch((list) => this.emit('profiles.changed', { profiles: health.apply(list) })));

    // A found plugin is remembered; a missing one is looked for again, so installing it
    // while Hatch runs is noticed.
    let plugin: Promise<PluginInfo> | null = null;
    const pluginInfo = async () => {
      plugin ??= locatePlugin(options.pluginCandidates?.() ?? usualPluginPaths());
      const info = await plugin;
      if (!info.found) plugin = null;
      return info;
    };
    const aws: SessionAwsAccess = {
      ssm: (profile, region) => clients.ssm(profile, region),
      kms: (profile, region) => clients.kms(profile, region),
      ssmEndpoint: async (profile, region) => (await credentials.getClientConfig(profile, { region, service: 'ssm' })).endpoint ?? `https://ssm.${region}.amazonaws.com`,
      childEnv: async (profile, region) => {
        const config = await credentials.getClientConfig(profile, { region, service: 'ssm' });
        const creds = await config.credentials();
        return {
          AWS_REGION: config.region,
          AWS_ACCESS_KEY_ID: creds.accessKeyId,
          AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
          ...(creds.sessionToken ? { AWS_SESSION_TOKEN: creds.sessionToken } : {}),
          ...(config.endpoint ? { AWS_ENDPOINT_URL: config.endpoint } : {}),
        };
      },
      executeCommand: executeCommandWith(clients),
    };
    const sessions = (this.sessions = new SessionManager({
      aws,
      engines: { native: new NativeEngine(), plugin: new PluginEngine(async () => (await pluginInfo()).path, options.spawnPty) },
      pluginAvailable: async () => (await pluginInfo()).found,
      emit: (name, payload) => this.emit(name, payload),
      recording: () => {
        const { recordings } = settings.current();
        return recordings.enabled ? { dir: settings.recordingsDir, includeInput: recordings.includeInput } : null;
      },
      pacing: (profile) => settings.current().profilePacing[profile] ?? 'adaptive',
    }));

    const containers = new ContainersService(clients, { invalidations: credentials });
    const tunnels = new TunnelService({
      ssm: (profile, region) => clients.ssm(profile, region),
      emit: (name, payload) => this.emit(name, payload),
      pacing: (profile) => settings.current().profilePacing[profile] ?? 'adaptive',
    });
    const transfers = new TransferService({
      ssm: (profile, region) => clients.ssm(profile, region),
      kms: (profile, region) => clients.kms(profile, region),
      emit: (name, payload) => this.emit(name, payload),
      downloadsDir: options.downloadsDir ?? path.join(os.homedir(), 'Downloads'),
      stagingDir: path.join(dataDir, 'transfers'),
      reveal: options.revealFile,
      systemNotify: options.systemNotify,
      fetchUrl: options.transferFetchUrl,
      pacing: (profile) => settings.current().profilePacing[profile] ?? 'adaptive',
    });
    this.transfers = transfers;

    const home = () => options.env?.HOME || options.env?.USERPROFILE || os.homedir();
    const sshConfig = new SshConfigService({ home, hatchCommand: options.hatchCommand ?? (() => hatchCommandLine(options.env ?? process.env)) });
    const rdp = new RdpService({
      startTunnel: (request) => tunnels.start(request),
      dir: path.join(dataDir, 'rdp'),
      launchClients: options.host === 'electron',
      probe: options.rdp?.probe,
      spawner: options.rdp?.spawner,
    });
    const sshEntry = (profile: string, region: string, entry: SshConfigEntry): SshEntry =>
      entry.kind === 'node' ? { ...entry, profile, region } : { kind: 'profile', profile, region, ...(entry.user ? { user: entry.user } : {}) };

    // Disposed last first: what uses sessions (containers, transfers, tunnels, sessions)
    // ends while the clients and the built-in sandbox still answer; the sandbox goes after
    // them (closed first, it would see their goodbyes as requests to a closed agent).
    this.disposers.push(
      async () => (await this.settingsStore).flush(),
      () => sandbox.close(),
      () => profiles.dispose(),
      () => credentials.dispose(),
      () => clients.dispose(),
      () => sessions.dispose(),
      () => tunnels.dispose(),
      () => transfers.dispose(),
      () => containers.dispose(),
    );

    const ssm = (profile: string, region: string) => clients.ssm(profile, region);
    const kms = (profile: string, region: string) => clients.kms(profile, region);
    const recordings = new Recordings(settings.recordingsDir);
    const documentHandlers = documentsHandlers({
      preferences: new PreferencesService({ ssm, kms }),
      documents: new DocumentsService({ ssm, sts: (profile, region) => clients.sts(profile, region) }),
      recordings,
      audit: new AuditService(ssm, recordings),
      preflight: { ssm, kms, plugin: pluginInfo },
    });
    this.handlers = {
      ...documentHandlers,
      ...containersHandlers({ containers, sessions }),
      'ssh.configPreview': ({ profile, region, entry }) => sshConfig.preview(sshEntry(profile, region, entry)),
      'ssh.configSave': ({ profile, region, entry, sha256 }) => sshConfig.save(sshEntry(profile, region, entry), sha256),
      'rdp.connect': (request) => rdp.connect(request),
      // Terminating one of our own sessions from the audit view: its tab says "terminated".
      'audit.terminate': async (request) => {
        const undo = sessions.expectTermination(request.sessionId);
        try {
          return await documentHandlers['audit.terminate'](request);
        } catch (error) {
          undo();
          throw error;
        }
      },
      'system.info': () => system.info(),
      'settings.get': () => settings.state(),
      'settings.update': (patch) => settings.update(patch),
      'system.ping': ({ nonce }) => ({ nonce }),
      'profiles.list': async () => ({ profiles: health.apply(await profiles.list()) }),
      'profiles.get': async ({ name }) => {
        const record = await profiles.get(name);
        if (record.source === 'builtin') throw new HatchError('BadRequest', 'The built-in Sandbox profile cannot be edited.');
        return editableProfile(record);
      },
      'profiles.add': (input) => profiles.add(input),
      // An edit that leaves the command or the keys empty keeps the current ones (the form never sees them).
      'profiles.update': (input) => profiles.update(input),
      'profiles.remove': async ({ name }) => {
        await profiles.remove(name);
        return {};
      },
      'credentials.signIn': async ({ profile }) => {
        await credentials.signIn(profile);
        return {};
      },
      'credentials.answerMfa': (answer) => ({ accepted: prompts.answerMfa(answer) }),
      'credentials.pendingMfa': () => ({ prompts: prompts.pendingPrompts() }),
      'inventory.list': async ({ profile, region, refresh }) => {
        const cached = refresh ? undefined : inventory.cached(profile, region);
        if (cached) return cached;
        const key = `${profile}\u0000${region}`;
        listings.get(key)?.abort();
        const controller = new AbortController();
        listings.set(key, controller);
        try {
          const snapshot = await inventory.list(profile, region, { signal: controller.signal, onProgress: (progress) => this.emit('inventory.progress', progress) });
          health.succeeded(profile, region);
          return snapshot;
        } catch (error) {
          if (controller.signal.aborted) throw new HatchError('Unavailable', 'Listing was cancelled.', 'Refresh to list the nodes again.');
          const endpoint = (await profiles.list().catch(() => [])).find((p) => p.name === profile)?.endpointUrl ?? null;
          const actionable = actionableError(error, { profile, region, doing: 'listing its managed nodes', endpoint });
          if (!actionable) throw error;
          health.failed(profile, region, actionable);
          throw actionable;
        } finally {
          if (listings.get(key) === controller) listings.delete(key);
        }
      },
      'inventory.cancel': ({ profile, region }) => {
        listings.get(`${profile}\u0000${region}`)?.abort();
        return {};
      },
      'sessions.engines': async () => ({ plugin: await pluginInfo(), native: true as const }),
      'sessions.start': (request) => sessions.start(request),
      'sessions.list': () => ({ sessions: sessions.list() }),
      'sessions.write': ({ sessionId, data }) => {
        sessions.write(sessionId, data);
        return {};
      },
      'sessions.resize': ({ sessionId, cols, rows }) => {
        sessions.resize(sessionId, cols, rows);
        return {};
      },
      'sessions.terminate': async ({ sessionId }) => {
        await sessions.terminate(sessionId);
        return {};
      },
      'sessions.restart': ({ sessionId }) => sessions.restart(sessionId),
      'sessions.stats': ({ sessionId }) => sessions.stats(sessionId),
      'transfers.list': () => ({ transfers: transfers.list() }),
      'transfers.uploadBegin': (request) => transfers.uploadBegin(request),
      'transfers.uploadChunk': async ({ transferId, offset, data }) => {
        await transfers.uploadChunk(transferId, offset, data);
        return {};
      },
      'transfers.uploadEnd': ({ transferId }) => transfers.uploadEnd(transferId),
      'transfers.download': (request) => transfers.download(request),
      'transfers.cancel': ({ transferId }) => {
        transfers.cancel(transferId);
        return {};
      },
      'transfers.retry': ({ transferId }) => transfers.retry(transferId),
      'transfers.reveal': ({ transferId }) => ({ shown: transfers.reveal(transferId) }),
      'transfers.remove': ({ transferId }) => {
        transfers.remove(transferId);
        return {};
      },
      'tunnels.start': (request) => tunnels.start(request),
      'tunnels.list': () => ({ tunnels: tunnels.list() }),
      'tunnels.stop': async ({ tunnelId }) => {
        await tunnels.stop(tunnelId);
        return {};
      },
      'tunnels.restart': ({ tunnelId }) => tunnels.restart(tunnelId),
      'tunnels.openInBrowser': async ({ tunnelId }) => {
        const tunnel = tunnels.list().find((t) => t.id === tunnelId);
        if (!tunnel || tunnel.state !== 'open') throw new HatchError('BadRequest', 'That tunnel is not open.', 'Start it, then open it.');
        // Built here from the tunnel's own port: the renderer never chooses what is opened.
        const host = tunnel.bindAddress === '::1' ? '[::1]' : '127.0.0.1';
        const url = `${tunnel.remotePort === 443 || tunnel.remotePort === 8443 ? 'https' : 'http'}://${host}:${tunnel.localPort}/`;
        if (!options.openExternal) return { url, opened: false };
        await options.openExternal(url); /* eng-disable OPEN_EXTERNAL_JS_CHECK: a loopback URL built above from an open tunnel, never from the renderer */
        return { url, opened: true };
      },
      'tunnels.remove': ({ tunnelId }) => {
        tunnels.remove(tunnelId);
        return {};
      },
    };
  }

  /** Validate, dispatch, validate the answer. Never throws: every failure is a typed error. */
  async call(method: unknown, request: unknown): Promise<CallResult> {
    if (!isMethod(method)) {
      return fail(new HatchError('UnknownMethod', `Hatch has no call named ${JSON.stringify(String(method)).slice(0, 120)}.`));
    }
    const entry = calls[method];
    const parsed = entry.request.safeParse(request ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
      return fail(new HatchError('BadRequest', `Invalid request for ${method}${where}: ${issue?.message ?? 'malformed'}.`));
    }
    try {
      const handler = this.handlers[method] as (request: unknown) => unknown;
      const value = await handler(parsed.data);
      return { ok: true, value: entry.response.parse(value) };
    } catch (error) {
      if (error instanceof HatchError) return fail(error);
      this.logError(error, method);
      return fail(
        new HatchError('Internal', `${method} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`, 'Try again; if it keeps failing, report it with the log.'),
      );
    }
  }

  /** Services emit events here; every transport subscribed receives them in order. */
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    if (!isEventName(name)) throw new Error(`Unknown event ${String(name)}`);
    this.events.emit(name, events[name].parse(payload));
  }

  subscribe(listener: EventListener): Unsubscribe {
    return this.events.on(listener);
  }

  /**
   * The data path (src/shared/terminal-stream.ts): a window's transport opens a session's
   * stream here and gets back what it can do to it. Output goes to `viewer` only: the
   * replay of recent output first, then live batches, until the attachment is closed.
   * Throws a HatchError for a session that does not exist.
   */
  openTerminal(sessionId: unknown, viewer: TerminalViewer): TerminalAttachment {
    if (typeof sessionId !== 'string' || sessionId.length === 0 || sessionId.length > MAX_SESSION_ID_CHARS) {
      throw new HatchError('BadRequest', 'A terminal stream needs a session id.');
    }
    return this.sessions.openTerminal(sessionId, viewer);
  }

  async dispose(): Promise<void> {
    for (const dispose of this.disposers.splice(0).reverse()) {
      try {
        await dispose();
      } catch (error) {
        this.logError(error, 'dispose');
      }
    }
    this.events.clear();
  }
}

function fail(error: HatchError): CallResult {
  return { ok: false, error: error.toShape() };
}
