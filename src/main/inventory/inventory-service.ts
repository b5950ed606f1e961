// InventoryService: every managed node of a profile and region. SSM's
// DescribeInstanceInformation (SDK paginator) gives the nodes; EC2 DescribeInstances
// (batched) adds Name tags, tags and IPs for i- nodes, and ListTagsForResource (bounded
// concurrency) adds tags for hybrid mi- nodes. Retries and throttling are the SDK's retry
// strategy (configured in AwsClientFactory). Results are cached per profile+region.
import { paginateDescribeInstanceInformation, ListTagsForResourceCommand, type InstanceInformation, type SSMClient } from '@aws-sdk/client-ssm';
import { paginateDescribeInstances, type DescribeInstancesCommandOutput, type EC2Client } from '@aws-sdk/client-ec2';
import { HatchError } from '../../shared/contract';
import type { InventorySnapshot, ListProgress, ManagedNode, PingStatus, RegionError } from '../../shared/domain/inventory';

/** The part of AwsClientFactory this service needs. */
export interface InventoryClients {
  ssm(profile: string, region?: string): Promise<SSMClient>;
  ec2(profile: string, region?: string): Promise<EC2Client>;
}

export interface InventoryServiceOptions {
  /** Concurrent EC2 batches / tag calls per region. Default 4. */
  concurrency?: number;
  /** Instance ids per DescribeInstances call (filter values). Default 200. */
  ec2BatchSize?: number;
  /** DescribeInstanceInformation page size (AWS maximum 50). */
  pageSize?: number;
  now?: () => number;
  /** Drop a profile's cached nodes when its configuration changes (CredentialService). */
  invalidations?: { onInvalidate(listener: (profile: string) => void): () => void };
}

export interface ListOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ListProgress) => void;
}

export interface MultiRegionResult {
  nodes: ManagedNode[];
  snapshots: InventorySnapshot[];
  /** Regions that failed entirely or were only partly enriched. */
  errors: RegionError[];
}

export class InventoryService {
  private readonly cache = new Map<string, InventorySnapshot>();
  private readonly concurrency: number;
  private readonly batchSize: number;
  private readonly pageSize: number;
  private readonly now: () => number;
  private readonly unsubscribe: (() => void) | undefined;

  constructor(
    private readonly clients: InventoryClients,
    options: InventoryServiceOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.batchSize = Math.min(200, Math.max(1, options.ec2BatchSize ?? 200));
    this.pageSize = Math.min(50, Math.max(5, options.pageSize ?? 50));
    this.now = options.now ?? Date.now;
    this.unsubscribe = options.invalidations?.onInvalidate((profile) => this.invalidate(profile));
  }

  dispose(): void {
    this.unsubscribe?.();
    this.cache.clear();
  }

  /** The last listing of this profile+region, if any. */
  cached(profile: string, region: string): InventorySnapshot | undefined {
    return this.cache.get(cacheKey(profile, region));
  }

  invalidate(profile?: string): void {
    for (const key of this.cache.keys()) if (profile === undefined || key.startsWith(`${profile}\u0000`)) this.cache.delete(key);
  }

