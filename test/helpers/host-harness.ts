// A HatchHost against its embedded sandbox, driven through the contract (host.call) as a
// renderer drives it, for the integration tests of sessions, flow control, tunnels and
// recordings. Like a window that shows every session, it opens each session's terminal
// stream (host.openTerminal) as soon as the session appears, and collects its output.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HatchHost, type HatchHostOptions } from '../../src/main/host';
import { BuiltinSandbox } from '../../src/main/aws';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index';
import type { CallResult, EventName, SessionInfo, TunnelInfo, TunnelStats } from '../../src/shared/contract';
import type { TerminalAttachment } from '../../src/main/sessions/session-output';
import type { ManagedNode } from '../../src/shared/domain/inventory';

export interface HostHarness {
  host: HatchHost;
  sandbox: Sandbox;
  home: string;
  nodes: ManagedNode[];
  byName(name: string): ManagedNode;
  call<T>(method: string, request?: unknown): Promise<T>;
  /** Everything the harness's stream received for a session, in order. */
  output(sessionId: string): string;
  /** Each output message of a session's stream, in order. */
  batches(sessionId: string): string[];
  /** The harness's stream of a session (keystrokes go one-way, as a window types). */
  terminal(sessionId: string): TerminalAttachment;
  /** The latest sessions.changed payload of a session. */
  session(sessionId: string): SessionInfo | undefined;
  tunnel(tunnelId: string): TunnelInfo | undefined;
  /** The latest tunnels.stats entry of a tunnel. */
  tunnelStats(tunnelId: string): TunnelStats | undefined;
  /** Acknowledge each batch as soon as it arrives (a renderer keeping up), or stop doing so. */
  autoAck(sessionId: string, on: boolean): void;
  /** Acknowledge everything received so far that was not acknowledged yet. */
  ackAll(sessionId: string): Promise<void>;
  /** Start a native shell session and wait until it is live with a prompt. */
  shell(nodeName: string, options?: { engine?: 'native' | 'plugin'; cols?: number; rows?: number; autoAck?: boolean }): Promise<SessionInfo>;
  waitEnded(sessionId: string, timeoutMs?: number): Promise<SessionInfo>;
  dispose(): Promise<void>;
}

/** host.call as the renderer's HatchApi sees it: the value, or a thrown error with its code. */
export async function callHost<T>(host: HatchHost, method: string, request: unknown = {}): Promise<T> {
  const result: CallResult = await host.call(method, request);
  if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
  return result.value as T;
}

export function waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 20_000, what = 'a condition'): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      let value: T | undefined | null | false;
      try {
        value = predicate();
      } catch (error) {
        return reject(error);
      }
      if (value) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

/** waitFor for an async check (a host.call, say): polls until it yields a value. */
export async function waitForAsync<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, what = 'a condition'): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Terminal text as plain lines: control sequences (bracketed paste, …) and CRs removed. */
export function plainLines(text: string): string[] {
  // eslint-disable-next-line no-control-regex -- ESC is exactly what is being removed
  return text.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '').replace(/\r/g, '').split('\n');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface HostHarnessOptions {
  sandbox?: SandboxOptions;
  pluginCandidates?: () => string[];
  /** Open every session's stream as it appears (default); false: the test opens its own. */
  watch?: boolean;
  /** More HatchHost options (host kind, RDP launcher, hatch command, show in folder). */
  host?: Partial<Pick<HatchHostOptions, 'host' | 'rdp' | 'hatchCommand' | 'revealFile' | 'systemNotify'>>;
}

