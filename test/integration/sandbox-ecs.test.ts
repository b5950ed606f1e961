// ECS in the sandbox: the SDK's paginators over clusters, services and tasks; the errors
// AWS answers ExecuteCommand with; a container shell on the data channel; a port session
// to a container; and `aws ecs execute-command` through /usr/bin/aws with hatch-ssm-plugin
// standing in for AWS's plugin, typed into a real terminal (tmux).
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ExecuteCommandCommand,
  paginateListClusters,
  paginateListServices,
  paginateListTasks,
  type Task,
} from '@aws-sdk/client-ecs';
import { DescribeSessionsCommand, SSMClient, StartSessionCommand } from '@aws-sdk/client-ssm';
import { rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDataChannel } from '../../src/protocol/client';
import { startPortSession } from '../../src/protocol/port-session';
import { startShellSession } from '../../src/protocol/shell-session';
import { EXEC_INTERNAL_ERROR, EXEC_NOT_ENABLED } from '../../src/sandbox/ecs';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';
import { awsCliEnvWithPlugin, ensurePluginBuilt } from '../helpers/built-bundle';
import { startTmux, type TmuxPane } from '../helpers/tmux';

let sb: Sandbox;
let ecs: ECSClient;
let ssm: SSMClient;

beforeAll(async () => {
  sb = await startSandbox({ agentPacing: false });
  ecs = new ECSClient({ endpoint: sb.endpoint, region: sb.region, credentials: sb.credentials });
  ssm = new SSMClient({ endpoint: sb.endpoint, region: sb.region, credentials: sb.credentials });
});

afterAll(async () => {
  ecs?.destroy();
  ssm?.destroy();
  await sb?.close();
});

async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

async function serviceTasks(cluster: string, service: string): Promise<Task[]> {
  const arns = (await all(paginateListTasks({ client: ecs }, { cluster, serviceName: service }))).flatMap((p) => p.taskArns ?? []);
  const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }));
  return tasks ?? [];
}

