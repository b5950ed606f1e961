// The sandbox fleet: managed nodes as SSM and EC2 see them. Loaded from a JSON fleet
// file, generated deterministically (--nodes N), or the small default fleet.
//
// Fleet file: { "accountId"?: "123456789012", "nodes": [ { "instanceId": "i-0123456789abcdef0" | "mi-…",
//   "name": "web-1", "tags"?: {…}, "platformType"?: "Linux"|"Windows"|"MacOS", "platformName"?, "platformVersion"?,
//   "pingStatus"?: "Online"|"ConnectionLost"|"Inactive", "agentVersion"?, "ipAddress"?, "region"?, "accountId"?,
//   "computerName"?, "hostMap"?: { "db.internal": "127.0.0.1" }, "hideTools"?: ["gzip"], "osc7"?: true } ],
//   "clusters"?: [ ECS clusters, see ecs-fleet.ts ] }   (a bare array of nodes is accepted too)
//   hideTools: commands the node's shells do not find on PATH (a node without gzip);
//   osc7: its shells report their directory (OSC 7) at each prompt.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { FleetNode } from './agent-api';
import { seededRandom } from './faults';
import { buildClusters, clusterSchema, defaultClusterInputs, type EcsCluster } from './ecs-fleet';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, LATEST_AGENT_VERSION } from './defaults';

export { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, LATEST_AGENT_VERSION } from './defaults';

const nodeSchema = z.object({
  instanceId: z.string().regex(/^(i-[0-9a-f]{8}([0-9a-f]{9})?|mi-[0-9a-f]{17})$/, 'instance ids are i- or mi- followed by 17 hex digits'),
  name: z.string().min(1),
  tags: z.record(z.string(), z.string()).optional(),
  platformType: z.enum(['Linux', 'Windows', 'MacOS']).optional(),
  platformName: z.string().optional(),
  platformVersion: z.string().optional(),
  pingStatus: z.enum(['Online', 'ConnectionLost', 'Inactive']).optional(),
  agentVersion: z.string().regex(/^\d+\.\d+\.\d+\.\d+$/).optional(),
  ipAddress: z.string().optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/).optional(),
  accountId: z.string().regex(/^\d{12}$/).optional(),
  computerName: z.string().optional(),
  hostMap: z.record(z.string(), z.string().regex(/^(127\.\d+\.\d+\.\d+|::1|localhost)$/, 'hostMap targets must be loopback')).optional(),
  hideTools: z.array(z.string().regex(/^[A-Za-z0-9._+-]+$/, 'tool names are plain file names')).optional(),
  osc7: z.boolean().optional(),
});
// Parsed by shape (not z.union) so errors point at the bad node field.
const fileSchema = z.object({ accountId: z.string().regex(/^\d{12}$/).optional(), nodes: z.array(nodeSchema), clusters: z.array(clusterSchema).optional() });

type FleetNodeInput = z.infer<typeof nodeSchema>;

const platformDefaults: Record<FleetNode['platformType'], [string, string]> = {
  Linux: ['Amazon Linux', '2023'],
  Windows: ['Microsoft Windows Server 2022 Datacenter', '10.0.20348'],
  MacOS: ['macOS', '14.4'],
};

function completeNode(n: FleetNodeInput, accountId = DEFAULT_ACCOUNT_ID): FleetNode {
  const platformType = n.platformType ?? 'Linux';
  const isEc2 = n.instanceId.startsWith('i-');
  const tags = { ...(n.tags ?? {}) };
  if (isEc2 && tags.Name === undefined) tags.Name = n.name;
  return {
    instanceId: n.instanceId,
    name: n.name,
    tags,
    platformType,
    platformName: n.platformName ?? platformDefaults[platformType][0],
    platformVersion: n.platformVersion ?? platformDefaults[platformType][1],
    pingStatus: n.pingStatus ?? 'Online',
    agentVersion: n.agentVersion ?? LATEST_AGENT_VERSION,
    ipAddress: n.ipAddress ?? ipFor(n.instanceId),
    region: n.region ?? DEFAULT_REGION,
    accountId: n.accountId ?? accountId,
    resourceType: isEc2 ? 'EC2Instance' : 'ManagedInstance',
    computerName: n.computerName ?? (platformType === 'Windows' ? n.name.toUpperCase().slice(0, 15) : `${n.name}.internal`),
    ...(n.hostMap ? { hostMap: n.hostMap } : {}),
    ...(n.hideTools?.length ? { hideTools: n.hideTools } : {}),
    ...(n.osc7 ? { osc7: true } : {}),
  };
}

