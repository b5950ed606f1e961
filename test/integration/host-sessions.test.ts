// HatchHost end to end against the real sandbox, through the contract (host.call), as
// the renderer uses it: profiles → nodes → a shell session with flow control, a tunnel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HatchHost } from '../../src/main/host';
import { BuiltinSandbox } from '../../src/main/aws';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';
import { ensurePluginBuilt, pluginBin } from '../helpers/built-bundle';
import { mkdirSync, symlinkSync } from 'node:fs';
import type { EventName, SessionInfo, TunnelInfo, TunnelStats } from '../../src/shared/contract';
import type { ManagedNode } from '../../src/shared/domain/inventory';
import { callHost, waitFor } from '../helpers/host-harness';
import { echoThrough, startEchoServer } from '../helpers/echo';
import { watchTerminal, type TerminalWatch } from '../helpers/terminal-viewer';

let host: HatchHost;
let home: string;
let sandbox: Sandbox;
let pluginDir: string;
const events: Array<{ name: EventName; payload: unknown }> = [];

const call = <T>(method: string, request: unknown = {}) => callHost<T>(host, method, request);


/** Each session's stream, opened as it appears (as a window showing it would). */
const terminals = new Map<string, TerminalWatch>();
/** The next session started is shown by a window that does not acknowledge (flow control test). */
let nextWithoutAcks = false;

function output(sessionId: string): string {
  return terminals.get(sessionId)?.text() ?? '';
}

function sessionEvent(sessionId: string): SessionInfo | undefined {
  return events
    .filter((e) => e.name === 'sessions.changed' && (e.payload as { session: SessionInfo }).session.id === sessionId)
    .map((e) => (e.payload as { session: SessionInfo }).session)
    .at(-1);
}

let nodes: ManagedNode[];
const byName = (name: string) => nodes.find((n) => n.name === name)!;

beforeAll(async () => {
  await ensurePluginBuilt();
  home = mkdtempSync(path.join(os.tmpdir(), 'hatch-home-'));
  pluginDir = path.join(home, 'plugin-bin');
  writeFileSync(path.join(home, 'empty-config'), '');
  host = new HatchHost({
    host: 'web',
    dataDir: path.join(home, '.hatch'),
    env: { HOME: home, AWS_CONFIG_FILE: path.join(home, 'empty-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials') },
    // The embedded sandbox, with agent pacing off so bulk output is quick.
    sandbox: new BuiltinSandbox(async () => (sandbox = await startSandbox({ agentPacing: false, dataDir: path.join(home, 'sandbox') }))),
    // Hatch's own drop-in stands in for AWS's plugin binary (absent on this machine).
    pluginCandidates: () => [path.join(pluginDir, 'session-manager-plugin')],
    logError: () => undefined,
  });
  host.subscribe((name, payload) => {
    events.push({ name, payload });
    const id = name === 'sessions.changed' ? (payload as { session: SessionInfo }).session.id : null;
    if (id && !terminals.has(id)) {
      terminals.set(id, watchTerminal(host, id, { ack: !nextWithoutAcks }));
      nextWithoutAcks = false;
    }
  });
  const { profiles } = await call<{ profiles: Array<{ name: string; kind: string }> }>('profiles.list');
  expect(profiles.find((p) => p.name === 'Sandbox')?.kind).toBe('builtin-sandbox');
  ({ nodes } = await call<{ nodes: ManagedNode[] }>('inventory.list', { profile: 'Sandbox', region: 'us-east-1' }));
});

afterAll(async () => {
  await host?.dispose();
});

