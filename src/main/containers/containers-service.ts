// ContainersService: the ECS clusters of a profile and region, with their services, running
// tasks and containers, and whether ECS Exec can reach each container. Listing uses the
// SDK's paginators (ListClusters, ListServices, ListTasks) and batched Describe calls;
// retries and throttling are the SDK's retry strategy (AwsClientFactory). Results are
// cached per profile+region.
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  paginateListClusters,
  paginateListServices,
  paginateListTasks,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { HatchError } from '../../shared/contract';
import { containerTarget, execAvailability, type ContainersSnapshot, type EcsClusterInfo, type EcsTaskInfo } from '../../shared/domain/containers';
import { describeAwsError } from '../sessions/aws-errors';

export interface ContainersClients {
  ecs(profile: string, region?: string): Promise<ECSClient>;
}

interface ContainersServiceOptions {
  /** Clusters listed at the same time. Default 4. */
  concurrency?: number;
  now?: () => number;
  /** Drop a profile's cached listing when its configuration changes (CredentialService). */
  invalidations?: { onInvalidate(listener: (profile: string) => void): () => void };
}

/** A container ExecuteCommand can reach, resolved afresh from DescribeTasks. */
interface ExecTarget {
  cluster: string;
  taskArn: string;
  container: string;
  /** ecs:<cluster>_<taskId>_<runtimeId> */
  target: string;
}

const chunks = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));
const lastPart = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
const key = (profile: string, region: string) => `${profile}\u0000${region}`;

export class ContainersService {
  private readonly cache = new Map<string, ContainersSnapshot>();
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly unsubscribe: (() => void) | undefined;

  constructor(
    private readonly clients: ContainersClients,
    options: ContainersServiceOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.now = options.now ?? Date.now;
    this.unsubscribe = options.invalidations?.onInvalidate((profile) => {
      for (const k of this.cache.keys()) if (k.startsWith(`${profile}\u0000`)) this.cache.delete(k);
    });
  }

  dispose(): void {
    this.unsubscribe?.();
    this.cache.clear();
  }

  cached(profile: string, region: string): ContainersSnapshot | undefined {
    return this.cache.get(key(profile, region));
  }