function hex(seed: string, len: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, len);
}

/** A stable private address from the id's own (already random) hex digits. */
function ipFor(id: string): string {
  const h = id.replace(/^m?i-/, '');
  const b = (i: number) => parseInt(h.slice(h.length - 2 * (i + 1), h.length - 2 * i), 16);
  return `10.${b(2) % 64}.${b(1)}.${1 + (b(0) % 253)}`;
}

export class Fleet {
  readonly nodes: FleetNode[];
  /** ECS clusters with their services, tasks and containers (the default set unless the fleet file lists its own). */
  readonly clusters: EcsCluster[];
  private readonly byId = new Map<string, FleetNode>();
  private readonly byRegion = new Map<string, FleetNode[]>();

  constructor(nodes: FleetNode[], clusters: EcsCluster[] = buildClusters(defaultClusterInputs())) {
    this.nodes = nodes;
    this.clusters = clusters;
    for (const n of nodes) {
      if (this.byId.has(n.instanceId)) throw new Error(`fleet: duplicate instance id ${n.instanceId}`);
      this.byId.set(n.instanceId, n);
      const list = this.byRegion.get(n.region) ?? [];
      list.push(n);
      this.byRegion.set(n.region, list);
    }
  }

  get(instanceId: string): FleetNode | undefined {
    return this.byId.get(instanceId);
  }

  /** Nodes registered in a region, in a stable order (AWS lists in a stable order too). Do not mutate. */
  inRegion(region: string): readonly FleetNode[] {
    return this.byRegion.get(region) ?? [];
  }

  regions(): string[] {
    return [...this.byRegion.keys()].sort();
  }

  /** Tests and demos take nodes on and off line. */
  setPingStatus(instanceId: string, status: FleetNode['pingStatus']): void {
    const n = this.byId.get(instanceId);
    if (!n) throw new Error(`fleet: no node ${instanceId}`);
    n.pingStatus = status;
  }

  /** Tests: the node's `port` (22 for its sshd, 3389 for RDP) is served by 127.0.0.1:`loopbackPort`. */
  mapPort(instanceId: string, port: number, loopbackPort: number): void {
    const n = this.byId.get(instanceId);
    if (!n) throw new Error(`fleet: no node ${instanceId}`);
    n.portMap = { ...n.portMap, [String(port)]: loopbackPort };
  }
}

export function parseFleet(json: unknown, source = 'fleet'): Fleet {
  const parsed = fileSchema.safeParse(Array.isArray(json) ? { nodes: json } : json);
  if (!parsed.success) throw new Error(`${source}: ${z.prettifyError(parsed.error)}`);
  const accountId = parsed.data.accountId ?? DEFAULT_ACCOUNT_ID;
  const clusters = buildClusters(parsed.data.clusters ?? defaultClusterInputs(), accountId);
  return new Fleet(
    parsed.data.nodes.map((n) => completeNode(n, accountId)),
    clusters,
  );
}

export function loadFleetFile(path: string): Fleet {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`fleet file ${path}: ${(e as Error).message}`, { cause: e });
  }
  return parseFleet(json, `fleet file ${path}`);
}

const idFor = (name: string, region: string, prefix = 'i-') => `${prefix}${prefix === 'i-' ? '0' : ''}${hex(`${region}/${name}`, prefix === 'i-' ? 16 : 17)}`;

