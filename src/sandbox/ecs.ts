// ECS (AWS JSON 1.1, X-Amz-Target: AmazonEC2ContainerServiceV20141113.*): clusters,
// services, tasks and ExecuteCommand, whose sessions are Session Manager sessions on the
// same data channel as a node's (the SSM service registers them with the agent).
import type { FleetNode } from './agent-api';
import type { AuthContext } from './auth';
import type { Handler } from './context';
import { containerNode, type EcsCluster, type EcsContainer, type EcsTask } from './ecs-fleet';
import { ApiError } from './errors';
import { decodeToken, encodeToken } from './protocol';

export type { EcsCluster, EcsContainer, EcsTask } from './ecs-fleet';

/** The part of the SSM service ExecuteCommand needs. */
interface ExecuteCommandSessions {
  startExecuteCommand(auth: AuthContext, target: string, node: FleetNode, command: string): { SessionId: string; TokenValue: string; StreamUrl: string };
}

const invalid = (message: string) => new ApiError('InvalidParameterException', message, 400);
const clusterNotFound = () => new ApiError('ClusterNotFoundException', 'Cluster not found.', 400);

/** AWS's own wording for a task whose exec was never enabled (or whose agent is not running). */
export const EXEC_NOT_ENABLED =
  'The execute command failed because execute command was not enabled when the task was run or the execute command agent isn’t running. Wait and try again or run a new task with execute command enabled and try again.';
export const EXEC_INTERNAL_ERROR = 'The execute command failed due to an internal error. Try again later.';

function str(input: Record<string, unknown>, member: string, required: boolean): string | undefined {
  const v = input[member];
  if (v === undefined || v === null) {
    if (required) throw invalid(`${member} can not be blank.`);
    return undefined;
  }
  if (typeof v !== 'string') throw new ApiError('SerializationException', `Unexpected value for ${member}: expected a string.`, 400);
  if (required && v.trim() === '') throw invalid(`${member} can not be blank.`);
  return v;
}

function list(input: Record<string, unknown>, member: string, max: number): string[] | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ApiError('SerializationException', `Unexpected value for ${member}: expected a list of strings.`, 400);
  if (v.length > max) throw invalid(`${member} can have at most ${max} elements.`);
  return v as string[];
}

function maxResults(input: Record<string, unknown>, fallback: number): number {
  const v = input.maxResults;
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 100) throw invalid('maxResults must be between 1 and 100.');
  return v;
}

function page<T>(all: T[], input: Record<string, unknown>, size: number): { items: T[]; nextToken?: string } {
  const token = input.nextToken;
  if (token !== undefined && token !== null && typeof token !== 'string') throw invalid('Invalid nextToken.');
  const state = decodeToken(token as string | undefined, 'InvalidParameterException');
  const start = typeof state?.o === 'number' && Number.isInteger(state.o) && state.o >= 0 ? state.o : 0;
  const items = all.slice(start, start + size);
  return start + size < all.length ? { items, nextToken: encodeToken({ o: start + size }) } : { items };
}

/** "name", or an ARN ending in "/name" (cluster ARNs) or ".../<cluster>/<id>" (tasks, services). */
const lastPart = (idOrArn: string) => idOrArn.slice(idOrArn.lastIndexOf('/') + 1);

export class EcsService {
  /** Container ports served by other loopback ports, per runtime id (see mapPort). */
  private readonly portMaps = new Map<string, Record<string, number>>();

  constructor(
    private readonly clusters: EcsCluster[],
    private readonly sessions: ExecuteCommandSessions,
  ) {}

  readonly handlers: Record<string, Handler> = {
    ListClusters: (i, a) => this.listClusters(i, a),
    DescribeClusters: (i, a) => this.describeClusters(i, a),
    ListServices: (i, a) => this.listServices(i, a),
    DescribeServices: (i, a) => this.describeServices(i, a),
    ListTasks: (i, a) => this.listTasks(i, a),
    DescribeTasks: (i, a) => this.describeTasks(i, a),
    ExecuteCommand: (i, a) => this.executeCommand(i, a),
  };

  /** Every cluster of every region (tests and the sandbox's own listing). */
  all(): readonly EcsCluster[] {
    return this.clusters;
  }

