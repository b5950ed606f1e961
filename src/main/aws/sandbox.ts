// The built-in "Sandbox" profile: a local Session Manager started on first use, so a
// new user can try everything without an AWS account. It is reached like AWS, through
// an endpoint and static credentials in the client config — no special code path.
import { Emitter } from '../../shared/emitter';

export const SANDBOX_PROFILE = 'Sandbox';

/** What `startSandbox()` (src/sandbox/index.ts) hands back; only these fields are used. */
export interface SandboxHandle {
  endpoint: string;
  region: string;
  /** Regions that have nodes (the region picker's choices), region first. */
  regions?: string[];
  credentials: { accessKeyId: string; secretAccessKey: string };
  close(): Promise<void> | void;
}

export type SandboxStarter = () => Promise<SandboxHandle>;

export class BuiltinSandbox {
  private starting: Promise<SandboxHandle> | undefined;
  private handle: SandboxHandle | undefined;
  private lastError: string | undefined;
  private readonly listeners = new Emitter();

  constructor(private readonly start: SandboxStarter) {}

  /** The running sandbox, if it has been started. */
  get current(): SandboxHandle | undefined {
    return this.handle;
  }

  get error(): string | undefined {
    return this.lastError;
  }

  /** Start once; concurrent callers share the start. A failed start can be retried. */
  ensure(): Promise<SandboxHandle> {
    if (!this.starting) {
      this.starting = this.start().then(
        (handle) => {
          this.handle = handle;
          this.lastError = undefined;
          this.notify();
          return handle;
        },
        (error: unknown) => {
          this.starting = undefined;
          this.lastError = error instanceof Error ? error.message : String(error);
          this.notify();
          throw error;
        },
      );
    }
    return this.starting;
  }

  onChange(listener: () => void): () => void {
    return this.listeners.on(listener);
  }

  async close(): Promise<void> {
    const starting = this.starting;
    this.starting = undefined;
    this.handle = undefined;
    if (!starting) return;
    const handle = await starting.catch(() => undefined);
    await handle?.close();
  }

  private notify(): void {
    this.listeners.emit();
  }
}

/**
 * The built-in Sandbox backed by src/sandbox. Loaded lazily: the sandbox's code is only
 * imported when the user first uses the profile. Pass a `dataDir` (e.g. the app's
 * userData) so its keys survive restarts.
 */
export function createBuiltinSandbox(options: { dataDir?: string; nodes?: number } = {}): BuiltinSandbox {
  return new BuiltinSandbox(async () => {
    const { startSandbox } = await import('../../sandbox/index');
    const sandbox = await startSandbox(options);
    const regions = [...new Set([sandbox.region, ...sandbox.fleet.nodes.map((n) => n.region)])];
    return Object.assign(sandbox, { regions });
  });
}
