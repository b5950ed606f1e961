// The sandbox's ECS fleet: clusters, their services and tasks, and the tasks' containers,
// as ECS describes them. Each running container is a target for ExecuteCommand and for
// port sessions (`ecs:<cluster>_<taskId>_<runtimeId>`); its shell runs in a directory of
// its own with the container's environment and hostname.
//
// Fleet file section (optional; the default set below otherwise):
//   "clusters": [ { "name": "prod", "region"?: "us-east-1", "tags"?: {…},
//     "denyExecuteCommand"?: true,                    // the caller's IAM denies ecs:ExecuteCommand here
//     "services": [ { "name": "web", "desiredCount"?: 2, "enableExecuteCommand"?: true,
//       "agentStatus"?: "RUNNING"|"PENDING"|"STOPPED", "agentReason"?: "…",
//       "containers": [ { "name": "app", "image"?: "…", "environment"?: {…}, "ports"?: [80] } ] } ] } ]
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, LATEST_AGENT_VERSION } from './defaults';
import type { FleetNode } from './agent-api';

type AgentStatus = 'RUNNING' | 'PENDING' | 'STOPPED';

export interface EcsContainer {
  name: string;
  image: string;
  containerArn: string;
  /** What ECS reports as runtimeId and the ECS Exec target's last part. */
  runtimeId: string;
  lastStatus: 'RUNNING' | 'STOPPED';
  environment: Record<string, string>;
  ports: number[];
  hostname: string;
  /** The ExecuteCommandAgent as DescribeTasks reports it (absent: exec was not enabled). */
  agent?: { status: AgentStatus; reason?: string };
}

export interface EcsTask {
  taskId: string;
  taskArn: string;
  clusterName: string;
  serviceName?: string;
  taskDefinitionArn: string;
  launchType: 'FARGATE' | 'EC2';
  enableExecuteCommand: boolean;
  lastStatus: 'RUNNING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  createdAt: Date;
  startedAt: Date;
  cpu: string;
  memory: string;
  availabilityZone: string;
  containers: EcsContainer[];
}

interface EcsServiceRecord {
  serviceName: string;
  serviceArn: string;
  clusterName: string;
  taskDefinitionArn: string;
  desiredCount: number;
  enableExecuteCommand: boolean;
  launchType: 'FARGATE' | 'EC2';
  createdAt: Date;
}

export interface EcsCluster {
  clusterName: string;
  clusterArn: string;
  region: string;
  accountId: string;
  tags: Record<string, string>;
  /** The caller's IAM policy does not allow ecs:ExecuteCommand on this cluster's tasks. */
  denyExecuteCommand: boolean;
  services: EcsServiceRecord[];
  tasks: EcsTask[];
}

const containerSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'container names are letters, digits, - and _'),
  image: z.string().min(1).optional(),
  environment: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
  ports: z.array(z.number().int().min(1).max(65535)).optional(),
});
const serviceSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/),
  desiredCount: z.number().int().min(0).max(100).optional(),
  enableExecuteCommand: z.boolean().optional(),
  agentStatus: z.enum(['RUNNING', 'PENDING', 'STOPPED']).optional(),
  agentReason: z.string().optional(),
  launchType: z.enum(['FARGATE', 'EC2']).optional(),
  containers: z.array(containerSchema).min(1),
});
export const clusterSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'cluster names are letters, digits, - and _'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  denyExecuteCommand: z.boolean().optional(),
  services: z.array(serviceSchema).optional(),
});
type EcsClusterInput = z.infer<typeof clusterSchema>;

const hex = (seed: string, len: number) => createHash('sha256').update(seed).digest('hex').slice(0, len);

/** Builds clusters from their declarations; ids are derived from names, so they are stable. */
export function buildClusters(inputs: EcsClusterInput[], accountId = DEFAULT_ACCOUNT_ID, startedAt = Date.now()): EcsCluster[] {
  const seen = new Set<string>();
  return inputs.map((c) => {
    const region = c.region ?? DEFAULT_REGION;
    if (seen.has(`${region}/${c.name}`)) throw new Error(`ecs fleet: duplicate cluster ${c.name} in ${region}`);
    seen.add(`${region}/${c.name}`);
    const arn = (kind: string, rest: string) => `arn:aws:ecs:${region}:${accountId}:${kind}/${rest}`;
    const cluster: EcsCluster = {
      clusterName: c.name,
      clusterArn: arn('cluster', c.name),
      region,
      accountId,
      tags: c.tags ?? {},
      denyExecuteCommand: c.denyExecuteCommand ?? false,
      services: [],
      tasks: [],
    };
    for (const s of c.services ?? []) {
      const exec = s.enableExecuteCommand ?? false;
      const launchType = s.launchType ?? 'FARGATE';
      const taskDefinitionArn = arn('task-definition', `${s.name}:${1 + (parseInt(hex(`${c.name}/${s.name}`, 2), 16) % 9)}`);
      const createdAt = new Date(startedAt - 30 * 86400_000);
      cluster.services.push({
        serviceName: s.name,
        serviceArn: arn('service', `${c.name}/${s.name}`),
        clusterName: c.name,
        taskDefinitionArn,
        desiredCount: s.desiredCount ?? 1,
        enableExecuteCommand: exec,
        launchType,
        createdAt,
      });
      for (let i = 0; i < (s.desiredCount ?? 1); i++) {
        const taskId = hex(`${region}/${c.name}/${s.name}/${i}`, 32);
        const taskArn = arn('task', `${c.name}/${taskId}`);
        const started = new Date(startedAt - (3600 + (parseInt(taskId.slice(0, 4), 16) % 7200)) * 1000);
        const ip = `10.0.${parseInt(taskId.slice(4, 6), 16)}.${1 + (parseInt(taskId.slice(6, 8), 16) % 253)}`;
        cluster.tasks.push({
          taskId,
          taskArn,
          clusterName: c.name,
          serviceName: s.name,
          taskDefinitionArn,
          launchType,
          enableExecuteCommand: exec,
          lastStatus: 'RUNNING',
          desiredStatus: 'RUNNING',
          createdAt: new Date(started.getTime() - 40_000),
          startedAt: started,
          cpu: '256',
          memory: '512',
          availabilityZone: `${region}${'abc'[i % 3]}`,
          containers: s.containers.map((k) => ({
            name: k.name,
            image: k.image ?? `public.ecr.aws/docker/library/${k.name}:latest`,
            containerArn: arn('container', `${c.name}/${taskId}/${hex(`${taskId}/${k.name}`, 8)}-${hex(`${taskId}/${k.name}/a`, 4)}-${hex(`${taskId}/${k.name}/b`, 4)}-${hex(`${taskId}/${k.name}/c`, 4)}-${hex(`${taskId}/${k.name}/d`, 12)}`),
            // Fargate's runtime ids are "<taskId>-<10 digits>".
            runtimeId: `${taskId}-${String(parseInt(hex(`${taskId}/${k.name}/rt`, 8), 16)).padStart(10, '0').slice(0, 10)}`,
            lastStatus: 'RUNNING',
            environment: k.environment ?? {},
            ports: k.ports ?? [],
            hostname: `ip-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`,
            ...(exec ? { agent: { status: s.agentStatus ?? 'RUNNING', ...(s.agentReason ? { reason: s.agentReason } : {}) } } : {}),
          })),
        });
      }
    }
    return cluster;
  });
}