  /** Tests: a container's `port` is served by 127.0.0.1:`loopbackPort` (its web server, say). */
  mapPort(runtimeId: string, port: number, loopbackPort: number): void {
    if (!this.findContainer(runtimeId)) throw new Error(`ecs: no container with runtime id ${runtimeId}`);
    this.portMaps.set(runtimeId, { ...this.portMaps.get(runtimeId), [String(port)]: loopbackPort });
  }

  /** Resolves `ecs:<cluster>_<taskId>_<runtimeId>` for StartSession (port sessions to a container). */
  resolveTarget(auth: AuthContext, target: string): FleetNode {
    const m = /^ecs:(.+)_([0-9a-f]{32})_(\S+)$/.exec(target);
    const notConnected = () => new ApiError('TargetNotConnected', `${target} is not connected.`, 400);
    if (!m) throw new ApiError('InvalidTarget', `Target ${target} is not valid. ECS targets are ecs:<cluster>_<taskId>_<runtimeId>.`, 400);
    const cluster = this.clusters.find((c) => c.region === auth.region && c.clusterName === m[1]);
    const task = cluster?.tasks.find((t) => t.taskId === m[2]);
    const container = task?.containers.find((k) => k.runtimeId === m[3]);
    if (!cluster || !task || !container) throw notConnected();
    if (cluster.denyExecuteCommand) throw this.denied(auth, task, 'ssm:StartSession');
    if (task.lastStatus !== 'RUNNING' || container.agent?.status !== 'RUNNING') throw notConnected();
    return containerNode(cluster, task, container, this.portMaps.get(container.runtimeId));
  }

  // ---- clusters -------------------------------------------------------------------

  private regional(auth: AuthContext): EcsCluster[] {
    return this.clusters.filter((c) => c.region === auth.region);
  }

  private cluster(auth: AuthContext, idOrArn: string | undefined): EcsCluster {
    const wanted = idOrArn ?? 'default';
    const found = this.regional(auth).find((c) => c.clusterName === wanted || c.clusterArn === wanted);
    if (!found) throw clusterNotFound();
    return found;
  }

  private listClusters(input: Record<string, unknown>, auth: AuthContext) {
    const { items, nextToken } = page(this.regional(auth), input, maxResults(input, 100));
    return { clusterArns: items.map((c) => c.clusterArn), ...(nextToken ? { nextToken } : {}) };
  }

  private describeClusters(input: Record<string, unknown>, auth: AuthContext) {
    const wanted = list(input, 'clusters', 100) ?? ['default'];
    const include = list(input, 'include', 5) ?? [];
    const clusters: unknown[] = [];
    const failures: unknown[] = [];
    for (const name of wanted) {
      const c = this.regional(auth).find((x) => x.clusterName === name || x.clusterArn === name);
      if (!c) {
        failures.push({ arn: name.startsWith('arn:') ? name : `arn:aws:ecs:${auth.region}:${this.accountOf(auth)}:cluster/${name}`, reason: 'MISSING' });
        continue;
      }
      const running = c.tasks.filter((t) => t.lastStatus === 'RUNNING').length;
      clusters.push({
        clusterArn: c.clusterArn,
        clusterName: c.clusterName,
        status: 'ACTIVE',
        registeredContainerInstancesCount: 0,
        runningTasksCount: running,
        pendingTasksCount: 0,
        activeServicesCount: c.services.length,
        statistics: [],
        capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
        configuration: { executeCommandConfiguration: { logging: 'DEFAULT' } },
        ...(include.includes('TAGS') ? { tags: Object.entries(c.tags).map(([key, value]) => ({ key, value })) } : {}),
        ...(include.includes('SETTINGS') ? { settings: [{ name: 'containerInsights', value: 'disabled' }] } : {}),
      });
    }
    return { clusters, failures };
  }

  private accountOf(auth: AuthContext): string {
    return auth.credential.principal.accountId;
  }

  // ---- services -------------------------------------------------------------------

  private listServices(input: Record<string, unknown>, auth: AuthContext) {
    const c = this.cluster(auth, str(input, 'cluster', false));
    const launchType = str(input, 'launchType', false);
    const all = c.services.filter((s) => !launchType || s.launchType === launchType);
    const { items, nextToken } = page(all, input, maxResults(input, 10));
    return { serviceArns: items.map((s) => s.serviceArn), ...(nextToken ? { nextToken } : {}) };
  }