/** The fleet a new user sees: a handful of friendly nodes, one old agent, one lost. */
export function defaultFleet(): Fleet {
  const e = 'us-east-1';
  const w = 'eu-west-1';
  const loop = { 'db.internal': '127.0.0.1', 'postgres.internal': '127.0.0.1', localhost: '127.0.0.1' };
  const specs: (Omit<FleetNodeInput, 'instanceId'> & { instanceId?: string })[] = [
    { name: 'web-1', region: e, tags: { Environment: 'prod', Role: 'web', Team: 'frontend' } },
    { name: 'web-2', region: e, tags: { Environment: 'prod', Role: 'web', Team: 'frontend' } },
    { name: 'api-1', region: e, platformName: 'Ubuntu', platformVersion: '22.04', tags: { Environment: 'prod', Role: 'api', Team: 'backend' } },
    { name: 'db-jump', region: e, hostMap: loop, tags: { Environment: 'prod', Role: 'jump', Team: 'data' } },
    { name: 'bastion', region: e, hostMap: loop, tags: { Environment: 'prod', Role: 'bastion', Team: 'platform' } },
    { name: 'worker-1', region: e, tags: { Environment: 'staging', Role: 'worker', Team: 'backend' } },
    // Below 3.0.196.0: no multiplexed port forwarding (spec 9.1).
    { name: 'legacy-app', region: e, agentVersion: '3.0.161.0', platformName: 'CentOS Linux', platformVersion: '7', tags: { Environment: 'prod', Role: 'legacy', Team: 'backend' } },
    { name: 'batch-1', region: e, pingStatus: 'ConnectionLost', tags: { Environment: 'staging', Role: 'batch', Team: 'data' } },
    { name: 'win-build-1', region: e, platformType: 'Windows', tags: { Environment: 'dev', Role: 'build', Team: 'platform' } },
    { name: 'on-prem-nas', region: e, instanceId: idFor('on-prem-nas', e, 'mi-'), platformName: 'Debian GNU/Linux', platformVersion: '12', tags: { Environment: 'prod', Role: 'storage' } },
    { name: 'web-eu-1', region: w, tags: { Environment: 'prod', Role: 'web', Team: 'frontend' } },
    { name: 'db-jump-eu', region: w, hostMap: loop, tags: { Environment: 'prod', Role: 'jump', Team: 'data' } },
  ];
  // Shells of the friendly fleet report their directory (OSC 7), as many desktop distributions' shells do.
  const inputs: FleetNodeInput[] = specs.map((n) => ({ instanceId: idFor(n.name, n.region ?? e), ...(n.platformType === 'Windows' ? {} : { osc7: true }), ...n }));
  return parseFleet({ nodes: inputs });
}

const ROLES = ['web', 'api', 'worker', 'db', 'cache', 'batch', 'queue', 'search', 'gateway', 'ml'];
const ENVS = ['prod', 'prod', 'staging', 'dev'];
const TEAMS = ['frontend', 'backend', 'data', 'platform', 'payments'];
const OLD_AGENTS = ['3.0.161.0', '2.3.1319.0', '3.0.196.0', '2.3.687.0'];

/**
 * Deterministic fleet of `count` nodes: ~80 % us-east-1, ~20 % eu-west-1, ~5 % hybrid
 * (mi-), ~1 % old agents below 3.0.222.0, ~4 % ConnectionLost and ~2 % Inactive.
 */
export function generateFleet(count: number, seed = 42): Fleet {
  if (!Number.isInteger(count) || count < 0) throw new Error(`--nodes: expected a non-negative integer, got ${count}`);
  const rnd = seededRandom(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const word = () => Math.floor(rnd() * 2 ** 32).toString(16).padStart(8, '0');
  const inputs: FleetNodeInput[] = [];
  for (let i = 0; i < count; i++) {
    const region = i % 5 === 4 ? 'eu-west-1' : 'us-east-1';
    const role = ROLES[i % ROLES.length];
    const name = `${role}-${String(Math.floor(i / ROLES.length) + 1).padStart(4, '0')}${region === 'eu-west-1' ? '-eu' : ''}`;
    const hybrid = i % 20 === 7;
    const r = rnd();
    const platformType = r < 0.85 ? 'Linux' : r < 0.97 ? 'Windows' : 'MacOS';
    const pingStatus = i % 50 === 13 ? 'Inactive' : i % 25 === 11 ? 'ConnectionLost' : 'Online';
    const agentVersion = i % 97 === 5 ? OLD_AGENTS[Math.floor(i / 97) % OLD_AGENTS.length] : pick(['3.3.1142.0', '3.3.987.0', '3.2.2222.0', '3.1.1732.0']);
    // Ids from the seeded generator: hashing 10,000 names costs more than the rest of start-up.
    const idHex = word() + word() + word().slice(0, 1);
    inputs.push({
      instanceId: hybrid ? `mi-${idHex}` : `i-0${idHex.slice(0, 16)}`,
      name,
      region,
      platformType,
      pingStatus,
      agentVersion,
      tags: { Environment: pick(ENVS), Team: pick(TEAMS), Role: role },
    });
  }
  // Built here, so no schema pass: it would dominate start-up for large fleets.
  return new Fleet(inputs.map((n) => completeNode(n)));
}
