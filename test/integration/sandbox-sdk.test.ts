// The sandbox through the AWS SDK for JavaScript v3, exactly as the app reaches AWS:
// an endpoint URL and credentials. Errors must surface as the SDK's own exceptions.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateDocumentCommand,
  DescribeInstanceInformationCommand,
  DescribeSessionsCommand,
  InvalidDocument,
  InvalidDocumentContent,
  ListDocumentsCommand,
  paginateDescribeInstanceInformation,
  ResumeSessionCommand,
  SSMClient,
  StartSessionCommand,
  TargetNotConnected,
  TerminateSessionCommand,
  DoesNotExistException,
  DescribeDocumentCommand,
  GetConnectionStatusCommand,
  GetDocumentCommand,
  ListTagsForResourceCommand,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
  DeleteDocumentCommand,
  type InstanceInformation,
} from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeInstancesCommand, DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DecryptCommand, DescribeKeyCommand, GenerateDataKeyCommand, InvalidCiphertextException, KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';
import { ReliableClient } from '../unit/sandbox-agent/harness';

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const cfg = (sb: Sandbox, credentials: Creds = sb.credentials, extra: Record<string, unknown> = {}) => ({
  endpoint: sb.endpoint,
  region: sb.region,
  credentials,
  ...extra,
});