async function execError(input: ConstructorParameters<typeof ExecuteCommandCommand>[0]): Promise<{ name: string; message: string }> {
  try {
    await ecs.send(new ExecuteCommandCommand(input));
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
  throw new Error('ExecuteCommand succeeded where it should have failed');
}

describe('ECS API', () => {
  it('lists clusters, services and tasks with the SDK paginators (one per page)', async () => {
    const pages = await all(paginateListClusters({ client: ecs, pageSize: 1 }, {}));
    expect(pages.length).toBe(3);
    const clusters = pages.flatMap((p) => p.clusterArns ?? []);
    expect(clusters.map((a) => a.split('/').pop())).toEqual(['prod', 'staging', 'payments']);
    const services = (await all(paginateListServices({ client: ecs, pageSize: 1 }, { cluster: 'prod' }))).flatMap((p) => p.serviceArns ?? []);
    expect(services.map((a) => a.split('/').pop())).toEqual(['web', 'api']);
    const described = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web', 'api', 'nope'] }));
    expect(described.services?.map((s) => [s.serviceName, s.enableExecuteCommand, s.runningCount])).toEqual([
      ['web', true, 2],
      ['api', false, 1],
    ]);
    expect(described.failures?.[0]?.reason).toBe('MISSING');

    const web = await serviceTasks('prod', 'web');
    expect(web.length).toBe(2);
    const app = web[0].containers?.find((c) => c.name === 'app');
    expect(web[0].enableExecuteCommand).toBe(true);
    expect(app?.runtimeId).toMatch(new RegExp(`^${web[0].taskArn!.split('/').pop()}-\\d{10}$`));
    expect(app?.managedAgents?.[0]).toMatchObject({ name: 'ExecuteCommandAgent', lastStatus: 'RUNNING' });
    const api = await serviceTasks('prod', 'api');
    expect(api[0].enableExecuteCommand).toBe(false);
    expect(api[0].containers?.[0].managedAgents).toBeUndefined();
    // eu-west-1 has its own clusters.
    const eu = new ECSClient({ endpoint: sb.endpoint, region: 'eu-west-1', credentials: sb.credentials });
    const euPages = await all(paginateListClusters({ client: eu }, {}));
    eu.destroy();
    expect(euPages.flatMap((p) => p.clusterArns ?? [])).toEqual(['arn:aws:ecs:eu-west-1:123456789012:cluster/prod-eu']);
  });

  it('answers ExecuteCommand with the errors AWS gives', async () => {
    const [web] = await serviceTasks('prod', 'web');
    const [api] = await serviceTasks('prod', 'api');
    const [reports] = await serviceTasks('staging', 'reports');
    const [ledger] = await serviceTasks('payments', 'ledger');
    expect(await execError({ cluster: 'nope', task: web.taskArn, command: '/bin/sh', interactive: true })).toMatchObject({ name: 'ClusterNotFoundException' });
    expect(await execError({ cluster: 'prod', task: api.taskArn, command: '/bin/sh', interactive: true })).toEqual({ name: 'InvalidParameterException', message: EXEC_NOT_ENABLED });
    expect(await execError({ cluster: 'staging', task: reports.taskArn, command: '/bin/sh', interactive: true })).toEqual({ name: 'TargetNotConnectedException', message: EXEC_INTERNAL_ERROR });
    const denied = await execError({ cluster: 'payments', task: ledger.taskArn, command: '/bin/sh', interactive: true });
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toContain('ecs:ExecuteCommand');
    expect(await execError({ cluster: 'prod', task: web.taskArn, container: 'app', command: '/bin/sh', interactive: false })).toMatchObject({
      name: 'InvalidParameterException',
      message: 'Interactive is the only mode supported currently.',
    });
    // Two containers and none named: AWS wants to know which.
    expect((await execError({ cluster: 'prod', task: web.taskArn, command: '/bin/sh', interactive: true })).name).toBe('InvalidParameterException');
  });

  it('opens a shell in a container on the data channel, with the container’s environment', async () => {
    const [web] = await serviceTasks('prod', 'web');
    const app = web.containers!.find((c) => c.name === 'app')!;
    const out = await ecs.send(new ExecuteCommandCommand({ cluster: 'prod', task: web.taskArn, container: 'app', command: '/bin/sh', interactive: true }));
    expect(out.containerName).toBe('app');
    expect(out.session?.sessionId).toMatch(/^ecs-execute-command-/);
    const target = `ecs:prod_${web.taskArn!.split('/').pop()}_${app.runtimeId}`;
    const shell = await startShellSession({ streamUrl: out.session!.streamUrl!, tokenValue: out.session!.tokenValue!, sessionId: out.session!.sessionId!, target, cols: 100, rows: 30 });
    let text = '';
    shell.onData((d) => (text += d.toString()));
    const waitText = async (re: RegExp) => {
      const deadline = Date.now() + 15_000;
      while (!re.test(text)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; the shell showed: ${JSON.stringify(text)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await waitText(/root@ip-[\d-]+:app# /);
    shell.write('echo "$APP_ENV-$SERVICE-$((6*7)) $AWS_EXECUTION_ENV"\r');
    await waitText(/prod-web-42 AWS_ECS_FARGATE/);
    // SSM knows the session, under the container's target.
    const active = await ssm.send(new DescribeSessionsCommand({ State: 'Active', Filters: [{ key: 'SessionId', value: out.session!.sessionId! }] }));
    expect(active.Sessions?.[0]?.Target).toBe(target);
    shell.write('exit\r');
    const exit = await shell.exited;
    expect(exit.reason).toBe('exit');
  });

  it('forwards a port to a container (StartSession with the ecs: target)', async () => {
    const server = http.createServer((_req, res) => res.end('hello from the container'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const [web] = await serviceTasks('prod', 'web');
      const app = web.containers!.find((c) => c.name === 'app')!;
      sb.ecs.mapPort(app.runtimeId!, 80, (server.address() as AddressInfo).port);
      const target = `ecs:prod_${web.taskArn!.split('/').pop()}_${app.runtimeId}`;
      const started = await ssm.send(new StartSessionCommand({ Target: target, DocumentName: 'AWS-StartPortForwardingSession', Parameters: { portNumber: ['80'], localPortNumber: ['0'] } }));
      const client = await connectDataChannel({ streamUrl: started.StreamUrl!, tokenValue: started.TokenValue!, sessionId: started.SessionId!, target });
      const ps = await startPortSession(client, { localPort: 0 });
      const body = await fetch(`http://127.0.0.1:${ps.listenInfo!.port}/`).then((r) => r.text());
      expect(body).toBe('hello from the container');
      await ps.close({ terminate: true });
      client.close();
      // A container whose agent is down is not a target.
      const [reports] = await serviceTasks('staging', 'reports');
      const down = `ecs:staging_${reports.taskArn!.split('/').pop()}_${reports.containers![0].runtimeId}`;
      await expect(ssm.send(new StartSessionCommand({ Target: down, DocumentName: 'AWS-StartPortForwardingSession' }))).rejects.toMatchObject({ name: 'TargetNotConnected' });
    } finally {
      server.close();
    }
  });
});

describe('aws ecs execute-command with hatch-ssm-plugin', () => {
  let pane: TmuxPane | undefined;
  let binDir: string | undefined;
  afterAll(async () => {
    await pane?.kill();
    if (binDir) rmSync(binDir, { recursive: true, force: true });
  });

  it('gives a shell in the container, typed into a terminal, and exits cleanly', async () => {
    await ensurePluginBuilt();
    const [web] = await serviceTasks('prod', 'web');
    const cli = awsCliEnvWithPlugin(sb.env);
    binDir = cli.binDir;
    // Debian's CLI 2.9 ignores AWS_ENDPOINT_URL: the endpoint goes on the command line.
    pane = await startTmux(
      ['/usr/bin/aws', '--endpoint-url', sb.endpoint, 'ecs', 'execute-command', '--cluster', 'prod', '--task', web.taskArn!, '--container', 'app', '--interactive', '--command', '/bin/sh'],
      { ...cli.env, TERM: 'xterm-256color' },
    );
    await pane.waitFor(/Starting session with SessionId: ecs-execute-command-/);
    await pane.waitFor(/root@ip-[\d-]+:app# $/m);
    await pane.type('echo "in-$SERVICE-$((6*7))"', 'Enter');
    await pane.waitFor(/^in-web-42$/m);
    await pane.type('exit', 'Enter');
    const screen = await pane.waitFor(/\[exit status \d+\]/);
    expect(screen).toMatch(/Exiting session with sessionId: ecs-execute-command-[0-9a-f]+\./);
    expect(screen).toContain('[exit status 0]');
  });
});
