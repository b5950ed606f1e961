// The one contract between the renderer and main. Every call (request → response) and
// every event stream is declared here once, with a zod schema for each payload. Both
// transports (Electron IPC and the browser host's WebSocket) are generated from it, and
// responses are parsed with their schema on the way out, so a field that is not declared
// here (a secret, a token) can never reach the renderer.
import { z } from 'zod';

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

export const ProfileKind = z.enum([
  'builtin-sandbox',
  'static',
  'assume-role',
  'mfa',
  'sso',
  'credential-process',
  'web-identity',
  'unknown',
]);

export const ProfileSummary = z.object({
  name: z.string(),
  kind: ProfileKind,
  region: z.string().nullable(),
  endpointUrl: z.string().nullable(),
  credentialState: z.enum(['ready', 'needs-mfa', 'needs-sso', 'error', 'unknown']),
  error: z.string().nullable(),
  source: z.enum(['config', 'builtin']),
});
export type ProfileSummary = z.infer<typeof ProfileSummary>;

export const Notice = z.object({
  level: z.enum(['info', 'warning', 'error']),
  message: z.string(),
  /** What the user can do next, phrased as a button label. */
  action: z.string().nullable(),
});
export type Notice = z.infer<typeof Notice>;

const Empty = z.object({}).strict();

// ── Calls ──────────────────────────────────────────────────────────────────────────

/** Every call: its name is the key, used as-is on both transports. */
export const calls = {
  'system.info': { request: Empty, response: SystemInfo },
  'system.ping': { request: z.object({ nonce: z.string().max(200) }).strict(), response: z.object({ nonce: z.string() }) },
  'profiles.list': { request: Empty, response: z.object({ profiles: z.array(ProfileSummary) }) },
} as const;

// ── Events (main → renderer) ───────────────────────────────────────────────────────

export const events = {
  'system.notice': Notice,
  'profiles.changed': z.object({ profiles: z.array(ProfileSummary) }),
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

export const ErrorCode = z.enum([
  'UnknownMethod', // no such call in the contract
  'BadRequest', // the payload failed its schema
  'Forbidden', // the sender is not one of ours
  'NotFound',
  'Unavailable', // a dependency (sandbox, network, AWS) could not be reached
  'AwsError', // AWS answered with an error; `detail` names it
  'Internal', // a bug: the service threw something unexpected
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

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
  const listeners = new Map<string, Set<(payload: never) => void>>();
  bridge.subscribe((name, payload) => {
    for (const listener of listeners.get(name) ?? []) listener(payload as never);
  });
  return {
    async call(method, request) {
      const result = await bridge.invoke(method, request);
      if (result.ok) return result.value as never;
      const { code, message, action, detail } = result.error;
      throw new HatchError(code, message, action, detail);
    },
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
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
  request: z.unknown(),
});
export type WireFromRenderer = z.infer<typeof WireFromRenderer>;

export type WireToRenderer =
  | { kind: 'result'; id: number; result: CallResult }
  | { kind: 'event'; name: string; payload: unknown };
