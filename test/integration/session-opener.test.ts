// The one session opener: StartSession or a given response, ResumeSession wired into the
// client, and TerminateSession at most once whoever asks (a real sandbox behind the SDK).
import { CreateDocumentCommand, SSMClient, UpdateDocumentCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, ssmSessionCalls, terminateOnce, type SessionCalls } from '../../src/protocol/opener';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';

let sandbox: Sandbox;
let ssm: SSMClient;
let target: string;

beforeAll(async () => {
  sandbox = await startSandbox({ agentPacing: false });
  ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
  target = sandbox.fleet.nodes.find((n) => n.pingStatus === 'Online' && n.platformType === 'Linux' && n.region === sandbox.region)!.instanceId;
});

afterAll(async () => {
  ssm.destroy();
  await sandbox.close();
});

const terminateCount = () => sandbox.stats.byOperation['ssm:TerminateSession'] ?? 0;

describe('openSession', () => {
  it('starts, connects and terminates exactly once however often it is asked', async () => {
    const before = terminateCount();
    const opened = await openSession({ calls: ssmSessionCalls(ssm), target, start: { Target: target } });
    expect(opened.started.SessionId).toMatch(/\S/);
    await opened.client.whenReady();
    await Promise.all([opened.client.terminate(3000), opened.terminate(), opened.terminate()]);
    expect(terminateCount() - before).toBe(1);
  });

  it('takes a StartSession response the caller already has (the plugin CLI, the app)', async () => {
    const calls = ssmSessionCalls(ssm);
    const started = await calls.start({ Target: target });
    let resumed = 0;
    const counted: SessionCalls = { ...calls, resume: (id) => (resumed++, calls.resume(id)) };
    const { client, terminate } = await openSession({ calls: counted, target, start: started });
    await client.whenReady();
    sandbox.agent.cutAll();
    await new Promise<void>((resolve) => client.on('resumed', resolve));
    expect(resumed).toBeGreaterThanOrEqual(1);
    await terminate();
    await client.ended;
  });

  it('a session that cannot be connected is terminated (once), and the error thrown', async () => {
    const calls = ssmSessionCalls(ssm);
    const started = await calls.start({ Target: target });
    const before = terminateCount();
    const unreachable = { ...started, StreamUrl: 'ws://127.0.0.1:1/v1/data-channel/x' };
    await expect(openSession({ calls, target, start: unreachable, reconnect: { attempts: 1 } })).rejects.toThrow(/connection refused/);
    await new Promise((r) => setTimeout(r, 200));
    expect(terminateCount() - before).toBe(1);
  });

  it('terminateOnce shares the first call', async () => {
    let n = 0;
    const once = terminateOnce({ terminate: async () => void n++ }, 's-1');
    await Promise.all([once(), once()]);
    await once();
    expect(n).toBe(1);
  });
});

describe('idle timeout', () => {
  it("a lost connection is retried until the account's idle timeout, read from the preferences document", async () => {
    const content = { schemaVersion: '1.0', description: 'prefs', sessionType: 'Standard_Stream', inputs: { idleSessionTimeout: '7' } };
    await ssm.send(new CreateDocumentCommand({ Name: 'SSM-SessionManagerRunShell', DocumentType: 'Session', DocumentFormat: 'JSON', Content: JSON.stringify(content) })).catch(async () => {
      await ssm.send(new UpdateDocumentCommand({ Name: 'SSM-SessionManagerRunShell', DocumentVersion: '$LATEST', Content: JSON.stringify(content) }));
    });
    const opened = await openSession({ calls: ssmSessionCalls(ssm), target, start: { Target: target } });
    const expected = 7 * 60_000;
    for (let i = 0; i < 100 && opened.client.giveUpAfterMs !== expected; i++) await new Promise((r) => setTimeout(r, 20));
    expect(opened.client.giveUpAfterMs).toBe(expected);
    await opened.terminate();
  });
});