async function failure(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

describe('sandbox through the SDK', () => {
  let sb: Sandbox;
  let ssm: SSMClient;
  beforeAll(async () => {
    sb = await startSandbox({ agentPacing: false });
    ssm = new SSMClient(cfg(sb));
  });
  afterAll(async () => {
    await sb?.close();
  });

  it('rejects an unknown key with each service’s own error', async () => {
    const bad = { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x' };
    const e1 = await failure(new SSMClient(cfg(sb, bad)).send(new DescribeInstanceInformationCommand({})));
    expect(e1.name).toBe('UnrecognizedClientException');
    expect(e1.$metadata?.httpStatusCode).toBe(400);
    expect((await failure(new KMSClient(cfg(sb, bad)).send(new ListAliasesCommand({})))).name).toBe('UnrecognizedClientException');
    expect((await failure(new STSClient(cfg(sb, bad)).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    expect((await failure(new EC2Client(cfg(sb, bad)).send(new DescribeInstancesCommand({})))).name).toBe('AuthFailure');
  });

  it('rejects a wrong secret with the signature error', async () => {
    const bad = { ...sb.credentials, secretAccessKey: `${sb.credentials.secretAccessKey}x` };
    const e = await failure(new SSMClient(cfg(sb, bad)).send(new DescribeInstanceInformationCommand({})));
    expect(e.name).toBe('InvalidSignatureException');
    expect(e.message).toMatch(/signature we calculated does not match/);
    const s = await failure(new STSClient(cfg(sb, bad)).send(new GetCallerIdentityCommand({})));
    expect(s.name).toBe('SignatureDoesNotMatch');
    expect(s.$metadata?.httpStatusCode).toBe(403);
  });

  it('is reached through AWS_ENDPOINT_URL alone, like any AWS endpoint', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, sb.env, { AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' });
    try {
      const id = await new STSClient({}).send(new GetCallerIdentityCommand({}));
      expect(id.Arn).toBe(sb.userArn);
    } finally {
      process.env = saved;
    }
  });

  it('lists the default fleet with filters, per region', async () => {
    const east = await ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 50 }));
    expect(east.InstanceInformationList?.length).toBe(sb.fleet.inRegion('us-east-1').length);
    const lost = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'PingStatus', Values: ['ConnectionLost'] }] }));
    expect(lost.InstanceInformationList?.map((i) => i.InstanceId)).toEqual(sb.fleet.inRegion('us-east-1').filter((n) => n.pingStatus === 'ConnectionLost').map((n) => n.instanceId));
    const tagged = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'tag:Role', Values: ['web'] }] }));
    expect(tagged.InstanceInformationList?.length).toBe(2);
    const eu = await new SSMClient({ ...cfg(sb), region: 'eu-west-1' }).send(new DescribeInstanceInformationCommand({}));
    expect(eu.InstanceInformationList?.length).toBe(sb.fleet.inRegion('eu-west-1').length);
    const e = await failure(ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 51 })));
    expect(e.name).toBe('ValidationException');
  });

  it('starts, lists, resumes and terminates a session', async () => {
    const web = sb.fleet.nodes.find((n) => n.name === 'web-1')!;
    const s = await ssm.send(new StartSessionCommand({ Target: web.instanceId, Reason: 'sdk test' }));
    expect(s.SessionId).toMatch(/^hatch-sandbox-[0-9a-f]{17}$/);
    expect(s.StreamUrl).toBe(`ws://127.0.0.1:${sb.port}/v1/data-channel/${s.SessionId}?role=publish_subscribe`);
    const active = await ssm.send(new DescribeSessionsCommand({ State: 'Active', Filters: [{ key: 'Target', value: web.instanceId }] }));
    expect(active.Sessions?.map((x) => [x.SessionId, x.Status, x.Reason])).toEqual([[s.SessionId, 'Connecting', 'sdk test']]);
    const r = await ssm.send(new ResumeSessionCommand({ SessionId: s.SessionId }));
    expect(r.TokenValue).toBeTruthy();
    expect(r.TokenValue).not.toBe(s.TokenValue);
    await ssm.send(new TerminateSessionCommand({ SessionId: s.SessionId }));
    const gone = await ssm.send(new ResumeSessionCommand({ SessionId: s.SessionId }));
    expect(gone.TokenValue).toBeUndefined(); // "timed out" for the client (spec 2.2)
    const hist = await ssm.send(new DescribeSessionsCommand({ State: 'History', Filters: [{ key: 'SessionId', value: s.SessionId! }] }));
    expect(hist.Sessions?.[0]).toMatchObject({ Status: 'Terminated', Owner: sb.userArn, DocumentName: 'SSM-SessionManagerRunShell' });
    expect(hist.Sessions?.[0].EndDate).toBeInstanceOf(Date);
    expect(await failure(ssm.send(new TerminateSessionCommand({ SessionId: 'nobody-0123456789abcdef0' })))).toBeInstanceOf(DoesNotExistException);
  });

  it('refuses offline nodes and unknown documents with the modeled exceptions', async () => {
    const lost = sb.fleet.nodes.find((n) => n.pingStatus === 'ConnectionLost')!;
    const e = await failure(ssm.send(new StartSessionCommand({ Target: lost.instanceId })));
    expect(e).toBeInstanceOf(TargetNotConnected);
    expect(e.message).toBe(`${lost.instanceId} is not connected.`);
    const web = sb.fleet.nodes.find((n) => n.name === 'web-1')!;
    expect(await failure(ssm.send(new StartSessionCommand({ Target: web.instanceId, DocumentName: 'No-Such-Doc' })))).toBeInstanceOf(InvalidDocument);
    const p = await failure(ssm.send(new StartSessionCommand({ Target: web.instanceId, DocumentName: 'AWS-StartPortForwardingSession', Parameters: { portNumber: ['99999'] } })));
    expect(p.name).toBe('InvalidParameters');
    expect(p.message).toContain('portNumber');
  });

  it('runs a real shell over StreamUrl and records the exit in History', async () => {
    const web = sb.fleet.nodes.find((n) => n.name === 'web-2')!;
    const s = await ssm.send(new StartSessionCommand({ Target: web.instanceId }));
    const c = new ReliableClient(s.StreamUrl!);
    await c.connect(s.TokenValue!);
    await c.waitText(`ssm-user@${web.name}:`, 'prompt');
    const active = await ssm.send(new DescribeSessionsCommand({ State: 'Active', Filters: [{ key: 'SessionId', value: s.SessionId! }] }));
    expect(active.Sessions?.[0].Status).toBe('Connected');
    c.send('echo sum=$((40+2)); exit 3\r');
    await c.waitText('sum=42');
    await c.waitClosed();
    c.close();
    const hist = await ssm.send(new DescribeSessionsCommand({ State: 'History', Filters: [{ key: 'SessionId', value: s.SessionId! }] }));
    expect(hist.Sessions?.[0]).toMatchObject({ Status: 'Terminated', Details: 'exit (exit code 3)' });
  });

  it('answers the legacy filter list, connection status and managed-instance tags', async () => {
    const legacy = await ssm.send(new DescribeInstanceInformationCommand({ InstanceInformationFilterList: [{ key: 'PlatformTypes', valueSet: ['Windows'] }] }));
    expect(legacy.InstanceInformationList?.map((i) => i.ComputerName)).toEqual(['WIN-BUILD-1']);
    const both = await failure(ssm.send(new DescribeInstanceInformationCommand({ InstanceInformationFilterList: [{ key: 'PingStatus', valueSet: ['Online'] }], Filters: [{ Key: 'PingStatus', Values: ['Online'] }] })));
    expect(both.name).toBe('ValidationException');
    expect((await failure(ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'Color', Values: ['red'] }] })))).name).toBe('InvalidFilterKey');
    const mixed = await failure(ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'tag:Role', Values: ['web'] }, { Key: 'PingStatus', Values: ['Online'] }] })));
    expect([mixed.name, mixed.message]).toEqual(['ValidationException', 'Cannot mix tag or inventory filter with any other filter.']);
    const unknown = await failure(ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: ['i-0000000000000dead'] }] })));
    expect(unknown.name).toBe('InvalidInstanceId');
    const nas = sb.fleet.nodes.find((n) => n.name === 'on-prem-nas')!;
    const info = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'ResourceType', Values: ['ManagedInstance'] }] }));
    expect(info.InstanceInformationList?.map((i) => [i.InstanceId, i.Name, i.SourceType])).toEqual([[nas.instanceId, 'on-prem-nas', 'AWS::SSM::ManagedInstance']]);
    const tags = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: nas.instanceId }));
    expect(Object.fromEntries(tags.TagList!.map((t) => [t.Key, t.Value]))).toEqual(nas.tags);
    const lost = sb.fleet.nodes.find((n) => n.pingStatus === 'ConnectionLost')!;
    expect((await ssm.send(new GetConnectionStatusCommand({ Target: nas.instanceId }))).Status).toBe('connected');
    expect((await ssm.send(new GetConnectionStatusCommand({ Target: lost.instanceId }))).Status).toBe('notconnected');
  });

  it('pages and filters EC2 instances like EC2', async () => {
    const ec2 = new EC2Client(cfg(sb));
    const ec2Nodes = sb.fleet.inRegion('us-east-1').filter((n) => n.resourceType === 'EC2Instance');
    const p1 = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    const p2 = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: p1.NextToken }));
    const ids = [...p1.Reservations!, ...p2.Reservations!].flatMap((r) => r.Instances!.map((i) => i.InstanceId));
    expect(ids).toEqual(ec2Nodes.map((n) => n.instanceId));
    expect(p2.NextToken).toBeUndefined();
    const web = ec2Nodes.find((n) => n.name === 'web-1')!;
    const one = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [web.instanceId] }));
    expect(one.Reservations?.[0].Instances?.[0]).toMatchObject({ InstanceId: web.instanceId, PrivateIpAddress: web.ipAddress, State: { Name: 'running', Code: 16 } });
    const stopped = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['stopped'] }] }));
    expect(stopped.Reservations?.flatMap((r) => r.Instances!.map((i) => i.Tags?.find((t) => t.Key === 'Name')?.Value))).toEqual(['batch-1']);
    const teams = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag-key', Values: ['Team'] }, { Name: 'tag:Name', Values: ['db-j?mp'] }] }));
    expect(teams.Reservations?.length).toBe(1);
    expect((await failure(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000dead'] })))).name).toBe('InvalidInstanceID.NotFound');
    expect((await failure(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['web-1'] })))).name).toBe('InvalidInstanceID.Malformed');
    expect((await failure(ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })))).name).toBe('InvalidParameterValue');
    const regions = await ec2.send(new DescribeRegionsCommand({}));
    expect(regions.Regions?.map((r) => r.RegionName)).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1']));
  });

  it('keeps document versions: update, default version, describe, delete a version', async () => {
    const content = (cmd: string) => JSON.stringify({ schemaVersion: '1.0', description: 'run', sessionType: 'InteractiveCommands', parameters: { cmd: { type: 'String', default: cmd } }, properties: { linux: { commands: '{{ cmd }}' } } });
    const Name = 'Hatch-Interactive';
    await ssm.send(new CreateDocumentCommand({ Name, DocumentType: 'Session', Content: content('uptime'), Tags: [{ Key: 'Team', Value: 'ops' }] }));
    const v2 = await ssm.send(new UpdateDocumentCommand({ Name, Content: content('df -h'), DocumentVersion: '$LATEST', VersionName: 'disk' }));
    expect(v2.DocumentDescription).toMatchObject({ DocumentVersion: '2', LatestVersion: '2', DefaultVersion: '1', VersionName: 'disk' });
    expect((await failure(ssm.send(new UpdateDocumentCommand({ Name, Content: content('df -h'), DocumentVersion: '$LATEST' })))).name).toBe('DuplicateDocumentContent');
    expect((await failure(ssm.send(new UpdateDocumentCommand({ Name, Content: content('w'), DocumentVersion: '1' })))).name).toBe('InvalidDocumentVersion');
    expect((await ssm.send(new GetDocumentCommand({ Name }))).DocumentVersion).toBe('1');
    await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name, DocumentVersion: '2' }));
    const d = await ssm.send(new DescribeDocumentCommand({ Name }));
    expect(d.Document).toMatchObject({ DefaultVersion: '2', DocumentVersion: '2', Parameters: [{ Name: 'cmd', Type: 'String', DefaultValue: 'df -h' }], Tags: [{ Key: 'Team', Value: 'ops' }] });
    expect(JSON.parse((await ssm.send(new GetDocumentCommand({ Name, DocumentVersion: '1' }))).Content!).parameters.cmd.default).toBe('uptime');
    expect((await failure(ssm.send(new DeleteDocumentCommand({ Name, DocumentVersion: '2' })))).name).toBe('InvalidDocumentOperation');
    await ssm.send(new DeleteDocumentCommand({ Name, DocumentVersion: '1' }));
    expect((await failure(ssm.send(new GetDocumentCommand({ Name, DocumentVersion: '1' })))).name).toBe('InvalidDocumentVersion');
    const tagged = await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: 'tag:Team', Values: ['ops'] }] }));
    expect(tagged.DocumentIdentifiers?.map((x) => x.Name)).toEqual([Name]);
    const amazon = await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: 'Owner', Values: ['Amazon'] }, { Key: 'DocumentType', Values: ['Session'] }] }));
    expect(amazon.DocumentIdentifiers?.map((x) => x.Name)).toContain('AWS-StartSSHSession');
    expect(amazon.DocumentIdentifiers?.map((x) => x.Name)).not.toContain('SSM-SessionManagerRunShell');
    expect((await failure(ssm.send(new DeleteDocumentCommand({ Name: 'AWS-StartSSHSession' })))).name).toBe('InvalidDocumentOperation');
    expect((await failure(ssm.send(new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' })))).name).toBe('InvalidDocument');
    await ssm.send(new DeleteDocumentCommand({ Name }));
  });

  it('runs AWS-StartInteractiveCommand with the command substituted into the properties', async () => {
    const node = sb.fleet.nodes.find((n) => n.name === 'bastion')!;
    const s = await ssm.send(new StartSessionCommand({ Target: node.instanceId, DocumentName: 'AWS-StartInteractiveCommand', Parameters: { command: ['echo interactive-$((20+22))'] } }));
    const c = new ReliableClient(s.StreamUrl!);
    await c.connect(s.TokenValue!);
    await c.waitText('interactive-42');
    await c.waitClosed();
    c.close();
    await expect.poll(async () => (await ssm.send(new DescribeSessionsCommand({ State: 'History', Filters: [{ key: 'SessionId', value: s.SessionId! }] }))).Sessions?.[0]?.DocumentName).toBe('AWS-StartInteractiveCommand');
  });

  it('pages session history newest first and filters by time', async () => {
    const node = sb.fleet.nodes.find((n) => n.name === 'worker-1')!;
    const before = new Date();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await ssm.send(new StartSessionCommand({ Target: node.instanceId }));
      await ssm.send(new TerminateSessionCommand({ SessionId: s.SessionId }));
      ids.push(s.SessionId!);
      await new Promise((r) => setTimeout(r, 5));
    }
    const filters = [{ key: 'Target' as const, value: node.instanceId }, { key: 'InvokedAfter' as const, value: before.toISOString() }];
    const p1 = await ssm.send(new DescribeSessionsCommand({ State: 'History', MaxResults: 3, Filters: filters }));
    const p2 = await ssm.send(new DescribeSessionsCommand({ State: 'History', MaxResults: 3, Filters: filters, NextToken: p1.NextToken }));
    expect([...p1.Sessions!, ...p2.Sessions!].map((x) => x.SessionId)).toEqual([...ids].reverse());
    const none = await ssm.send(new DescribeSessionsCommand({ State: 'History', Filters: [{ key: 'InvokedBefore', value: '2000-01-01T00:00:00Z' }] }));
    expect(none.Sessions).toEqual([]);
    expect((await failure(ssm.send(new DescribeSessionsCommand({ State: 'History', Filters: [{ key: 'InvokedAfter', value: 'yesterday' }] })))).name).toBe('InvalidFilterValue');
  });

  it('validates Session documents and names the bad field', async () => {
    const create = (content: unknown, Name = 'SSM-SessionManagerRunShell') =>
      failure(ssm.send(new CreateDocumentCommand({ Name, DocumentType: 'Session', Content: JSON.stringify(content) })));
    const base = { schemaVersion: '1.0', description: 'prefs', sessionType: 'Standard_Stream' };
    const e1 = await create({ ...base, inputs: { idleSessionTimeout: '90' } });
    expect(e1).toBeInstanceOf(InvalidDocumentContent);
    expect(e1.message).toContain('inputs.idleSessionTimeout');
    expect((await create({ ...base, inputs: { maxSessionDuration: '1441' } })).message).toContain('inputs.maxSessionDuration');
    expect((await create({ ...base, sessionType: 'Shell' })).message).toContain('sessionType');
    expect((await create({ ...base, schemaVersion: '2.2' })).message).toContain('schemaVersion');
    expect((await create({ ...base, inputs: { shellProfile: { bsd: 'x' } } })).message).toContain('inputs.shellProfile.bsd');
    expect((await create({ ...base, inputs: { runAsEnabled: true } })).message).toContain('inputs.runAsDefaultUser');
    expect((await create({ ...base, sessionType: 'Port', properties: { portNumber: '{{ port }}' } }, 'My-Port')).message).toContain('{{ port }}');
    const reserved = await failure(ssm.send(new CreateDocumentCommand({ Name: 'AWS-Mine', DocumentType: 'Session', Content: JSON.stringify(base) })));
    expect(reserved.name).toBe('ValidationException');
  });

  it('applies RunShell preferences and links the transcript from History', async () => {
    const prefs = { schemaVersion: '1.0', description: 'prefs', sessionType: 'Standard_Stream', inputs: { s3BucketName: 'audit-bucket', idleSessionTimeout: '5', maxSessionDuration: '60', kmsKeyId: '' } };
    const client = new SSMClient(cfg(sb, sb.credentials, { region: 'eu-west-1' })); // its own region, so other tests keep defaults
    await client.send(new CreateDocumentCommand({ Name: 'SSM-SessionManagerRunShell', DocumentType: 'Session', Content: JSON.stringify(prefs) }));
    const node = sb.fleet.inRegion('eu-west-1')[0];
    const s = await client.send(new StartSessionCommand({ Target: node.instanceId }));
    const c = new ReliableClient(s.StreamUrl!);
    await c.connect(s.TokenValue!);
    await c.waitText(`ssm-user@${node.name}:`, 'prompt');
    c.send('echo transcript-marker\r');
    await c.waitText('transcript-marker\r\n');
    await client.send(new TerminateSessionCommand({ SessionId: s.SessionId }));
    await c.waitClosed();
    c.close();
    const hist = await client.send(new DescribeSessionsCommand({ State: 'History' }));
    const h = hist.Sessions!.find((x) => x.SessionId === s.SessionId)!;
    expect(h.MaxSessionDuration).toBe('60');
    expect(h.OutputUrl?.S3OutputUrl).toMatch(/^file:\/\/.*\.log$/);
    expect(h.OutputUrl?.CloudWatchOutputUrl).toBeUndefined();
    // The agent writes the transcript; give it a moment to flush after the end.
    await expect.poll(() => readFileSync(fileURLToPath(h.OutputUrl!.S3OutputUrl!), 'utf8'), { timeout: 5000 }).toContain('transcript-marker');
    const list = await client.send(new ListDocumentsCommand({ Filters: [{ Key: 'DocumentType', Values: ['Session'] }, { Key: 'Owner', Values: ['Self'] }] }));
    expect(list.DocumentIdentifiers?.map((d) => d.Name)).toEqual(['SSM-SessionManagerRunShell']);
  });

  it('round-trips a data key through KMS, bound to its encryption context', async () => {
    const kms = new KMSClient(cfg(sb));
    const context = { 'aws:ssm:SessionId': 'alice-0123456789abcdef0', 'aws:ssm:TargetId': 'i-0123456789abcdef0' };
    const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/hatch-sessions', NumberOfBytes: 64, EncryptionContext: context }));
    expect(dk.Plaintext?.length).toBe(64);
    const key = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/hatch-sessions' }));
    expect(dk.KeyId).toBe(key.KeyMetadata?.Arn);
    const back = await kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: context }));
    expect(Buffer.from(back.Plaintext!).equals(Buffer.from(dk.Plaintext!))).toBe(true);
    const wrong = await failure(kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { ...context, 'aws:ssm:TargetId': 'i-0fffffffffffffff0' } })));
    expect(wrong).toBeInstanceOf(InvalidCiphertextException);
    const aes = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyMetadata!.KeyId, KeySpec: 'AES_256' }));
    expect(aes.Plaintext?.length).toBe(32);
    expect((await failure(kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/hatch-disabled', KeySpec: 'AES_256' })))).name).toBe('DisabledException');
    expect((await failure(kms.send(new DescribeKeyCommand({ KeyId: 'alias/nope' })))).name).toBe('NotFoundException');
  });

  it('runs a KMS-encrypted shell with a key from GenerateDataKey', async () => {
    const prefs = { schemaVersion: '1.0', description: 'kms', sessionType: 'Standard_Stream', inputs: { kmsKeyId: 'alias/hatch-sessions' } };
    await ssm.send(new CreateDocumentCommand({ Name: 'Hatch-KmsShell', DocumentType: 'Session', Content: JSON.stringify(prefs) }));
    const web = sb.fleet.nodes.find((n) => n.name === 'api-1')!;
    const s = await ssm.send(new StartSessionCommand({ Target: web.instanceId, DocumentName: 'Hatch-KmsShell' }));
    const dk = await new KMSClient(cfg(sb)).send(
      new GenerateDataKeyCommand({ KeyId: 'alias/hatch-sessions', NumberOfBytes: 64, EncryptionContext: { 'aws:ssm:SessionId': s.SessionId!, 'aws:ssm:TargetId': web.instanceId } }),
    );
    const c = new ReliableClient(s.StreamUrl!, undefined, { blob: Buffer.from(dk.CiphertextBlob!), key: Buffer.from(dk.Plaintext!), challengeAck: false });
    await c.connect(s.TokenValue!);
    await c.waitReady();
    expect(sb.agent.session(s.SessionId!)?.encrypted).toBe(true);
    c.send('echo enc=$((7*6))\r');
    await c.waitText('enc=42');
    await ssm.send(new TerminateSessionCommand({ SessionId: s.SessionId }));
    c.close();
  });
});