/** What a new user sees in the Containers view: exec working, exec not enabled, an agent down, IAM denied. */
export function defaultClusterInputs(): EcsClusterInput[] {
  return [
    {
      name: 'prod',
      tags: { Environment: 'prod' },
      services: [
        {
          name: 'web',
          desiredCount: 2,
          enableExecuteCommand: true,
          containers: [
            { name: 'app', image: 'public.ecr.aws/nginx/nginx:1.27', environment: { APP_ENV: 'prod', SERVICE: 'web' }, ports: [80] },
            { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32', environment: { FLB_LOG_LEVEL: 'info' } },
          ],
        },
        { name: 'api', desiredCount: 1, enableExecuteCommand: false, containers: [{ name: 'api', image: 'public.ecr.aws/docker/library/node:20', environment: { APP_ENV: 'prod', SERVICE: 'api' }, ports: [8080] }] },
      ],
    },
    {
      name: 'staging',
      tags: { Environment: 'staging' },
      services: [
        { name: 'worker', desiredCount: 1, enableExecuteCommand: true, containers: [{ name: 'worker', image: 'public.ecr.aws/docker/library/python:3.12', environment: { APP_ENV: 'staging', SERVICE: 'worker' } }] },
        {
          name: 'reports',
          desiredCount: 1,
          enableExecuteCommand: true,
          agentStatus: 'STOPPED',
          agentReason: 'The task role is not allowed ssmmessages:CreateControlChannel, so the ExecuteCommandAgent could not register.',
          containers: [{ name: 'reports', image: 'public.ecr.aws/docker/library/ruby:3.3', environment: { APP_ENV: 'staging', SERVICE: 'reports' } }],
        },
      ],
    },
    {
      name: 'payments',
      tags: { Environment: 'prod', Team: 'payments' },
      denyExecuteCommand: true,
      services: [{ name: 'ledger', desiredCount: 1, enableExecuteCommand: true, containers: [{ name: 'ledger', image: 'public.ecr.aws/docker/library/golang:1.22', environment: { APP_ENV: 'prod', SERVICE: 'ledger' } }] }],
    },
    {
      name: 'prod-eu',
      region: 'eu-west-1',
      tags: { Environment: 'prod' },
      services: [{ name: 'web', desiredCount: 1, enableExecuteCommand: true, containers: [{ name: 'app', image: 'public.ecr.aws/nginx/nginx:1.27', environment: { APP_ENV: 'prod', SERVICE: 'web' }, ports: [80] }] }],
    },
  ];
}

/** `ecs:<cluster>_<taskId>_<runtimeId>`: the Session Manager target of one container. */
export function containerTarget(cluster: string, taskId: string, runtimeId: string): string {
  return `ecs:${cluster}_${taskId}_${runtimeId}`;
}

/** The container as the data-channel agent sees a target: a node with the container's runtime. */
export function containerNode(cluster: EcsCluster, task: EcsTask, container: EcsContainer, portMap?: Record<string, number>): FleetNode {
  return {
    instanceId: containerTarget(cluster.clusterName, task.taskId, container.runtimeId),
    name: container.name,
    tags: {},
    platformType: 'Linux',
    platformName: 'Amazon Linux',
    platformVersion: '2023',
    pingStatus: 'Online',
    agentVersion: LATEST_AGENT_VERSION,
    ipAddress: container.hostname.replace(/^ip-/, '').replace(/\..*$/, '').replace(/-/g, '.'),
    region: cluster.region,
    accountId: cluster.accountId,
    resourceType: 'EC2Instance',
    computerName: container.hostname,
    container: { name: container.name, runtimeId: container.runtimeId, environment: container.environment },
    ...(portMap ? { portMap } : {}),
  };
}
