// The one contract between the renderer and main. Every call (request → response) and
// every event stream is declared here once, with a zod schema for each payload. Both
// transports (Electron IPC and the browser host's WebSocket) are generated from it, and
// responses are parsed with their schema on the way out, so a field that is not declared
// here (a secret, a token) can never reach the renderer.
import { z } from 'zod';
import { EditableProfile, MfaAnswer, MfaPrompt, ProfileInput, ProfileSummary, SsoDeviceCode } from './domain/profiles';
import { InventorySnapshot, ListProgress } from './domain/inventory';
import { documentsCalls, documentsEvents } from './contract-documents';
import { containersCalls, containersEvents } from './contract-containers';
import { accessCalls, accessEvents } from './contract-access';
import { EngineKind, SessionInfo } from './domain/sessions';
import { ECS_TARGET } from './domain/containers';
import { settingsCalls, settingsEvents } from './contract-settings';
import { transfersCalls, transfersEvents } from './contract-transfers';
import { Emitter } from './emitter';

// ── Domain schemas shared by several entries ───────────────────────────────────────

export const SystemInfo = z.object({
  appName: z.literal('Hatch'),
  appVersion: z.string(),
  host: z.enum(['electron', 'web']),
  platform: z.string(),
  arch: z.string(),
  nodeVersion: z.string(),
  electronVersion: z.string().nullable(),
  chromeVersion: z.string().nullable(),
});
export type SystemInfo = z.infer<typeof SystemInfo>;

export { ProfileSummary } from './domain/profiles';

export const Notice = z.object({
  level: z.enum(['info', 'warning', 'error']),
  message: z.string(),
  /** What the user can do next, phrased as a button label. */
  action: z.string().nullable(),
});
export type Notice = z.infer<typeof Notice>;

const Empty = z.object({}).strict();

// Session schemas live in domain/sessions.ts so area contracts (contract-containers.ts) can use them.
export { EngineKind, SessionState, SessionEndReason, SessionInfo } from './domain/sessions';

/** Most port sessions one tunnel may pool (each is paced to ~1 MB/s by the agent). */
export const MAX_TUNNEL_POOL = 8;
const TunnelState = z.enum(['starting', 'open', 'reconnecting', 'stopped', 'failed']);
/** A port forward as the renderer sees it; bytes never pass through the renderer. */
export const TunnelInfo = z.object({
  id: z.string(),
  label: z.string(),
  profile: z.string(),
  region: z.string(),
  target: z.string(),
  remoteHost: z.string().nullable(),
  remotePort: z.number().int(),
  bindAddress: z.string(),
  localPort: z.number().int(),
  state: TunnelState,
  mode: z.enum(['basic', 'multiplexed', 'stdio']).nullable(),
  /** The first live session of the pool (null while none is up). */
  awsSessionId: z.string().nullable(),
  /** Port sessions behind the one local port; connections go to the least-loaded one. */
  poolSize: z.number().int().min(1).max(MAX_TUNNEL_POOL).default(1),
  /** Every live session of the pool. */
  awsSessionIds: z.array(z.string()).default([]),
  message: z.string().nullable(),
  startedAt: z.number(),
});
export type TunnelInfo = z.infer<typeof TunnelInfo>;
export const TunnelStats = z.object({
  id: z.string(),
  bytesUp: z.number(),
  bytesDown: z.number(),
  /** bytes per second over the last interval */
  rateUp: z.number(),
  rateDown: z.number(),
  activeConnections: z.number().int(),
  totalConnections: z.number().int(),
  connectErrors: z.number().int(),
  /** Per live session of the pool: connections it was given and bytes it carried. */
  sessions: z
    .array(
      z.object({
        awsSessionId: z.string(),
        activeConnections: z.number().int(),
        totalConnections: z.number().int(),
        bytesUp: z.number(),
        bytesDown: z.number(),
      }),
    )
    .default([]),
});
export type TunnelStats = z.infer<typeof TunnelStats>;
const Port = z.number().int().min(1).max(65535);

/** Bind addresses that only this machine can reach; any other needs the person's confirmation. */
export function isLoopbackBind(address: string): boolean {
  return address === '127.0.0.1' || address === '::1' || address === 'localhost';
}
const NodeId = z.string().regex(/^(i|mi)-[0-9a-f]{8,17}$/, 'a managed node id such as i-0123456789abcdef0');
/** One sessions.write carries at most this many characters (a paste is split: splitTerminalInput). */
export const MAX_TERMINAL_WRITE_CHARS = 64 * 1024;

const SessionRef = z.object({ sessionId: z.string().min(1).max(200) }).strict();
const TerminalSize = { cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) };

const PluginStatus = z.object({
  found: z.boolean(),
  path: z.string().nullable(),
  version: z.string().nullable(),
  installHint: z.string(),
});

// ── Calls ──────────────────────────────────────────────────────────────────────────

