// HatchHost composes the services and is the only thing either transport calls. It owns
// the contract's runtime checks: an unknown method or a payload that fails its schema is
// answered with a typed error and never reaches a service; every response and event is
// parsed with its schema on the way out (undeclared fields are stripped).
import {
  calls,
  events,
  HatchError,
  isEventName,
  isMethod,
  type CallResponse,
  type CallResult,
  type Calls,
  type EventName,
  type EventPayload,
  type Method,
} from '../shared/contract';
import type { z } from 'zod';
import { SystemService, type HostKind } from './system/system-service';
import { ProfileDirectory } from './system/profile-directory';

export type Handlers = {
  [M in Method]: (request: z.output<Calls[M]['request']>) => Promise<CallResponse<M>> | CallResponse<M>;
};

export type EventListener = (name: EventName, payload: unknown) => void;

export interface HatchHostOptions {
  host: HostKind;
  /** Where a thrown non-HatchError is reported (a bug); defaults to console.error. */
  logError?: (error: unknown, method: string) => void;
}

export class HatchHost {
  private readonly listeners = new Set<EventListener>();
  private readonly handlers: Handlers;
  private readonly logError: (error: unknown, method: string) => void;
  private readonly disposers: Array<() => void | Promise<void>> = [];

  constructor(options: HatchHostOptions) {
    this.logError = options.logError ?? ((error, method) => console.error(`[hatch] ${method} failed:`, error));
    const system = new SystemService(options.host);
    const profiles = new ProfileDirectory();
    this.handlers = {
      'system.info': () => system.info(),
      'system.ping': ({ nonce }) => ({ nonce }),
      'profiles.list': () => ({ profiles: profiles.list() }),
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
    const checked = events[name].parse(payload);
    for (const listener of this.listeners) listener(name, checked);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async dispose(): Promise<void> {
    for (const dispose of this.disposers.splice(0).reverse()) await dispose();
    this.listeners.clear();
  }
}

function fail(error: HatchError): CallResult {
  return { ok: false, error: error.toShape() };
}