  private describeServices(input: Record<string, unknown>, auth: AuthContext) {
    const c = this.cluster(auth, str(input, 'cluster', false));
    const wanted = list(input, 'services', 10);
    if (!wanted || wanted.length === 0) throw invalid('Services cannot be empty.');
    const services: unknown[] = [];
    const failures: unknown[] = [];
    for (const name of wanted) {
      const s = c.services.find((x) => x.serviceName === name || x.serviceArn === name);
      if (!s) {
        failures.push({ arn: name.startsWith('arn:') ? name : `arn:aws:ecs:${auth.region}:${c.accountId}:service/${c.clusterName}/${name}`, reason: 'MISSING' });
        continue;
      }
      const running = c.tasks.filter((t) => t.serviceName === s.serviceName && t.lastStatus === 'RUNNING').length;
      services.push({
        serviceArn: s.serviceArn,
        serviceName: s.serviceName,
        clusterArn: c.clusterArn,
        status: 'ACTIVE',
        desiredCount: s.desiredCount,
        runningCount: running,
        pendingCount: 0,
        launchType: s.launchType,
        taskDefinition: s.taskDefinitionArn,
        enableExecuteCommand: s.enableExecuteCommand,
        createdAt: s.createdAt,
        schedulingStrategy: 'REPLICA',
        deploymentController: { type: 'ECS' },
      });
    }
    return { services, failures };
  }

  // ---- tasks ----------------------------------------------------------------------

  private listTasks(input: Record<string, unknown>, auth: AuthContext) {
    const c = this.cluster(auth, str(input, 'cluster', false));
    const serviceName = str(input, 'serviceName', false);
    const desired = str(input, 'desiredStatus', false) ?? 'RUNNING';
    if (!['RUNNING', 'PENDING', 'STOPPED'].includes(desired)) throw invalid(`desiredStatus must be RUNNING, PENDING or STOPPED.`);
    const family = str(input, 'family', false);
    const launchType = str(input, 'launchType', false);
    if (serviceName !== undefined && !c.services.some((s) => s.serviceName === lastPart(serviceName))) {
      throw new ApiError('ServiceNotFoundException', 'Service not found.', 400);
    }
    const all = c.tasks.filter(
      (t) =>
        t.desiredStatus === desired &&
        (serviceName === undefined || t.serviceName === lastPart(serviceName)) &&
        (family === undefined || lastPart(t.taskDefinitionArn).split(':')[0] === family) &&
        (launchType === undefined || t.launchType === launchType),
    );
    const { items, nextToken } = page(all, input, maxResults(input, 100));
    return { taskArns: items.map((t) => t.taskArn), ...(nextToken ? { nextToken } : {}) };
  }

  private describeTasks(input: Record<string, unknown>, auth: AuthContext) {
    const c = this.cluster(auth, str(input, 'cluster', false));
    const wanted = list(input, 'tasks', 100);
    if (!wanted || wanted.length === 0) throw invalid('Tasks cannot be empty.');
    const tasks: unknown[] = [];
    const failures: unknown[] = [];
    for (const id of wanted) {
      const t = c.tasks.find((x) => x.taskArn === id || x.taskId === lastPart(id));
      if (!t) failures.push({ arn: id.startsWith('arn:') ? id : `arn:aws:ecs:${auth.region}:${c.accountId}:task/${c.clusterName}/${id}`, reason: 'MISSING' });
      else tasks.push(this.taskOut(c, t));
    }
    return { tasks, failures };
  }

  private taskOut(c: EcsCluster, t: EcsTask) {
    return {
      taskArn: t.taskArn,
      clusterArn: c.clusterArn,
      taskDefinitionArn: t.taskDefinitionArn,
      ...(t.serviceName ? { group: `service:${t.serviceName}`, startedBy: `ecs-svc/${t.taskId.slice(0, 19)}` } : { group: `family:${lastPart(t.taskDefinitionArn).split(':')[0]}` }),
      lastStatus: t.lastStatus,
      desiredStatus: t.desiredStatus,
      launchType: t.launchType,
      ...(t.launchType === 'FARGATE' ? { platformVersion: '1.4.0', platformFamily: 'Linux' } : {}),
      enableExecuteCommand: t.enableExecuteCommand,
      cpu: t.cpu,
      memory: t.memory,
      availabilityZone: t.availabilityZone,
      connectivity: 'CONNECTED',
      healthStatus: 'UNKNOWN',
      createdAt: t.createdAt,
      startedAt: t.startedAt,
      pullStartedAt: new Date(t.createdAt.getTime() + 5_000),
      pullStoppedAt: new Date(t.createdAt.getTime() + 30_000),
      version: 3,
      containers: t.containers.map((k) => this.containerOut(t, k)),
    };
  }