/** Every call: its name is the key, used as-is on both transports. */
export const calls = {
  ...documentsCalls,
  ...containersCalls,
  ...accessCalls,
  ...settingsCalls,
  ...transfersCalls,
  'system.info': { request: Empty, response: SystemInfo },
  'system.ping': { request: z.object({ nonce: z.string().max(200) }).strict(), response: z.object({ nonce: z.string() }) },
  'profiles.list': { request: Empty, response: z.object({ profiles: z.array(ProfileSummary) }) },
  'profiles.get': { request: z.object({ name: z.string().min(1).max(128) }).strict(), response: EditableProfile },
  'profiles.add': { request: ProfileInput, response: ProfileSummary },
  'profiles.update': { request: ProfileInput, response: ProfileSummary },
  'profiles.remove': { request: z.object({ name: z.string().min(1).max(128) }).strict(), response: Empty },
  /** Sign in (SSO device flow) or ask for an MFA code now, instead of on first use. */
  'credentials.signIn': { request: z.object({ profile: z.string().min(1).max(200) }).strict(), response: Empty },
  'credentials.answerMfa': { request: MfaAnswer, response: z.object({ accepted: z.boolean() }) },
  'credentials.pendingMfa': { request: Empty, response: z.object({ prompts: z.array(MfaPrompt) }) },
  'inventory.list': {
    request: z.object({ profile: z.string().min(1).max(200), region: z.string().min(1).max(40), refresh: z.boolean().optional() }).strict(),
    response: InventorySnapshot,
  },
  'inventory.cancel': { request: z.object({ profile: z.string().min(1).max(200), region: z.string().min(1).max(40) }).strict(), response: Empty },
  'sessions.engines': { request: Empty, response: z.object({ plugin: PluginStatus, native: z.literal(true) }) },
  'sessions.start': {
    request: z
      .object({
        profile: z.string().min(1).max(200),
        region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'a region such as us-east-1'),
        target: z.string().regex(/^(i|mi)-[0-9a-f]{8,17}$/, 'a managed node id such as i-0123456789abcdef0'),
        documentName: z.string().min(1).max(128).optional(),
        parameters: z.record(z.string(), z.array(z.string().max(4096)).max(50)).optional(),
        reason: z.string().min(1).max(256).optional(),
        engine: EngineKind.optional(),
        ...TerminalSize,
      })
      .strict(),
    response: SessionInfo,
  },
  'sessions.list': { request: Empty, response: z.object({ sessions: z.array(SessionInfo) }) },
  /** Keystrokes for scripts and tests; a window types on the session's own stream (terminal-stream.ts). */
  'sessions.write': { request: SessionRef.extend({ data: z.string().max(MAX_TERMINAL_WRITE_CHARS) }).strict(), response: Empty },
  'sessions.resize': { request: SessionRef.extend(TerminalSize).strict(), response: Empty },
  'sessions.terminate': { request: SessionRef, response: Empty },
  'sessions.restart': { request: SessionRef, response: SessionInfo },
  'sessions.stats': {
    request: SessionRef,
    response: z.object({
      latencyMs: z.number().nullable(),
      lastActivityAt: z.number(),
      /** Output a window still has to write: the slowest attached window's backlog, or, with none attached, output no window has shown (chars). */
      bufferedChars: z.number().int().nonnegative(),
      /** Flow control has stopped reading the engine (a window is behind, or none is attached and the ring is full). */
      outputPaused: z.boolean(),
      /** Windows (or browser connections) showing the session now. */
      attachedWindows: z.number().int().nonnegative(),
      /** Output main keeps for a window that attaches (the replay ring), in chars. */
      replayChars: z.number().int().nonnegative(),
    }),
  },
  'tunnels.start': {
    request: z
      .object({
        profile: z.string().min(1).max(200),
        region: z.string().min(1).max(40),
        /** A managed node, or an ECS container (`ecs:<cluster>_<taskId>_<runtimeId>`): a port forward to the container. */
        target: z.union([NodeId, z.string().regex(ECS_TARGET, 'an ECS container target ecs:<cluster>_<taskId>_<runtimeId>')]),
        remotePort: Port,
        remoteHost: z.string().min(1).max(253).regex(/^[A-Za-z0-9.-]+$/, 'a host name or IPv4 address').optional(),
        localPort: z.number().int().min(0).max(65535),
        bindAddress: z.union([z.literal('127.0.0.1'), z.literal('::1'), z.literal('0.0.0.0'), z.literal('localhost')]).default('127.0.0.1'),
        /** The person confirmed that a bind address other than loopback opens the port to other machines (main refuses it otherwise). */
        exposeToNetwork: z.literal(true).optional(),
        label: z.string().max(100).optional(),
        /** Sessions behind the local port (1 = one session, as the AWS CLI does). */
        poolSize: z.number().int().min(1).max(MAX_TUNNEL_POOL).default(1),
      })
      .strict(),
    response: TunnelInfo,
  },
  'tunnels.list': { request: Empty, response: z.object({ tunnels: z.array(TunnelInfo) }) },
  'tunnels.stop': { request: z.object({ tunnelId: z.string().min(1).max(100) }).strict(), response: Empty },
  'tunnels.restart': { request: z.object({ tunnelId: z.string().min(1).max(100) }).strict(), response: TunnelInfo },
  /**
   * Open an open tunnel's local address in the web browser: main builds the URL from the
   * tunnel's own loopback port and opens it (Electron); without a desktop (the browser host)
   * it only answers the URL, for the page to open.
   */
  'tunnels.openInBrowser': { request: z.object({ tunnelId: z.string().min(1).max(100) }).strict(), response: z.object({ url: z.string(), opened: z.boolean() }) },
  /** Forget a stopped or failed tunnel (it leaves the Tunnels view). */
  'tunnels.remove': { request: z.object({ tunnelId: z.string().min(1).max(100) }).strict(), response: Empty },
} as const;