  /**
   * List every managed node. Throws (HatchError) when the nodes cannot be listed; a
   * failed enrichment (EC2 or tags denied) still returns the nodes, with an error entry.
   * Cancelling `signal` rejects with the signal's reason and leaves the cache as it was.
   */
  async list(profile: string, region: string | undefined, options: ListOptions = {}): Promise<InventorySnapshot> {
    const { signal, onProgress } = options;
    signal?.throwIfAborted();
    const ssm = await this.clients.ssm(profile, region);
    const actualRegion = region ?? (await ssm.config.region());
    const progress = (phase: ListProgress['phase'], count: number, page?: ManagedNode[]) =>
      onProgress?.({ profile, region: actualRegion, phase, count, ...(page ? { page } : {}) });

    const infos: InstanceInformation[] = [];
    try {
      for await (const page of paginateDescribeInstanceInformation({ client: ssm, pageSize: this.pageSize }, {}, { abortSignal: signal })) {
        const before = infos.length;
        for (const info of page.InstanceInformationList ?? []) if (info.InstanceId) infos.push(info);
        // The page as it is (names from SSM), so a long listing shows rows at once.
        progress('nodes', infos.length, onProgress ? infos.slice(before).map((info) => toNode(info, actualRegion, undefined, undefined)) : undefined);
        signal?.throwIfAborted();
      }
    } catch (error) {
      throw rethrow(error, signal, `Could not list the managed nodes of "${profile}" in ${actualRegion}`);
    }

    const errors: RegionError[] = [];
    const ec2Ids = infos.filter((i) => i.InstanceId!.startsWith('i-')).map((i) => i.InstanceId!);
    const hybridIds = infos.filter((i) => i.InstanceId!.startsWith('mi-')).map((i) => i.InstanceId!);

    progress('names', infos.length);
    const ec2 = await this.describeEc2(profile, actualRegion, ec2Ids, signal).catch((error: unknown) => {
      if (signal?.aborted) throw signal.reason;
      errors.push(regionError(actualRegion, error, 'Names, tags and IPs from EC2 are missing', true));
      return new Map<string, Ec2Facts>();
    });

    progress('tags', infos.length);
    const hybridTags = await this.hybridTags(ssm, hybridIds, signal).catch((error: unknown) => {
      if (signal?.aborted) throw signal.reason;
      errors.push(regionError(actualRegion, error, 'Tags of hybrid (mi-) nodes are missing', true));
      return new Map<string, Record<string, string>>();
    });

    const nodes = infos.map((info) => toNode(info, actualRegion, ec2.get(info.InstanceId!), hybridTags.get(info.InstanceId!)));
    const snapshot: InventorySnapshot = { profile, region: actualRegion, nodes, updatedAt: this.now(), errors };
    this.cache.set(cacheKey(profile, actualRegion), snapshot);
    progress('done', nodes.length);
    return snapshot;
  }

  /** List several regions at once; a failing region is reported, the others still list. */
  async listRegions(profile: string, regions: string[], options: ListOptions = {}): Promise<MultiRegionResult> {
    const results = await mapLimit(regions, 3, options.signal, (region) =>
      this.list(profile, region, options).then(
        (snapshot) => ({ region, snapshot }),
        (error: unknown) => {
          if (options.signal?.aborted) throw options.signal.reason;
          return { region, error };
        },
      ),
    );
    const snapshots: InventorySnapshot[] = [];
    const errors: RegionError[] = [];
    for (const result of results) {
      if ('snapshot' in result) {
        snapshots.push(result.snapshot);
        errors.push(...result.snapshot.errors);
      } else {
        errors.push(regionError(result.region, result.error, 'Could not list the nodes', false));
      }
    }
    return { nodes: snapshots.flatMap((s) => s.nodes), snapshots, errors };
  }

