// ECS clusters, services, tasks and containers as the Containers view sees them, and
// whether ECS Exec can reach a container — with the reason when it cannot.
import { z } from 'zod';

/** Why exec is (not) possible, as a kind the view can style and a sentence it shows. */
const ExecKind = z.enum(['ok', 'task-not-running', 'not-enabled', 'no-agent', 'agent-starting', 'agent-stopped', 'container-not-running']);
type ExecKind = z.infer<typeof ExecKind>;

const ExecAvailability = z.object({
  possible: z.boolean(),
  kind: ExecKind,
  /** What stands in the way and what to do about it; null when exec is possible. */
  reason: z.string().nullable(),
});
type ExecAvailability = z.infer<typeof ExecAvailability>;

export const EcsContainerInfo = z.object({
  name: z.string(),
  image: z.string().nullable(),
  runtimeId: z.string().nullable(),
  lastStatus: z.string().nullable(),
  /** The Session Manager target `ecs:<cluster>_<taskId>_<runtimeId>` (null before the container has a runtime id). */
  target: z.string().nullable(),
  /** ExecuteCommandAgent's lastStatus, null when the task has no such agent. */
  agentStatus: z.string().nullable(),
  exec: ExecAvailability,
});
export type EcsContainerInfo = z.infer<typeof EcsContainerInfo>;

export const EcsTaskInfo = z.object({
  taskArn: z.string(),
  taskId: z.string(),
  clusterName: z.string(),
  serviceName: z.string().nullable(),
  /** family:revision */
  taskDefinition: z.string().nullable(),
  lastStatus: z.string().nullable(),
  desiredStatus: z.string().nullable(),
  launchType: z.string().nullable(),
  enableExecuteCommand: z.boolean(),
  startedAt: z.number().nullable(),
  cpu: z.string().nullable(),
  memory: z.string().nullable(),
  containers: z.array(EcsContainerInfo),
});
export type EcsTaskInfo = z.infer<typeof EcsTaskInfo>;

const EcsServiceInfo = z.object({
  serviceName: z.string(),
  serviceArn: z.string(),
  status: z.string().nullable(),
  enableExecuteCommand: z.boolean(),
  desiredCount: z.number().int(),
  runningCount: z.number().int(),
  launchType: z.string().nullable(),
});
type EcsServiceInfo = z.infer<typeof EcsServiceInfo>;

export const EcsClusterInfo = z.object({
  clusterName: z.string(),
  clusterArn: z.string(),
  status: z.string().nullable(),
  runningTasksCount: z.number().int(),
  activeServicesCount: z.number().int(),
  tags: z.record(z.string(), z.string()),
  services: z.array(EcsServiceInfo),
  /** Running tasks, of services and standalone. */
  tasks: z.array(EcsTaskInfo),
  /** Listing this cluster's services or tasks failed (the others still show). */
  error: z.string().nullable(),
});
export type EcsClusterInfo = z.infer<typeof EcsClusterInfo>;

export const ContainersSnapshot = z.object({
  profile: z.string(),
  region: z.string(),
  clusters: z.array(EcsClusterInfo),
  updatedAt: z.number(),
});
export type ContainersSnapshot = z.infer<typeof ContainersSnapshot>;

/** `ecs:<cluster>_<taskId>_<runtimeId>`, as the AWS CLI builds it for the plugin. */
export function containerTarget(clusterName: string, taskId: string, runtimeId: string): string {
  return `ecs:${clusterName}_${taskId}_${runtimeId}`;
}

/** Session Manager targets of ECS containers (the cluster name may itself hold underscores). */
export const ECS_TARGET = /^ecs:[A-Za-z0-9_-]{1,255}_[0-9a-f-]{32,36}_[A-Za-z0-9-]{1,100}$/;

interface ExecFacts {
  taskLastStatus: string | null | undefined;
  enableExecuteCommand: boolean | undefined;
  containerLastStatus: string | null | undefined;
  /** ExecuteCommandAgent as DescribeTasks reports it for this container. */
  agent: { lastStatus?: string | null; reason?: string | null } | undefined;
}

/** Whether ECS Exec can reach the container, and if not, why and what to do. */
export function execAvailability(f: ExecFacts): ExecAvailability {
  const no = (kind: ExecKind, reason: string): ExecAvailability => ({ possible: false, kind, reason });
  if (f.taskLastStatus !== 'RUNNING') return no('task-not-running', `The task is ${(f.taskLastStatus ?? 'not running').toLowerCase()}; only running tasks accept commands.`);
  if (!f.enableExecuteCommand) {
    return no(
      'not-enabled',
      'The task was not started with enableExecuteCommand. Turn ECS Exec on for its service (update-service --enable-execute-command) and start new tasks (--force-new-deployment).',
    );
  }
  if (f.containerLastStatus && f.containerLastStatus !== 'RUNNING') return no('container-not-running', `The container is ${f.containerLastStatus.toLowerCase()}.`);
  if (!f.agent) return no('no-agent', 'This container has no ExecuteCommandAgent (ECS Exec needs the platform version 1.4.0 or later, or ECS agent 1.50.2 or later).');
  const status = f.agent.lastStatus ?? 'PENDING';
  if (status === 'PENDING') return no('agent-starting', 'The ExecuteCommandAgent is still starting. Try again in a few seconds.');
  if (status !== 'RUNNING') {
    const why = f.agent.reason ? ` ${f.agent.reason.replace(/\.?$/, '.')}` : '';
    return no(
      'agent-stopped',
      `The ExecuteCommandAgent is not running (${status.toLowerCase()}).${why} Usually the task role lacks the ssmmessages permissions (IAM): add ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel, then start new tasks.`,
    );
  }
  return { possible: true, kind: 'ok', reason: null };
}
