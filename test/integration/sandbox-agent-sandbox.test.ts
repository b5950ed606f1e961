// End to end through the whole sandbox: SSM StartSession / ResumeSession / TerminateSession
// with the AWS SDK, then the data channel to the agent.
import { ResumeSessionCommand, SSMClient, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';
import { ReliableClient } from '../unit/sandbox-agent/harness';

describe('sandbox agent behind startSandbox', () => {
  let sb: Sandbox;
  let ssm: SSMClient;
  beforeAll(async () => {
    sb = await startSandbox({ agentPacing: true });
    ssm = new SSMClient({ endpoint: sb.endpoint, region: sb.region, credentials: sb.credentials });
  });
  afterAll(async () => {
    ssm?.destroy();
    await sb?.close();
  });

  it('StartSession → shell over StreamUrl; cut + ResumeSession keeps it; TerminateSession ends it', async () => {
    const target = sb.fleet.nodes.find((n) => n.pingStatus === 'Online' && n.platformType === 'Linux');
    expect(target).toBeDefined();
    const started = await ssm.send(new StartSessionCommand({ Target: target!.instanceId }));
    const c = new ReliableClient(started.StreamUrl!);
    await c.connect(started.TokenValue!);
    await c.waitText(`@${target!.name}:`, 'prompt with the node name');
    c.send('echo hatch-$((6*7))\r');
    await c.waitText('hatch-42\r\n');

    sb.agent.cutAll();
    const resumed = await ssm.send(new ResumeSessionCommand({ SessionId: started.SessionId }));
    await c.connect(resumed.TokenValue!);
    c.send('echo after-$((1+1))\r');
    await c.waitText('after-2\r\n');
    expect(sb.agent.session(started.SessionId!)?.connections).toBe(2);

    await ssm.send(new TerminateSessionCommand({ SessionId: started.SessionId }));
    await c.waitClosed();
    c.close();
  });
});