  private async describeEc2(profile: string, region: string, ids: string[], signal?: AbortSignal): Promise<Map<string, Ec2Facts>> {
    const facts = new Map<string, Ec2Facts>();
    if (ids.length === 0) return facts;
    const ec2 = await this.clients.ec2(profile, region);
    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += this.batchSize) batches.push(ids.slice(i, i + this.batchSize));
    const record = (page: DescribeInstancesCommandOutput) => {
      for (const reservation of page.Reservations ?? []) {
        for (const instance of reservation.Instances ?? []) {
          if (!instance.InstanceId) continue;
          const tags: Record<string, string> = {};
          for (const tag of instance.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
          facts.set(instance.InstanceId, { tags, privateIp: instance.PrivateIpAddress, publicIp: instance.PublicIpAddress });
        }
      }
    };
    await mapLimit(batches, this.concurrency, signal, async (batch) => {
      // InstanceIds is the cheap lookup, but one id EC2 no longer knows (a node terminated
      // while SSM still lists it) fails the whole call: drop the ids the error names and
      // ask again; if the error names none, fall back to an instance-id filter.
      let ids = batch;
      for (let attempt = 0; ids.length > 0 && attempt < 3; attempt++) {
        try {
          for await (const page of paginateDescribeInstances({ client: ec2 }, { InstanceIds: ids }, { abortSignal: signal })) record(page);
          return;
        } catch (error) {
          if ((error as { name?: string }).name !== 'InvalidInstanceID.NotFound') throw error;
          const missing = new Set(String((error as Error).message).match(/\bi-[0-9a-f]+\b/g) ?? []);
          const remaining = ids.filter((id) => !missing.has(id));
          if (missing.size === 0 || remaining.length === ids.length) break;
          ids = remaining;
        }
      }
      if (ids.length === 0) return;
      const pages = paginateDescribeInstances({ client: ec2, pageSize: 1000 }, { Filters: [{ Name: 'instance-id', Values: ids }] }, { abortSignal: signal });
      for await (const page of pages) record(page);
    });
    return facts;
  }

  private async hybridTags(ssm: SSMClient, ids: string[], signal?: AbortSignal): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    await mapLimit(ids, this.concurrency * 2, signal, async (id) => {
      const result = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: id }), { abortSignal: signal });
      const tags: Record<string, string> = {};
      for (const tag of result.TagList ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
      out.set(id, tags);
    });
    return out;
  }
}

interface Ec2Facts {
  tags: Record<string, string>;
  privateIp?: string;
  publicIp?: string;
}

const PING: Record<string, PingStatus> = { Online: 'Online', ConnectionLost: 'ConnectionLost', Inactive: 'Inactive' };

function toNode(info: InstanceInformation, region: string, ec2: Ec2Facts | undefined, hybridTags: Record<string, string> | undefined): ManagedNode {
  const id = info.InstanceId!;
  const tags = ec2?.tags ?? hybridTags ?? {};
  const node: ManagedNode = {
    id,
    name: tags.Name || info.Name || info.ComputerName || id,
    ipAddress: info.IPAddress || ec2?.privateIp || ec2?.publicIp || null,
    platformType: info.PlatformType ?? null,
    platformName: info.PlatformName ?? null,
    agentVersion: info.AgentVersion ?? null,
    pingStatus: PING[info.PingStatus ?? ''] ?? 'Inactive',
    resourceType: info.ResourceType ?? null,
    tags,
    region,
  };
  if (info.LastPingDateTime) node.lastPingAt = new Date(info.LastPingDateTime).getTime();
  return node;
}

function cacheKey(profile: string, region: string): string {
  return `${profile}\u0000${region}`;
}

function errorName(error: unknown): string | null {
  const name = (error as { name?: string } | undefined)?.name;
  return name && name !== 'Error' ? name : null;
}

function regionError(region: string, error: unknown, what: string, partial: boolean): RegionError {
  const message = error instanceof Error ? error.message : String(error);
  // A HatchError wrapping an AWS error carries the AWS name in `detail` (see rethrow):
  // name that (AccessDeniedException), not the wrapper.
  const code = error instanceof HatchError ? (error.detail ?? error.code) : errorName(error);
  return { region, code, message: `${what}: ${message}`, partial };
}

function rethrow(error: unknown, signal: AbortSignal | undefined, what: string): unknown {
  if (signal?.aborted) return signal.reason;
  if (error instanceof HatchError) return error;
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  return new HatchError('AwsError', `${what}: ${name ? `${name}: ` : ''}${message}`, null, name);
}

/** Run `fn` over `items` with at most `limit` in flight; stops starting work on abort. */
async function mapLimit<T, R>(items: readonly T[], limit: number, signal: AbortSignal | undefined, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      signal?.throwIfAborted();
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