describe('time scale', () => {
  it('runs the idle timeout from the RunShell preferences on sandbox time', async () => {
    const sb = await startSandbox({ timeScale: 60, agentPacing: false }); // a minute per second
    try {
      const ssm = new SSMClient(cfg(sb));
      const prefs = { schemaVersion: '1.0', description: 'short idle', sessionType: 'Standard_Stream', inputs: { idleSessionTimeout: '1' } };
      await ssm.send(new CreateDocumentCommand({ Name: 'SSM-SessionManagerRunShell', DocumentType: 'Session', Content: JSON.stringify(prefs) }));
      const node = sb.fleet.nodes.find((n) => n.name === 'web-1')!;
      const s = await ssm.send(new StartSessionCommand({ Target: node.instanceId }));
      const c = new ReliableClient(s.StreamUrl!);
      await c.connect(s.TokenValue!);
      const started = Date.now();
      await c.waitClosed();
      const idleMs = Date.now() - started;
      c.close();
      expect(idleMs).toBeGreaterThan(700);
      expect(idleMs).toBeLessThan(5000);
      const hist = await ssm.send(new DescribeSessionsCommand({ State: 'History', Filters: [{ key: 'SessionId', value: s.SessionId! }] }));
      expect(hist.Sessions?.[0]).toMatchObject({ Status: 'Terminated', Details: 'idle-timeout' });
    } finally {
      await sb.close();
    }
  });
});