  private containerOut(t: EcsTask, k: EcsContainer) {
    return {
      containerArn: k.containerArn,
      taskArn: t.taskArn,
      name: k.name,
      image: k.image,
      runtimeId: k.runtimeId,
      lastStatus: k.lastStatus,
      healthStatus: 'UNKNOWN',
      cpu: '0',
      networkBindings: [],
      networkInterfaces: [{ attachmentId: `${t.taskId.slice(0, 8)}-eni`, privateIpv4Address: k.hostname.replace(/^ip-/, '').replace(/\..*$/, '').replace(/-/g, '.') }],
      ...(k.agent
        ? {
            managedAgents: [
              {
                name: 'ExecuteCommandAgent',
                lastStatus: k.agent.status,
                ...(k.agent.status !== 'PENDING' ? { lastStartedAt: new Date(t.startedAt.getTime() + 2_000) } : {}),
                ...(k.agent.reason ? { reason: k.agent.reason } : {}),
              },
            ],
          }
        : {}),
    };
  }

  // ---- ExecuteCommand ---------------------------------------------------------------

  private executeCommand(input: Record<string, unknown>, auth: AuthContext) {
    const command = str(input, 'command', true) as string;
    if (command.length > 4096) throw invalid('The command can be at most 4096 characters long.');
    const taskRef = str(input, 'task', true) as string;
    const interactive = input.interactive;
    if (interactive !== undefined && typeof interactive !== 'boolean') throw new ApiError('SerializationException', 'Unexpected value for interactive: expected a boolean.', 400);
    if (interactive !== true) throw invalid('Interactive is the only mode supported currently.');
    const c = this.cluster(auth, str(input, 'cluster', false));
    const task = c.tasks.find((t) => t.taskArn === taskRef || t.taskId === lastPart(taskRef));
    if (!task) throw invalid('The specified task was not found.');
    const containerName = str(input, 'container', false);
    let container: EcsContainer | undefined;
    if (containerName === undefined) {
      if (task.containers.length > 1) throw invalid('The container name must be specified when the task has more than one container.');
      container = task.containers[0];
    } else {
      container = task.containers.find((k) => k.name === containerName);
      if (!container) throw invalid(`The container ${containerName} does not exist in the task.`);
    }
    if (c.denyExecuteCommand) throw this.denied(auth, task, 'ecs:ExecuteCommand');
    if (task.lastStatus !== 'RUNNING') throw invalid('The execute command failed because the task is not running.');
    if (!task.enableExecuteCommand || !container.agent || container.agent.status === 'PENDING') throw invalid(EXEC_NOT_ENABLED);
    if (container.agent.status !== 'RUNNING') throw new ApiError('TargetNotConnectedException', EXEC_INTERNAL_ERROR, 400);
    const node = containerNode(c, task, container, this.portMaps.get(container.runtimeId));
    const session = this.sessions.startExecuteCommand(auth, node.instanceId, node, command);
    return {
      clusterArn: c.clusterArn,
      containerArn: container.containerArn,
      containerName: container.name,
      interactive: true,
      session: { sessionId: session.SessionId, streamUrl: session.StreamUrl, tokenValue: session.TokenValue },
      taskArn: task.taskArn,
    };
  }

  private denied(auth: AuthContext, task: EcsTask, action: string): ApiError {
    return new ApiError(
      'AccessDeniedException',
      `User: ${auth.credential.principal.arn} is not authorized to perform: ${action} on resource: ${task.taskArn} because no identity-based policy allows the ${action} action`,
      400,
    );
  }

  private findContainer(runtimeId: string): EcsContainer | undefined {
    for (const c of this.clusters) for (const t of c.tasks) for (const k of t.containers) if (k.runtimeId === runtimeId) return k;
    return undefined;
  }
}
