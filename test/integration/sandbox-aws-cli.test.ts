// AWS's own CLI (v2, /usr/bin/aws) against the sandbox, isolated from any real AWS
// configuration. CLI calls cost about a second each, so they run concurrently where
// they do not depend on each other.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetDocumentCommand, SSMClient, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';

const AWS = '/usr/bin/aws'; // another `aws` may shadow it on PATH

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json: () => Record<string, unknown>;
}

describe('AWS CLI v2 against the sandbox', () => {
  let sb: Sandbox;
  let home: string;
  let env: Record<string, string>;

  const aws = (args: string[], over: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      execFile(AWS, ['--endpoint-url', sb.endpoint, '--no-cli-pager', '--output', 'json', ...args], { env: { ...env, ...over }, timeout: 30_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> });
      });
    });

  beforeAll(async () => {
    // 150 generated nodes: 120 in us-east-1, the CLI's region.
    sb = await startSandbox({ nodes: 150, agentPacing: false });
    home = mkdtempSync(path.join(os.tmpdir(), 'hatch-cli-home-'));
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_ACCESS_KEY_ID: sb.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sb.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: sb.region,
      AWS_PAGER: '',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  });
  afterAll(async () => {
    await sb?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('answers the CLI for SSM, EC2 and STS', async () => {
    expect(sb.fleet.inRegion('us-east-1').length).toBe(120);
    // Sessions for describe-sessions: one still active, one terminated.
    const sdk = new SSMClient({ endpoint: sb.endpoint, region: sb.region, credentials: sb.credentials });
    const online = sb.fleet.inRegion('us-east-1').filter((n) => n.pingStatus === 'Online');
    const live = await sdk.send(new StartSessionCommand({ Target: online[0].instanceId }));
    const done = await sdk.send(new StartSessionCommand({ Target: online[1].instanceId }));
    await sdk.send(new TerminateSessionCommand({ SessionId: done.SessionId }));

    const paging = async () => {
      const first = await aws(['ssm', 'describe-instance-information', '--page-size', '7', '--max-items', '50']);
      const rest = await aws(['ssm', 'describe-instance-information', '--page-size', '7', '--starting-token', String(first.json().NextToken)]);
      return { first, rest };
    };
    const prefs = path.join(home, 'prefs.json');
    const prefs2 = path.join(home, 'prefs2.json');
    const doc = { schemaVersion: '1.0', description: 'Session Manager preferences', sessionType: 'Standard_Stream', inputs: { idleSessionTimeout: '20', s3BucketName: '', cloudWatchLogGroupName: '' } };
    writeFileSync(prefs, JSON.stringify(doc));
    writeFileSync(prefs2, JSON.stringify({ ...doc, inputs: { ...doc.inputs, idleSessionTimeout: '5' } }));
    const documents = async () => {
      const name = ['--name', 'SSM-SessionManagerRunShell'];
      const create = await aws(['ssm', 'create-document', ...name, '--document-type', 'Session', '--content', `file://${prefs}`]);
      const get1 = await aws(['ssm', 'get-document', ...name]);
      const update = await aws(['ssm', 'update-document', ...name, '--content', `file://${prefs2}`, '--document-version', '$LATEST']);
      const del = await aws(['ssm', 'delete-document', ...name]);
      return { create, get1, update, del };
    };

    const [pages, lost, active, history, docs, ec2, who, role, badSecret] = await Promise.all([
      paging(),
      aws(['ssm', 'describe-instance-information', '--filters', 'Key=PingStatus,Values=ConnectionLost']),
      aws(['ssm', 'describe-sessions', '--state', 'Active']),
      aws(['ssm', 'describe-sessions', '--state', 'History']),
      documents(),
      aws(['ec2', 'describe-instances', '--filters', 'Name=tag:Name,Values=web-00*', 'Name=instance-state-name,Values=running']),
      aws(['sts', 'get-caller-identity']),
      aws(['sts', 'assume-role', '--role-arn', `arn:aws:iam::${sb.accountId}:role/HatchReadOnly`, '--role-session-name', 'cli-test']),
      aws(['ssm', 'describe-instance-information'], { AWS_SECRET_ACCESS_KEY: 'wrong-secret-key' }),
    ]);

    // Paging: 50 items then a token; the token resumes at item 51.
    expect(pages.first.code).toBe(0);
    const firstIds = (pages.first.json().InstanceInformationList as { InstanceId: string }[]).map((i) => i.InstanceId);
    const restIds = (pages.rest.json().InstanceInformationList as { InstanceId: string }[]).map((i) => i.InstanceId);
    expect(firstIds.length).toBe(50);
    expect([...firstIds, ...restIds]).toEqual(sb.fleet.inRegion('us-east-1').map((n) => n.instanceId));

    const lostIds = (lost.json().InstanceInformationList as { InstanceId: string; PingStatus: string }[]).map((i) => i.InstanceId);
    expect(lostIds).toEqual(sb.fleet.inRegion('us-east-1').filter((n) => n.pingStatus === 'ConnectionLost').map((n) => n.instanceId));
    expect(lostIds.length).toBeGreaterThan(0);

    expect((active.json().Sessions as { SessionId: string }[]).map((s) => s.SessionId)).toEqual([live.SessionId]);
    const hist = history.json().Sessions as { SessionId: string; Status: string }[];
    expect(hist.map((s) => [s.SessionId, s.Status])).toEqual([[done.SessionId, 'Terminated']]);

    expect(docs.create.code).toBe(0);
    expect(docs.create.json().DocumentDescription).toMatchObject({ Name: 'SSM-SessionManagerRunShell', DocumentType: 'Session', DocumentVersion: '1', Status: 'Active' });
    expect(JSON.parse(String(docs.get1.json().Content))).toEqual(doc);
    expect(docs.update.json().DocumentDescription).toMatchObject({ DocumentVersion: '2', LatestVersion: '2', DefaultVersion: '1' });
    expect(docs.del.code).toBe(0);
    const gone = await sdk.send(new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' })).catch((e: Error) => e);
    expect((gone as Error).name).toBe('InvalidDocument');

    const instances = (ec2.json().Reservations as { Instances: { InstanceId: string; State: { Name: string } }[] }[]).flatMap((r) => r.Instances);
    const expected = sb.fleet.inRegion('us-east-1').filter((n) => n.resourceType === 'EC2Instance' && n.pingStatus === 'Online' && n.name.startsWith('web-00'));
    expect(instances.map((i) => i.InstanceId).sort()).toEqual(expected.map((n) => n.instanceId).sort());
    expect(instances.every((i) => i.State.Name === 'running')).toBe(true);

    expect(who.json()).toEqual({ UserId: 'AIDAHATCHSANDBOXUSER1', Account: sb.accountId, Arn: sb.userArn });
    expect(role.json()).toMatchObject({ AssumedRoleUser: { Arn: `arn:aws:sts::${sb.accountId}:assumed-role/HatchReadOnly/cli-test` } });
    expect((role.json().Credentials as { AccessKeyId: string }).AccessKeyId).toMatch(/^ASIA/);

    expect(badSecret.code).not.toBe(0);
    expect(badSecret.stderr).toContain('InvalidSignatureException');
  });
});
