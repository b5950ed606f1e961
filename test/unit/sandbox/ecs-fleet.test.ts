// The ECS part of the fleet: default clusters, fleet-file clusters, container targets and
// the port maps that let a node's or container's port be served by a test's server.
import { describe, expect, it } from 'vitest';
import { resolveDestination } from '../../../src/sandbox/agent/destination';
import { buildClusters, containerNode, containerTarget, defaultClusterInputs } from '../../../src/sandbox/ecs-fleet';
import { defaultFleet, parseFleet } from '../../../src/sandbox/fleet';

describe('ECS fleet', () => {
  it('has stable default clusters covering every reason exec may be impossible', () => {
    const a = buildClusters(defaultClusterInputs(), '123456789012', 0);
    const b = defaultFleet().clusters;
    expect(a.map((c) => c.tasks.map((t) => t.taskId))).toEqual(b.map((c) => c.tasks.map((t) => t.taskId)));
    const tasks = a.flatMap((c) => c.tasks);
    expect(tasks.some((t) => !t.enableExecuteCommand)).toBe(true);
    expect(tasks.some((t) => t.containers.some((k) => k.agent?.status === 'STOPPED'))).toBe(true);
    expect(a.some((c) => c.denyExecuteCommand)).toBe(true);
    for (const t of tasks) {
      expect(t.taskId).toMatch(/^[0-9a-f]{32}$/);
      for (const k of t.containers) expect(k.runtimeId).toMatch(new RegExp(`^${t.taskId}-\\d{10}$`));
    }
  });

  it('reads clusters from a fleet file and names the bad field', () => {
    const f = parseFleet({ nodes: [], clusters: [{ name: 'c1', services: [{ name: 's1', desiredCount: 3, enableExecuteCommand: true, containers: [{ name: 'app', environment: { A: '1' } }] }] }] });
    expect(f.clusters.map((c) => [c.clusterName, c.tasks.length])).toEqual([['c1', 3]]);
    expect(() => parseFleet({ nodes: [], clusters: [{ name: 'bad name', services: [] }] })).toThrow(/clusters/);
    expect(() => parseFleet({ nodes: [], clusters: [{ name: 'c', services: [{ name: 's', containers: [] }] }] })).toThrow(/containers/);
  });

  it('maps a target’s ports to loopback ports, and only its own ports', () => {
    const [cluster] = buildClusters(defaultClusterInputs());
    const task = cluster.tasks[0];
    const node = containerNode(cluster, task, task.containers[0], { '80': 40080 });
    expect(node.instanceId).toBe(containerTarget('prod', task.taskId, task.containers[0].runtimeId));
    expect(resolveDestination(node, { portNumber: '80' })).toEqual({ ok: true, host: '127.0.0.1', port: 40080 });
    expect(resolveDestination(node, { portNumber: '81' })).toEqual({ ok: true, host: '127.0.0.1', port: 81 });
    expect(resolveDestination(node, { host: 'localhost', portNumber: '80' })).toEqual({ ok: true, host: '127.0.0.1', port: 40080 });
    // A remote host's port is that host's, not the node's.
    expect(resolveDestination({ ...node, hostMap: { 'db.internal': '127.0.0.2' } }, { host: 'db.internal', portNumber: '80' })).toEqual({ ok: true, host: '127.0.0.2', port: 80 });
    const fleet = defaultFleet();
    const web = fleet.nodes[0];
    fleet.mapPort(web.instanceId, 22, 40022);
    expect(resolveDestination(web, { portNumber: '22' })).toEqual({ ok: true, host: '127.0.0.1', port: 40022 });
  });
});