export async function startHostHarness(options: HostHarnessOptions = {}): Promise<HostHarness> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'hatch-home-'));
  writeFileSync(path.join(home, 'empty-config'), '');
  let sandbox!: Sandbox;
  const host = new HatchHost({
    host: 'web',
    dataDir: path.join(home, '.hatch'),
    env: { HOME: home, AWS_CONFIG_FILE: path.join(home, 'empty-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials') },
    sandbox: new BuiltinSandbox(async () => (sandbox = await startSandbox({ dataDir: path.join(home, 'sandbox'), ...options.sandbox }))),
    pluginCandidates: options.pluginCandidates ?? (() => []),
    logError: () => undefined,
    ...options.host,
    downloadsDir: path.join(home, 'Downloads'),
  });

  const outputs = new Map<string, string[]>();
  const streams = new Map<string, TerminalAttachment>();
  const acked = new Map<string, number>();
  const received = new Map<string, number>();
  const autoAcking = new Set<string>();
  const sessions = new Map<string, SessionInfo>();
  const tunnels = new Map<string, TunnelInfo>();
  const tunnelStats = new Map<string, TunnelStats>();

  const call = <T>(method: string, request: unknown = {}) => callHost<T>(host, method, request);
  const ackAll = async (sessionId: string) => {
    const total = received.get(sessionId) ?? 0;
    if (total <= (acked.get(sessionId) ?? 0)) return;
    acked.set(sessionId, total);
    streams.get(sessionId)?.ack(total); // cumulative, as a window acknowledges
  };

  const openStream = (sessionId: string) => {
    const list: string[] = [];
    outputs.set(sessionId, list);
    const stream = host.openTerminal(sessionId, {
      output: (data) => {
        list.push(data);
        received.set(sessionId, (received.get(sessionId) ?? 0) + data.length);
        // Like xterm's write callback: acknowledged once written, asynchronously.
        if (autoAcking.has(sessionId)) setImmediate(() => void ackAll(sessionId));
      },
      end: () => streams.delete(sessionId),
    });
    streams.set(sessionId, stream);
  };

  host.subscribe((name: EventName, payload: unknown) => {
    if (name === 'sessions.changed') {
      const { session } = payload as { session: SessionInfo };
      sessions.set(session.id, session);
      if (options.watch !== false && !outputs.has(session.id)) openStream(session.id);
    } else if (name === 'tunnels.changed') {
      const { tunnel } = payload as { tunnel: TunnelInfo };
      tunnels.set(tunnel.id, tunnel);
    } else if (name === 'tunnels.stats') {
      for (const entry of (payload as { stats: TunnelStats[] }).stats) tunnelStats.set(entry.id, entry);
    }
  });

  const { nodes } = await call<{ nodes: ManagedNode[] }>('inventory.list', { profile: 'Sandbox', region: 'us-east-1' });
  const byName = (name: string) => {
    const node = nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no sandbox node named ${name}`);
    return node;
  };
  const output = (sessionId: string) => (outputs.get(sessionId) ?? []).join('');

  const harness: HostHarness = {
    host,
    get sandbox() {
      return sandbox;
    },
    home,
    nodes,
    byName,
    call,
    output,
    batches: (sessionId) => [...(outputs.get(sessionId) ?? [])],
    terminal: (sessionId) => {
      const stream = streams.get(sessionId);
      if (!stream) throw new Error(`no terminal stream for session ${sessionId}`);
      return stream;
    },
    session: (sessionId) => sessions.get(sessionId),
    tunnel: (tunnelId) => tunnels.get(tunnelId),
    tunnelStats: (tunnelId) => tunnelStats.get(tunnelId),
    autoAck: (sessionId, on) => {
      if (on) {
        autoAcking.add(sessionId);
        void ackAll(sessionId);
      } else autoAcking.delete(sessionId);
    },
    ackAll,
    shell: async (nodeName, opts = {}) => {
      const info = await call<SessionInfo>('sessions.start', {
        profile: 'Sandbox',
        region: 'us-east-1',
        target: byName(nodeName).id,
        cols: opts.cols ?? 80,
        rows: opts.rows ?? 24,
        engine: opts.engine ?? 'native',
      });
      if (opts.autoAck !== false) harness.autoAck(info.id, true);
      await waitFor(() => sessions.get(info.id)?.state === 'live', 20_000, `session ${info.id} live`);
      await waitFor(() => /[$#] $/m.test(output(info.id)), 20_000, `a prompt in session ${info.id}`);
      return info;
    },
    waitEnded: (sessionId, timeoutMs = 20_000) =>
      waitFor(() => (sessions.get(sessionId)?.state === 'ended' ? sessions.get(sessionId) : undefined), timeoutMs, `session ${sessionId} to end`),
    dispose: () => host.dispose(),
  };
  return harness;
}
