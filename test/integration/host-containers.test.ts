// Containers through HatchHost (as the renderer drives it) against the sandbox: the ECS
// listing with exec availability and its reasons; a container shell through ExecuteCommand
// with both engines' session path (output, recording, restart, audit history); a task
// without exec refused with the reason; a port forward to a container serving HTTP.
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionInfo, TunnelInfo } from '../../src/shared/contract';
import type { ContainersSnapshot, EcsClusterInfo } from '../../src/shared/domain/containers';
import { ensurePluginBuilt, pluginBin } from '../helpers/built-bundle';
import { startHostHarness, waitFor, type HostHarness } from '../helpers/host-harness';

let h: HostHarness;
let snapshot: ContainersSnapshot;
let pluginDir: string;

beforeAll(async () => {
  await ensurePluginBuilt();
  // Hatch's own drop-in stands in for AWS's plugin binary (absent on this machine).
  pluginDir = mkdtempSync(path.join(os.tmpdir(), 'hatch-plugin-'));
  symlinkSync(pluginBin, path.join(pluginDir, 'session-manager-plugin'));
  h = await startHostHarness({ sandbox: { agentPacing: false }, pluginCandidates: () => [path.join(pluginDir, 'session-manager-plugin')] });
  snapshot = await h.call<ContainersSnapshot>('containers.list', { profile: 'Sandbox', region: 'us-east-1' });
});

afterAll(async () => {
  await h?.dispose();
  if (pluginDir) rmSync(pluginDir, { recursive: true, force: true });
});

const cluster = (name: string): EcsClusterInfo => {
  const c = snapshot.clusters.find((x) => x.clusterName === name);
  if (!c) throw new Error(`no cluster ${name} in the listing`);
  return c;
};
const taskOf = (clusterName: string, service: string) => {
  const t = cluster(clusterName).tasks.find((x) => x.serviceName === service);
  if (!t) throw new Error(`no task of ${service} in ${clusterName}`);
  return t;
};