describe('temporary credentials', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ credentialLifetimeSeconds: 1 });
  });
  afterAll(async () => {
    await sb?.close();
  });

  it('accepts AssumeRole credentials until they expire, then ExpiredTokenException', async () => {
    const sts = new STSClient(cfg(sb));
    const r = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${sb.accountId}:role/HatchOperator`, RoleSessionName: 'alice' }));
    const creds = { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey!, sessionToken: r.Credentials!.SessionToken! };
    expect(r.Credentials!.Expiration!.getTime() - Date.now()).toBeLessThanOrEqual(1000);
    const ssm = new SSMClient(cfg(sb, creds));
    const ok = await ssm.send(new DescribeInstanceInformationCommand({}));
    expect(ok.InstanceInformationList?.length).toBeGreaterThan(0);
    const who = await new STSClient(cfg(sb, creds)).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(`arn:aws:sts::${sb.accountId}:assumed-role/HatchOperator/alice`);
    // Sessions started with these credentials are owned (and named) by the role session.
    const web = sb.fleet.nodes.find((n) => n.pingStatus === 'Online')!;
    const s = await ssm.send(new StartSessionCommand({ Target: web.instanceId }));
    expect(s.SessionId).toMatch(/^alice-/);
    await new Promise((res) => setTimeout(res, 1100));
    const e = await failure(ssm.send(new DescribeInstanceInformationCommand({})));
    expect(e.name).toBe('ExpiredTokenException');
    expect((await failure(new STSClient(cfg(sb, creds)).send(new GetCallerIdentityCommand({})))).name).toBe('ExpiredToken');
  });

  it('checks the MFA code of GetSessionToken against the printed TOTP secret', async () => {
    const sts = new STSClient(cfg(sb));
    const bad = await failure(sts.send(new GetSessionTokenCommand({ SerialNumber: sb.mfa.serialNumber, TokenCode: sb.mfa.code() === '000000' ? '111111' : '000000' })));
    expect(bad.name).toBe('AccessDenied');
    const ok = await sts.send(new GetSessionTokenCommand({ SerialNumber: sb.mfa.serialNumber, TokenCode: sb.mfa.code() }));
    const creds = { accessKeyId: ok.Credentials!.AccessKeyId!, secretAccessKey: ok.Credentials!.SecretAccessKey!, sessionToken: ok.Credentials!.SessionToken! };
    // MFA-protected roles need MFA-backed callers.
    const role = `arn:aws:iam::${sb.accountId}:role/AdminMFA`;
    expect((await failure(sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'nomfa' })))).name).toBe('AccessDenied');
    const r = await new STSClient(cfg(sb, creds)).send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'withmfa' }));
    expect(r.AssumedRoleUser?.Arn).toContain('assumed-role/AdminMFA/withmfa');
  });

  it('caps credential lifetimes with the expire fault', async () => {
    const short = await startSandbox({ faults: 'expire=500ms' });
    try {
      const r = await new STSClient(cfg(short)).send(new GetSessionTokenCommand({}));
      const creds = { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey!, sessionToken: r.Credentials!.SessionToken! };
      expect((await new STSClient(cfg(short, creds)).send(new GetCallerIdentityCommand({}))).Arn).toBe(short.userArn);
      await new Promise((res) => setTimeout(res, 600));
      expect((await failure(new SSMClient(cfg(short, creds)).send(new DescribeInstanceInformationCommand({})))).name).toBe('ExpiredTokenException');
    } finally {
      await short.close();
    }
  });

  it('keeps its keys across restarts with the same data dir', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hatch-sbx-data-'));
    try {
      const a = await startSandbox({ dataDir: dir });
      const keys = { ...a.credentials, mfa: a.mfa.secret };
      await a.close();
      const b = await startSandbox({ dataDir: dir });
      expect({ ...b.credentials, mfa: b.mfa.secret }).toEqual(keys);
      expect((await new STSClient(cfg(b)).send(new GetCallerIdentityCommand({}))).Arn).toBe(b.userArn);
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('compresses credential lifetimes with the time scale', async () => {
    const fast = await startSandbox({ timeScale: 900 });
    try {
      const r = await new STSClient(cfg(fast)).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${fast.accountId}:role/R`, RoleSessionName: 'fast', DurationSeconds: 900 }));
      const left = r.Credentials!.Expiration!.getTime() - Date.now();
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(1000); // 900 s of sandbox time at 900×
    } finally {
      await fast.close();
    }
  });
});