describe('HatchHost sessions against the sandbox', () => {
  it('lists the Sandbox nodes with names, and reports progress', () => {
    expect(nodes.length).toBeGreaterThan(5);
    expect(byName('web-1').id).toMatch(/^i-/);
    expect(events.some((e) => e.name === 'inventory.progress')).toBe(true);
    // The pages stream out while listing (before names are joined): every node once.
    const streamed = events
      .filter((e) => e.name === 'inventory.progress')
      .flatMap((e) => (e.payload as { page?: ManagedNode[] }).page ?? [])
      .map((n) => n.id);
    expect(streamed.sort()).toEqual(nodes.map((n) => n.id).sort());
  });

  it('runs a shell on the native engine: output, resize, exit, recording', async () => {
    const session = await call<SessionInfo>('sessions.start', { profile: 'Sandbox', region: 'us-east-1', target: byName('web-1').id, cols: 100, rows: 30, engine: 'native' });
    expect(session.engine).toBe('native');
    expect(JSON.stringify(session)).not.toMatch(/token|StreamUrl/i);
    await waitFor(() => sessionEvent(session.id)?.state === 'live');
    terminals.get(session.id)!.input('echo hatch-$((6*7))\r');
    await waitFor(() => output(session.id).includes('hatch-42'));
    await call('sessions.resize', { sessionId: session.id, cols: 91, rows: 27 });
    terminals.get(session.id)!.input('stty size\r');
    await waitFor(() => output(session.id).includes('27 91'));
    terminals.get(session.id)!.input('exit 3\r');
    const ended = await waitFor(() => (sessionEvent(session.id)?.state === 'ended' ? sessionEvent(session.id) : undefined));
    expect(ended.endReason).toBe('exit');
    expect(ended.recordingPath).toBeTruthy();
    await waitFor(() => readFileSync(ended.recordingPath!, 'utf8').includes('hatch-42'));
    const header = JSON.parse(readFileSync(ended.recordingPath!, 'utf8').split('\n')[0]);
    expect(header).toMatchObject({ version: 2, width: 100, height: 30 });
  });

  it('stops reading output while the window does not acknowledge it, and resumes when it does', async () => {
    nextWithoutAcks = true;
    const session = await call<SessionInfo>('sessions.start', { profile: 'Sandbox', region: 'us-east-1', target: byName('web-2').id, cols: 80, rows: 24, engine: 'native' });
    await waitFor(() => sessionEvent(session.id)?.state === 'live');
    const total = 3_000_000;
    terminals.get(session.id)!.input(`stty -echo; head -c ${total} /dev/zero | tr '\\0' y; echo; echo FLOOD-DONE-$((40+2))\r`);
    // Without acknowledgements the output stops well short of the whole flood.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const held = output(session.id).length;
    expect(held).toBeGreaterThan(50_000);
    expect(held).toBeLessThan(total / 2);
    // Acknowledge as a window would (a cumulative count): the rest arrives.
    await waitFor(() => {
      terminals.get(session.id)!.attachment.ack(output(session.id).length);
      return output(session.id).includes('FLOOD-DONE-42');
    }, 60_000);
    expect(output(session.id).split('y').length - 1).toBeGreaterThanOrEqual(total);
    const terminateCalls = () => sandbox.stats.byOperation['ssm:TerminateSession'] ?? 0;
    const before = terminateCalls();
    await call('sessions.terminate', { sessionId: session.id });
    const ended = await waitFor(() => (sessionEvent(session.id)?.state === 'ended' ? sessionEvent(session.id) : undefined));
    expect(ended.endReason).toBe('terminated');
    // The engine and the manager share one TerminateSession: the service saw exactly one.
    expect(terminateCalls() - before).toBe(1);
  });

  it('resumes a native session after the connection drops, with the shell state intact', async () => {
    const session = await call<SessionInfo>('sessions.start', { profile: 'Sandbox', region: 'us-east-1', target: byName('bastion').id, cols: 80, rows: 24, engine: 'native' });
    await waitFor(() => sessionEvent(session.id)?.state === 'live');
    terminals.get(session.id)!.input('export HATCH_MARK=kept-$((20+1))\r');
    terminals.get(session.id)!.input('echo set-$HATCH_MARK\r');
    await waitFor(() => output(session.id).includes('set-kept-21'));
    const states: string[] = [];
    const off = host.subscribe((name, payload) => {
      if (name === 'sessions.changed' && (payload as { session: SessionInfo }).session.id === session.id) states.push((payload as { session: SessionInfo }).session.state);
    });
    sandbox.agent.cutAll();
    await waitFor(() => states.includes('reconnecting') && states.at(-1) === 'live');
    off();
    terminals.get(session.id)!.input('echo after-$HATCH_MARK\r');
    await waitFor(() => output(session.id).includes('after-kept-21'));
    await call('sessions.terminate', { sessionId: session.id });
  });

  it('runs an interactive command document in a tab like a shell', async () => {
    const session = await call<SessionInfo>('sessions.start', {
      profile: 'Sandbox',
      region: 'us-east-1',
      target: byName('web-1').id,
      documentName: 'AWS-StartInteractiveCommand',
      parameters: { command: ['echo interactive-$((3*3))'] },
      cols: 80,
      rows: 24,
      engine: 'native',
    });
    expect(session.documentName).toBe('AWS-StartInteractiveCommand');
    await waitFor(() => output(session.id).includes('interactive-9'));
    const ended = await waitFor(() => (sessionEvent(session.id)?.state === 'ended' ? sessionEvent(session.id) : undefined));
    expect(ended.endReason).toBe('exit');
  });

  it('runs a shell through the plugin engine (session-manager-plugin in a pty), found where AWS installs it', async () => {
    expect((await call<{ plugin: { found: boolean } }>('sessions.engines')).plugin.found).toBe(false);
    mkdirSync(pluginDir, { recursive: true });
    symlinkSync(pluginBin, path.join(pluginDir, 'session-manager-plugin'));
    // Installed while Hatch runs: the next lookup finds it.
    const engines = await call<{ plugin: { found: boolean; version: string | null } }>('sessions.engines');
    if (!engines.plugin.found) return expect.fail('plugin not found by the locator');
    expect(engines.plugin.version).toMatch(/^\d+(\.\d+){0,3}$/);
    const session = await call<SessionInfo>('sessions.start', { profile: 'Sandbox', region: 'us-east-1', target: byName('web-2').id, cols: 90, rows: 25 });
    expect(session.engine).toBe('plugin'); // the default when the plugin is installed
    terminals.get(session.id)!.input('echo plugin-$((6*7))\r');
    await waitFor(() => output(session.id).includes('plugin-42'));
    // The tab tells the truth: live once the plugin reported the session started, not stuck on "connecting".
    expect(output(session.id)).toContain(`Starting session with SessionId: ${session.awsSessionId}`);
    await waitFor(() => sessionEvent(session.id)?.state === 'live');
    // The start size reached the remote pty, and a resize goes through the plugin too
    // (Hatch resizes the plugin's pty; the plugin sends the new size on SIGWINCH).
    terminals.get(session.id)!.input('echo size-$(stty size | tr " " x)\r');
    await waitFor(() => output(session.id).includes('size-25x90'));
    await call('sessions.resize', { sessionId: session.id, cols: 101, rows: 33 });
    // The plugin learns of the resize by SIGWINCH, asynchronously to the keystrokes typed
    // after it: ask again until the remote pty reports the new size.
    let asked = 0;
    await waitFor(() => {
      if (output(session.id).includes('size-33x101')) return true;
      if (asked++ % 25 === 0) void call('sessions.write', { sessionId: session.id, data: 'echo size-$(stty size | tr " " x)\r' });
      return false;
    });
    terminals.get(session.id)!.input('exit\r');
    const ended = await waitFor(() => (sessionEvent(session.id)?.state === 'ended' ? sessionEvent(session.id) : undefined));
    expect(ended.endReason).toBe('exit');
  });

  it('explains a node that is not connected', async () => {
    const lost = nodes.find((n) => n.pingStatus !== 'Online')!;
    const error = await call('sessions.start', { profile: 'Sandbox', region: 'us-east-1', target: lost.id, cols: 80, rows: 24 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AwsError', detail: 'TargetNotConnected' });
    expect((error as Error).message).toContain('not connected');
  });

  it('forwards a local port through a node, counts bytes, and refuses a port in use', async () => {
    const echo = await startEchoServer();
    const remotePort = echo.port;
    const tunnel = await call<TunnelInfo>('tunnels.start', { profile: 'Sandbox', region: 'us-east-1', target: byName('db-jump').id, remotePort, localPort: 0 });
    expect(tunnel.state).toBe('open');
    expect(tunnel.localPort).toBeGreaterThan(0);
    const payload = Buffer.alloc(300_000, 'hatch');
    const echoed = await echoThrough(tunnel.localPort, payload);
    expect(echoed.equals(payload)).toBe(true);
    const stats = await waitFor(() =>
      events
        .filter((e) => e.name === 'tunnels.stats')
        .flatMap((e) => (e.payload as { stats: TunnelStats[] }).stats)
        .find((s) => s.id === tunnel.id && s.bytesDown >= payload.length),
    );
    expect(stats.bytesUp).toBeGreaterThanOrEqual(payload.length);

    const clash = await call('tunnels.start', { profile: 'Sandbox', region: 'us-east-1', target: byName('db-jump').id, remotePort, localPort: tunnel.localPort }).catch((e: unknown) => e);
    expect(clash).toMatchObject({ code: 'BadRequest' });
    expect((clash as Error).message).toContain('already in use');

    await call('tunnels.stop', { tunnelId: tunnel.id });
    const { tunnels } = await call<{ tunnels: TunnelInfo[] }>('tunnels.list');
    expect(tunnels.find((t) => t.id === tunnel.id)?.state).toBe('stopped');
    echo.close();
  });
});
