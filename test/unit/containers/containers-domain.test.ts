// Exec availability (with its reasons) and the Containers view's filter language.
import { describe, expect, it } from 'vitest';
import { containerRows, filterContainers, parseContainerQuery } from '../../../src/shared/container-filter';
import { ECS_TARGET, containerTarget, execAvailability, type EcsClusterInfo } from '../../../src/shared/domain/containers';

describe('execAvailability', () => {
  const base = { taskLastStatus: 'RUNNING', enableExecuteCommand: true, containerLastStatus: 'RUNNING', agent: { lastStatus: 'RUNNING' } };
  it('says yes only when the task runs with exec enabled and the agent runs', () => {
    expect(execAvailability(base)).toEqual({ possible: true, kind: 'ok', reason: null });
  });
  it('names each reason exec is impossible, with what to do', () => {
    expect(execAvailability({ ...base, taskLastStatus: 'STOPPED' }).kind).toBe('task-not-running');
    const off = execAvailability({ ...base, enableExecuteCommand: false, agent: undefined });
    expect(off.kind).toBe('not-enabled');
    expect(off.reason).toMatch(/enable-execute-command/);
    expect(execAvailability({ ...base, agent: undefined }).kind).toBe('no-agent');
    expect(execAvailability({ ...base, agent: { lastStatus: 'PENDING' } }).kind).toBe('agent-starting');
    const stopped = execAvailability({ ...base, agent: { lastStatus: 'STOPPED', reason: 'Task role missing permissions' } });
    expect(stopped.kind).toBe('agent-stopped');
    expect(stopped.reason).toContain('Task role missing permissions.');
    expect(stopped.reason).toMatch(/ssmmessages/);
    expect(execAvailability({ ...base, containerLastStatus: 'STOPPED' }).kind).toBe('container-not-running');
  });
});

describe('ECS targets', () => {
  it('accepts what the AWS CLI builds, cluster names with underscores included', () => {
    expect(ECS_TARGET.test(containerTarget('my_cluster', 'a'.repeat(32), `${'a'.repeat(32)}-1234567890`))).toBe(true);
    expect(ECS_TARGET.test(containerTarget('prod', 'b'.repeat(32), 'c'.repeat(64)))).toBe(true);
    expect(ECS_TARGET.test('ecs:prod_short_x')).toBe(false);
    expect(ECS_TARGET.test('ecs:pr od_' + 'a'.repeat(32) + '_x')).toBe(false);
  });
});

describe('container filter', () => {
  const c = (name: string, tags: Record<string, string>, tasks: Array<[string | null, string, boolean]>): EcsClusterInfo => ({
    clusterName: name,
    clusterArn: `arn:${name}`,
    status: 'ACTIVE',
    runningTasksCount: tasks.length,
    activeServicesCount: 1,
    tags,
    services: [],
    error: null,
    tasks: tasks.map(([service, container, exec], i) => ({
      taskArn: `arn:task/${name}/${i}`,
      taskId: `${name}${i}`.padEnd(32, '0'),
      clusterName: name,
      serviceName: service,
      taskDefinition: `${service ?? 'job'}:1`,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      launchType: 'FARGATE',
      enableExecuteCommand: exec,
      startedAt: null,
      cpu: null,
      memory: null,
      containers: [{ name: container, image: `img/${container}`, runtimeId: 'r', lastStatus: 'RUNNING', target: null, agentStatus: null, exec: exec ? { possible: true, kind: 'ok', reason: null } : { possible: false, kind: 'not-enabled', reason: 'x' } }],
    })),
  });
  const rows = containerRows([c('prod', { Environment: 'prod' }, [['web', 'app', true], ['api', 'api', false]]), c('staging', { Environment: 'staging' }, [['web', 'app', true], [null, 'migrate', false]])]);
  const names = (q: string) => filterContainers(rows, q).map((r) => `${r.cluster.clusterName}/${r.container.name}`);

  it('matches free text, qualifiers, tags and negation', () => {
    expect(names('')).toHaveLength(4);
    expect(names('app')).toEqual(['prod/app', 'staging/app']);
    expect(names('cluster:prod')).toEqual(['prod/app', 'prod/api']);
    expect(names('cluster:st*')).toEqual(['staging/app', 'staging/migrate']);
    expect(names('service:web exec:yes')).toEqual(['prod/app', 'staging/app']);
    expect(names('exec:no')).toEqual(['prod/api', 'staging/migrate']);
    expect(names('tag:environment=prod')).toEqual(['prod/app', 'prod/api']);
    expect(names('-cluster:prod -exec:no')).toEqual(['staging/app']);
    expect(names('img/migrate')).toEqual(['staging/migrate']);
  });
  it('reports what it did not understand', () => {
    expect(parseContainerQuery('exec:maybe').problems).toHaveLength(1);
  });
});