// ── Events (main → renderer) ───────────────────────────────────────────────────────

export const events = {
  ...documentsEvents,
  ...containersEvents,
  ...accessEvents,
  ...settingsEvents,
  ...transfersEvents,
  'system.notice': Notice,
  /** A native menu (or dock/tray) command, for the focused window's renderer to carry out. */
  'app.command': z.object({ command: z.enum(['new-session', 'close-tab', 'command-palette', 'toggle-theme']) }),
  'profiles.changed': z.object({ profiles: z.array(ProfileSummary) }),
  'inventory.progress': ListProgress,
  'credentials.mfaRequested': MfaPrompt,
  'credentials.mfaSettled': z.object({ requestId: z.string() }),
  'credentials.ssoDeviceCode': SsoDeviceCode,
  'credentials.ssoDone': z.object({ profile: z.string(), outcome: z.enum(['signed-in', 'failed']) }),
  'sessions.changed': z.object({ session: SessionInfo }),
  'tunnels.changed': z.object({ tunnel: TunnelInfo }),
  'tunnels.removed': z.object({ tunnelId: z.string() }),
  /** Counters of every running tunnel, about once a second. */
  'tunnels.stats': z.object({ stats: z.array(TunnelStats) }),
} as const;

export type Calls = typeof calls;
export type Method = keyof Calls;
export type CallRequest<M extends Method> = z.input<Calls[M]['request']>;
export type CallResponse<M extends Method> = z.output<Calls[M]['response']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export function isMethod(name: unknown): name is Method {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

// ── Errors and results ─────────────────────────────────────────────────────────────

const ErrorCode = z.enum([
  'UnknownMethod', // no such call in the contract
  'BadRequest', // the payload failed its schema
  'Forbidden', // the sender is not one of ours
  'NotFound',
  'Unavailable', // a dependency (sandbox, network, AWS) could not be reached
  'AwsError', // AWS answered with an error; `detail` names it
  'Internal', // a bug: the service threw something unexpected
]);
type ErrorCode = z.infer<typeof ErrorCode>;

export const HatchErrorShape = z.object({
  code: ErrorCode,
  message: z.string(),
  /** What to do next, for the user. */
  action: z.string().nullable(),
  detail: z.string().nullable(),
});
export type HatchErrorShape = z.infer<typeof HatchErrorShape>;

/** An error a service throws on purpose; its message is shown to the user as-is. */
export class HatchError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly action: string | null = null,
    readonly detail: string | null = null,
  ) {
    super(message);
    this.name = 'HatchError';
  }

  toShape(): HatchErrorShape {
    return { code: this.code, message: this.message, action: this.action, detail: this.detail };
  }
}

export type CallResult<T = unknown> = { ok: true; value: T } | { ok: false; error: HatchErrorShape };

// ── The renderer's view of the contract ───────────────────────────────────────────

/** What the renderer talks to, whichever transport carries it. */
export interface HatchApi {
  call<M extends Method>(method: M, request: CallRequest<M>): Promise<CallResponse<M>>;
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** The raw bridge a transport offers (Electron preload or WebSocket): untyped, results enveloped. */
export interface HatchBridge {
  invoke(method: string, request: unknown): Promise<CallResult>;
  subscribe(listener: (name: string, payload: unknown) => void): () => void;
}

/** The typed client over any bridge: results unwrapped, errors rethrown as HatchError. */
export function createHatchApi(bridge: HatchBridge): HatchApi {
  const listeners = new Map<string, Emitter<[payload: never]>>();
  bridge.subscribe((name, payload) => listeners.get(name)?.emit(payload as never));
  return {
    async call(method, request) {
      const result = await bridge.invoke(method, request);
      if (result.ok) return result.value as never;
      const { code, message, action, detail } = result.error;
      throw new HatchError(code, message, action, detail);
    },
    on(name, listener) {
      let emitter = listeners.get(name);
      if (!emitter) listeners.set(name, (emitter = new Emitter()));
      return emitter.on(listener as (payload: never) => void);
    },
  };
}

// ── Transport names (written once) ────────────────────────────────────────────────

export { ipcChannels } from './ipc-channels';

/** Messages on the browser host's WebSocket. */
export const WireFromRenderer = z.object({
  kind: z.literal('call'),
  id: z.number().int().nonnegative(),
  method: z.string().max(100),
  request: z.unknown().optional(),
});
export type WireFromRenderer = z.infer<typeof WireFromRenderer>;

export type WireToRenderer =
  | { kind: 'result'; id: number; result: CallResult }
  | { kind: 'event'; name: string; payload: unknown };