  /** Every cluster with its services, running tasks and containers. A cluster that fails to list keeps its error; the rest still show. */
  async list(profile: string, region: string, signal?: AbortSignal): Promise<ContainersSnapshot> {
    const ecs = await this.clients.ecs(profile, region);
    let arns: string[] = [];
    try {
      for await (const page of paginateListClusters({ client: ecs }, {})) {
        signal?.throwIfAborted();
        arns.push(...(page.clusterArns ?? []));
      }
    } catch (error) {
      if (signal?.aborted) throw error;
      throw describeAwsError(error, { profile, region });
    }
    arns = [...new Set(arns)];
    const clusters: EcsClusterInfo[] = [];
    for (const batch of chunks(arns, 100)) {
      const out = await ecs.send(new DescribeClustersCommand({ clusters: batch, include: ['TAGS'] }), { abortSignal: signal }).catch((error: unknown) => {
        throw describeAwsError(error, { profile, region });
      });
      for (const c of out.clusters ?? []) {
        clusters.push({
          clusterName: c.clusterName ?? lastPart(c.clusterArn ?? ''),
          clusterArn: c.clusterArn ?? '',
          status: c.status ?? null,
          runningTasksCount: c.runningTasksCount ?? 0,
          activeServicesCount: c.activeServicesCount ?? 0,
          tags: Object.fromEntries((c.tags ?? []).filter((t) => t.key).map((t) => [t.key as string, t.value ?? ''])),
          services: [],
          tasks: [],
          error: null,
        });
      }
    }
    // Clusters are listed a few at a time; one that fails says why and the others still show.
    let next = 0;
    const worker = async () => {
      while (next < clusters.length) {
        const cluster = clusters[next++];
        try {
          await this.fill(ecs, cluster, signal);
        } catch (error) {
          if (signal?.aborted) throw error;
          cluster.error = describeAwsError(error, { profile, region }).message;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, clusters.length) }, worker));
    const snapshot: ContainersSnapshot = { profile, region, clusters, updatedAt: this.now() };
    this.cache.set(key(profile, region), snapshot);
    return snapshot;
  }

  private async fill(ecs: ECSClient, cluster: EcsClusterInfo, signal?: AbortSignal): Promise<void> {
    const serviceArns: string[] = [];
    for await (const page of paginateListServices({ client: ecs, pageSize: 100 }, { cluster: cluster.clusterArn })) {
      signal?.throwIfAborted();
      serviceArns.push(...(page.serviceArns ?? []));
    }
    for (const batch of chunks(serviceArns, 10)) {
      const out = await ecs.send(new DescribeServicesCommand({ cluster: cluster.clusterArn, services: batch }), { abortSignal: signal });
      for (const s of out.services ?? []) {
        cluster.services.push({
          serviceName: s.serviceName ?? lastPart(s.serviceArn ?? ''),
          serviceArn: s.serviceArn ?? '',
          status: s.status ?? null,
          enableExecuteCommand: s.enableExecuteCommand ?? false,
          desiredCount: s.desiredCount ?? 0,
          runningCount: s.runningCount ?? 0,
          launchType: s.launchType ?? null,
        });
      }
    }
    const taskArns: string[] = [];
    for await (const page of paginateListTasks({ client: ecs, pageSize: 100 }, { cluster: cluster.clusterArn, desiredStatus: 'RUNNING' })) {
      signal?.throwIfAborted();
      taskArns.push(...(page.taskArns ?? []));
    }
    for (const batch of chunks(taskArns, 100)) {
      const out = await ecs.send(new DescribeTasksCommand({ cluster: cluster.clusterArn, tasks: batch }), { abortSignal: signal });
      for (const t of out.tasks ?? []) cluster.tasks.push(taskInfo(cluster.clusterName, t));
    }
  }

  /**
   * The container as ExecuteCommand and StartSession need it, from a fresh DescribeTasks:
   * the target needs the current runtime id, and a task that stopped since the listing
   * must say so instead of failing later with a vaguer error.
   */
  async execTarget(profile: string, region: string, cluster: string, task: string, container: string): Promise<ExecTarget> {
    const ecs = await this.clients.ecs(profile, region);
    let described: Task | undefined;
    try {
      described = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [task] }))).tasks?.[0];
    } catch (error) {
      throw describeAwsError(error, { profile, region });
    }
    if (!described?.taskArn) throw new HatchError('NotFound', `Task ${lastPart(task)} is not in cluster ${cluster} any more.`, 'Refresh the Containers view.');
    const info = taskInfo(cluster, described);
    const found = info.containers.find((c) => c.name === container);
    if (!found) throw new HatchError('NotFound', `Task ${info.taskId} has no container named ${container}.`, 'Refresh the Containers view.');
    // A starting agent may be up by now: AWS decides. Anything else would only fail there, less clearly.
    if ((!found.exec.possible && found.exec.kind !== 'agent-starting') || !found.target) throw new HatchError('BadRequest', `ECS Exec cannot reach ${container}: ${found.exec.reason ?? 'it has no runtime id yet.'}`, null);
    return { cluster, taskArn: described.taskArn, container, target: found.target };
  }
}

/** A task as the view sees it, with each container's exec availability. */
function taskInfo(clusterName: string, t: Task): EcsTaskInfo {
  const taskId = lastPart(t.taskArn ?? '');
  const group = t.group ?? '';
  return {
    taskArn: t.taskArn ?? '',
    taskId,
    clusterName,
    serviceName: group.startsWith('service:') ? group.slice('service:'.length) : null,
    taskDefinition: t.taskDefinitionArn ? lastPart(t.taskDefinitionArn) : null,
    lastStatus: t.lastStatus ?? null,
    desiredStatus: t.desiredStatus ?? null,
    launchType: t.launchType ?? null,
    enableExecuteCommand: t.enableExecuteCommand ?? false,
    startedAt: t.startedAt ? t.startedAt.getTime() : null,
    cpu: t.cpu ?? null,
    memory: t.memory ?? null,
    containers: (t.containers ?? []).map((c) => {
      const agent = c.managedAgents?.find((a) => a.name === 'ExecuteCommandAgent');
      return {
        name: c.name ?? '',
        image: c.image ?? null,
        runtimeId: c.runtimeId ?? null,
        lastStatus: c.lastStatus ?? null,
        target: c.runtimeId ? containerTarget(clusterName, taskId, c.runtimeId) : null,
        agentStatus: agent?.lastStatus ?? null,
        exec: execAvailability({
          taskLastStatus: t.lastStatus,
          enableExecuteCommand: t.enableExecuteCommand,
          containerLastStatus: c.lastStatus,
          agent: agent ? { lastStatus: agent.lastStatus, reason: agent.reason } : undefined,
        }),
      };
    }),
  };
}