describe('containers through the host', () => {
  it('lists clusters → services → tasks → containers with whether exec is possible and why not', () => {
    expect(snapshot.clusters.map((c) => c.clusterName)).toEqual(['prod', 'staging', 'payments']);
    expect(cluster('prod').services.map((s) => [s.serviceName, s.enableExecuteCommand, s.runningCount])).toEqual([
      ['web', true, 2],
      ['api', false, 1],
    ]);
    const web = taskOf('prod', 'web');
    expect(web.containers.map((c) => c.name)).toEqual(['app', 'log-router']);
    expect(web.containers[0].exec).toEqual({ possible: true, kind: 'ok', reason: null });
    expect(web.containers[0].target).toBe(`ecs:prod_${web.taskId}_${web.containers[0].runtimeId}`);
    const api = taskOf('prod', 'api').containers[0];
    expect(api.exec.possible).toBe(false);
    expect(api.exec.kind).toBe('not-enabled');
    expect(api.exec.reason).toMatch(/not started with enableExecuteCommand/);
    const reports = taskOf('staging', 'reports').containers[0];
    expect(reports.exec.kind).toBe('agent-stopped');
    expect(reports.exec.reason).toMatch(/ssmmessages/);
  });

  it('opens a shell in a container that runs a command, records it, restarts, and shows in the history', async () => {
    const web = taskOf('prod', 'web');
    const info = await h.call<SessionInfo>('containers.exec', { profile: 'Sandbox', region: 'us-east-1', cluster: 'prod', task: web.taskArn, container: 'app', engine: 'native', cols: 100, rows: 30 });
    expect(info.target).toBe(web.containers[0].target);
    h.autoAck(info.id, true);
    await waitFor(() => /root@ip-[\d-]+:app# /.test(h.output(info.id)), 20_000, 'the container prompt');
    await h.call('sessions.write', { sessionId: info.id, data: 'echo "$SERVICE-$((6*7))"\r' });
    await waitFor(() => h.output(info.id).includes('web-42'), 20_000, 'the command output');
    expect(h.session(info.id)?.awsSessionId).toMatch(/^ecs-execute-command-/);
    await h.call('sessions.write', { sessionId: info.id, data: 'exit\r' });
    const ended = await h.waitEnded(info.id);
    expect(ended.endReason).toBe('exit');
    const cast = readFileSync(ended.recordingPath!, 'utf8');
    expect(cast).toContain('web-42');
    // …and the audit view lists it among the recordings.
    const { recordings } = await h.call<{ recordings: Array<{ id: string }> }>('recordings.list');
    expect(recordings.map((r) => r.id)).toContain(path.basename(ended.recordingPath!));

    // Restart in the same tab: ExecuteCommand again, a new AWS session.
    const again = await h.call<SessionInfo>('sessions.restart', { sessionId: info.id });
    expect(again.id).toBe(info.id);
    expect(again.awsSessionId).not.toBe(ended.awsSessionId);
    await waitFor(() => h.session(info.id)?.state === 'live', 20_000, 'the restarted session');
    await h.call('sessions.terminate', { sessionId: info.id });
    await waitFor(() => h.session(info.id)?.state === 'ended', 20_000, 'the terminated session');

    // The history (SSM DescribeSessions) names the container's target.
    const history = await h.call<{ sessions: Array<{ sessionId: string; target: string }> }>('audit.sessions', { profile: 'Sandbox', region: 'us-east-1', state: 'History' });
    expect(history.sessions.find((s) => s.sessionId === ended.awsSessionId)?.target).toBe(web.containers[0].target);
  });

  it('runs a container shell with the plugin engine too (the plugin gets the ECS session and target)', async () => {
    const web = cluster('prod').tasks.filter((t) => t.serviceName === 'web')[1];
    const info = await h.call<SessionInfo>('containers.exec', { profile: 'Sandbox', region: 'us-east-1', cluster: 'prod', task: web.taskId, container: 'app', engine: 'plugin', cols: 100, rows: 30 });
    expect(info.engine).toBe('plugin');
    h.autoAck(info.id, true);
    await waitFor(() => /root@ip-[\d-]+:app# /.test(h.output(info.id)), 20_000, 'the container prompt').catch((e: Error) => {
      throw new Error(`${e.message}; saw ${JSON.stringify(h.output(info.id))}, session ${JSON.stringify(h.session(info.id))}`);
    });
    await h.call('sessions.write', { sessionId: info.id, data: 'echo "plugin-$APP_ENV-$((6*7))"\r' });
    await waitFor(() => h.output(info.id).includes('plugin-prod-42'), 20_000, 'the command output');
    await h.call('sessions.write', { sessionId: info.id, data: 'exit\r' });
    expect((await h.waitEnded(info.id)).endReason).toBe('exit');
  });

  it('refuses a task without exec with the reason, and AWS’s own refusals as clear errors', async () => {
    const api = taskOf('prod', 'api');
    await expect(h.call('containers.exec', { profile: 'Sandbox', region: 'us-east-1', cluster: 'prod', task: api.taskArn, container: 'api', cols: 80, rows: 24 })).rejects.toThrow(
      /not started with enableExecuteCommand/,
    );
    const ledger = taskOf('payments', 'ledger');
    await expect(h.call('containers.exec', { profile: 'Sandbox', region: 'us-east-1', cluster: 'payments', task: ledger.taskArn, container: 'ledger', cols: 80, rows: 24 })).rejects.toThrow(
      /not authorized to perform: ecs:ExecuteCommand/,
    );
  });

  it('forwards a local port to a container that serves HTTP', async () => {
    const server = http.createServer((req, res) => res.end(`container says ${req.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const web = taskOf('prod', 'web');
      h.sandbox.ecs.mapPort(web.containers[0].runtimeId!, 80, (server.address() as AddressInfo).port);
      const tunnel = await h.call<TunnelInfo>('tunnels.start', { profile: 'Sandbox', region: 'us-east-1', target: web.containers[0].target, remotePort: 80, localPort: 0, label: 'app:80' });
      await waitFor(() => h.tunnel(tunnel.id)?.state === 'open' || tunnel.state === 'open', 20_000, 'the tunnel to open');
      const body = await fetch(`http://127.0.0.1:${tunnel.localPort}/hello`).then((r) => r.text());
      expect(body).toBe('container says /hello');
      await h.call('tunnels.stop', { tunnelId: tunnel.id });
    } finally {
      server.close();
    }
  });
});