describe('throttle fault', () => {
  it('answers a share of calls with the throttling error, which the SDK retries', async () => {
    const sb = await startSandbox({ faults: 'throttle=0.3,seed=7' });
    try {
      const ssm = new SSMClient(cfg(sb, sb.credentials, { maxAttempts: 10 }));
      let attempts = 0;
      for (let i = 0; i < 8; i++) {
        const r = await ssm.send(new DescribeInstanceInformationCommand({}));
        expect(r.InstanceInformationList?.length).toBeGreaterThan(0);
        attempts += r.$metadata.attempts ?? 1;
      }
      expect(sb.stats.throttled).toBeGreaterThan(0);
      expect(attempts).toBe(8 + sb.stats.throttled); // every throttled call was retried
    } finally {
      await sb.close();
    }
  });

  it('throttles the same calls again for the same seed', async () => {
    const pattern = async () => {
      const sb = await startSandbox({ faults: 'throttle=0.5,seed=3' });
      try {
        const ssm = new SSMClient(cfg(sb, sb.credentials, { maxAttempts: 1 }));
        const out: string[] = [];
        for (let i = 0; i < 16; i++) out.push(await ssm.send(new GetConnectionStatusCommand({ Target: 'i-0123456789abcdef0' })).then(() => 'ok', (e: Error) => e.name));
        return out;
      } finally {
        await sb.close();
      }
    };
    const a = await pattern();
    expect(await pattern()).toEqual(a);
    expect(new Set(a)).toEqual(new Set(['ok', 'ThrottlingException']));
  });

  it('uses each service’s throttling code, all treated as retryable by the SDK', async () => {
    const sb = await startSandbox({ faults: 'throttle=1' });
    try {
      const opts = { maxAttempts: 2 };
      const e1 = await failure(new SSMClient(cfg(sb, sb.credentials, opts)).send(new DescribeInstanceInformationCommand({})));
      expect([e1.name, e1.$metadata?.attempts]).toEqual(['ThrottlingException', 2]);
      const e2 = await failure(new STSClient(cfg(sb, sb.credentials, opts)).send(new GetCallerIdentityCommand({})));
      expect([e2.name, e2.$metadata?.attempts]).toEqual(['Throttling', 2]);
      const e3 = await failure(new EC2Client(cfg(sb, sb.credentials, opts)).send(new DescribeInstancesCommand({})));
      expect([e3.name, e3.$metadata?.attempts]).toEqual(['RequestLimitExceeded', 2]);
    } finally {
      await sb.close();
    }
  });
});

describe('10,000-node fleet', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ nodes: 10_000 });
  });
  afterAll(async () => {
    await sb?.close();
  });

  it('lists every node through the paginator, across both regions', async () => {
    const seen = new Set<string>();
    for (const region of ['us-east-1', 'eu-west-1']) {
      const client = new SSMClient({ ...cfg(sb), region });
      const items: InstanceInformation[] = [];
      for await (const page of paginateDescribeInstanceInformation({ client, pageSize: 50 }, {})) items.push(...(page.InstanceInformationList ?? []));
      expect(items.length).toBe(sb.fleet.inRegion(region).length);
      for (const i of items) seen.add(i.InstanceId!);
    }
    expect(seen.size).toBe(10_000);
    const ec2 = await new EC2Client(cfg(sb)).send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['web-000?'] }] }));
    const names = ec2.Reservations!.flatMap((r) => r.Instances!.map((i) => i.Tags!.find((t) => t.Key === 'Name')!.Value));
    const expected = sb.fleet.inRegion('us-east-1').filter((n) => n.resourceType === 'EC2Instance' && /^web-000.$/.test(n.name));
    expect(names.sort()).toEqual(expected.map((n) => n.name).sort());
    expect(names.length).toBeGreaterThan(5);
  });
});
