// The issue "Session Manager preferences, documents, audit and preflight checks", item by
// item, through HatchHost against the embedded sandbox, with AWS's own CLI (/usr/bin/aws)
// as the independent witness and as the colleague who changes the account meanwhile.
// Sandbox time runs 600× faster, so a 1-minute idle timeout passes in about 0.1 s.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetDocumentCommand, UpdateDocumentCommand } from '@aws-sdk/client-ssm';
import { PREFERENCES_DOCUMENT, RULES, type SessionPreferences } from '../../src/shared/domain/preferences';
import type { PreferencesState } from '../../src/shared/contract-documents';
import type { SessionInfo } from '../../src/shared/contract';
import { startTestHost, type TestHost } from './documents-helpers';

const AWS = '/usr/bin/aws'; // AWS CLI 2.9: ignores AWS_ENDPOINT_URL; another `aws` may shadow it on PATH

let t: TestHost;
const where = { profile: 'Sandbox', region: 'us-east-1' };

beforeAll(async () => {
  t = await startTestHost({
    sandbox: { timeScale: 600 },
    // Two user profiles of the same account, reaching the sandbox through endpoint_url.
    config: (sb) => `[profile team-east]\nregion = us-east-1\nendpoint_url = ${sb.endpoint}\n\n[profile team-west]\nregion = eu-west-1\nendpoint_url = ${sb.endpoint}\n`,
    credentials: (sb) => {
      const keys = `aws_access_key_id = ${sb.credentials.accessKeyId}\naws_secret_access_key = ${sb.credentials.secretAccessKey}\n`;
      return `[team-east]\n${keys}\n[team-west]\n${keys}`;
    },
  });
});
afterAll(async () => {
  await t?.dispose();
});

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The AWS CLI, isolated from any real AWS configuration, pointed at the sandbox. */
function aws(args: string[], region = 'us-east-1'): Promise<CliResult> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: t.home,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ACCESS_KEY_ID: t.sandbox.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: t.sandbox.credentials.secretAccessKey,
    AWS_DEFAULT_REGION: region,
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  return new Promise((resolve) => {
    execFile(AWS, ['--endpoint-url', t.sandbox.endpoint, '--no-cli-pager', '--output', 'json', ...args], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** `aws ssm get-document --name SSM-SessionManagerRunShell [--document-version V]`, parsed. */
async function cliDocument(version?: string): Promise<{ version: string; inputs: Record<string, unknown>; description: unknown }> {
  const out = await aws(['ssm', 'get-document', '--name', PREFERENCES_DOCUMENT, ...(version ? ['--document-version', version] : [])]);
  expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
  const doc = JSON.parse(out.stdout) as { DocumentVersion: string; Content: string };
  const content = JSON.parse(doc.Content) as { inputs: Record<string, unknown>; description?: unknown };
  return { version: doc.DocumentVersion, inputs: content.inputs, description: content.description };
}

function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () =>
      probe().then(
        (v) => (v !== undefined ? resolve(v) : setTimeout(check, 20)),
        reject,
      );
    check();
  });
}

const nodeId = async (name: string, at = where) => (await t.call('inventory.list', at)).nodes.find((n) => n.name === name)!.id;

async function savePreferences(at: { profile: string; region: string }, change: Partial<SessionPreferences>): Promise<PreferencesState> {
  const state = await t.call('preferences.get', at);
  const out = await t.call('preferences.save', { ...at, preferences: { ...state.preferences, ...change }, baseVersion: state.version, baseHash: state.hash });
  if (out.outcome !== 'saved') throw new Error(`expected saved, got ${out.outcome}`);
  return out.state;
}

describe('the idle timeout changed in Hatch', () => {
  it('is what `aws ssm get-document` shows, and the next session ends on it', async () => {
    const created = await savePreferences(where, {}); // AWS's defaults: 20 minutes
    expect(created.version).toBe('1');
    const saved = await savePreferences(where, { idleSessionTimeout: 1 });
    expect(saved.version).toBe('2');

    // The CLI's get-document (the default version, no --document-version) sees the change.
    const doc = await cliDocument();
    expect(doc.version).toBe('2');
    expect(doc.inputs.idleSessionTimeout).toBe('1');

    // The next session gets a 1-minute idle timeout, which the sandbox enforces.
    const session = await t.call('sessions.start', { ...where, target: await nodeId('web-1'), engine: 'native', cols: 80, rows: 24 });
    const ended = await waitFor(async () => {
      const { sessions } = await t.call('sessions.list', {});
      const s = sessions.find((x: SessionInfo) => x.id === session.id);
      return s?.state === 'ended' ? s : undefined;
    });
    // The service's channel_closed says "Your session timed out due to inactivity…" (AWS's words).
    expect(ended.endReason, `ended with message: ${ended.message}`).toBe('idle-timeout');
    const record = t.sandbox.sessions().find((s) => s.sessionId === session.awsSessionId)!;
    expect(record.preferences.idleSessionTimeoutMinutes).toBe(1);
    expect(record.endReason).toBe('idle-timeout');
  });
});

describe('an invalid value', () => {
  const invalid = [
    ['an idle timeout of 0', { idleSessionTimeout: 0 }, RULES.idleSessionTimeout],
    ['a malformed S3 bucket name', { s3BucketName: 'Bad_Bucket' }, RULES.s3BucketName],
    ['an S3 bucket name shaped like an IP address', { s3BucketName: '192.168.1.1' }, RULES.s3BucketName],
  ] as const;

  it('is refused with its rule, and nothing is saved (the version AWS holds is unchanged)', async () => {
    const before = await t.call('preferences.get', where);
    const cliBefore = await cliDocument('$LATEST');
    expect(cliBefore.version).toBe(before.version);
    for (const [label, change, rule] of invalid) {
      const preferences = { ...before.preferences, ...change };
      const out = await t.raw('preferences.save', { ...where, preferences, baseVersion: before.version, baseHash: before.hash });
      expect(out.ok, label).toBe(false);
      if (out.ok) return;
      expect(out.error.code, label).toBe('BadRequest');
      expect(out.error.message, label).toContain(rule);
      // Even with overwrite asked for, nothing reaches AWS.
      const forced = await t.raw('preferences.save', { ...where, preferences, baseVersion: before.version, baseHash: before.hash, overwrite: true });
      expect(!forced.ok && forced.error.message, label).toContain(rule);
    }
    const cliAfter = await cliDocument('$LATEST');
    expect(cliAfter.version).toBe(cliBefore.version);
    expect(cliAfter.inputs).toEqual(cliBefore.inputs);
    expect((await cliDocument()).version).toBe(cliBefore.version); // the default version too
    expect((await t.call('preferences.get', where)).version).toBe(before.version);
  });
});

describe('a change made meanwhile with `aws ssm update-document`', () => {
  it.each([
    ['update-document alone (as AWS documents it)', false],
    ['update-document, then update-document-default-version', true],
  ] as const)('is a conflict before Hatch overwrites it, and overwriting works once confirmed: %s', async (_label, makeDefault) => {
    const loaded = await t.call('preferences.get', where);
    // A colleague raises the idle timeout with the CLI.
    const theirs = JSON.parse((await t.direct().send(new GetDocumentCommand({ Name: PREFERENCES_DOCUMENT, DocumentVersion: '$LATEST' }))).Content!) as { inputs: Record<string, unknown> };
    const file = path.join(t.home, `colleague-${makeDefault}.json`);
    const timeout = makeDefault ? '44' : '33';
    writeFileSync(file, JSON.stringify({ schemaVersion: '1.0', description: `colleague ${timeout}`, sessionType: 'Standard_Stream', inputs: { ...theirs.inputs, idleSessionTimeout: timeout } }));
    const update = await aws(['ssm', 'update-document', '--name', PREFERENCES_DOCUMENT, '--content', `file://${file}`, '--document-version', '$LATEST']);
    expect(update.stderr).toBe('');
    const theirVersion = (JSON.parse(update.stdout) as { DocumentDescription: { DocumentVersion: string } }).DocumentDescription.DocumentVersion;
    expect(Number(theirVersion)).toBe(Number(loaded.version) + 1);
    if (makeDefault) {
      const made = await aws(['ssm', 'update-document-default-version', '--name', PREFERENCES_DOCUMENT, '--document-version', theirVersion]);
      expect(made.code).toBe(0);
    }

    // Hatch, still on what it loaded, saves its own change: a conflict, nothing written.
    const mine = { ...loaded.preferences, idleSessionTimeout: 9 };
    const out = await t.call('preferences.save', { ...where, preferences: mine, baseVersion: loaded.version, baseHash: loaded.hash });
    expect(out.outcome).toBe('conflict');
    if (out.outcome !== 'conflict') return;
    expect(out.current.version).toBe(theirVersion);
    expect(out.current.preferences.idleSessionTimeout).toBe(Number(timeout));
    const still = await cliDocument('$LATEST');
    expect(still.version).toBe(theirVersion);
    expect(still.inputs.idleSessionTimeout).toBe(timeout);

    // Confirmed: overwrite. Their change is replaced by a new version, made default. (The
    // view saves on the version it showed in the confirmation; the API also takes overwrite.)
    const forced = await t.call(
      'preferences.save',
      makeDefault
        ? { ...where, preferences: mine, baseVersion: out.current.version, baseHash: out.current.hash }
        : { ...where, preferences: mine, baseVersion: loaded.version, baseHash: loaded.hash, overwrite: true },
    );
    expect(forced.outcome).toBe('saved');
    if (forced.outcome !== 'saved') return;
    expect(forced.state.version).toBe(String(Number(theirVersion) + 1));
    const after = await cliDocument(); // the default version
    expect(after.version).toBe(forced.state.version);
    expect(after.inputs.idleSessionTimeout).toBe('9');
  });
});

describe('overwriting after a confirmation', () => {
  it('replaces only the version that was confirmed: a change made after it is another conflict', async () => {
    const loaded = await t.call('preferences.get', where);
    const change = async (idle: string) => {
      const doc = await t.direct().send(new GetDocumentCommand({ Name: PREFERENCES_DOCUMENT, DocumentVersion: '$LATEST' }));
      const { inputs } = JSON.parse(doc.Content!) as { inputs: Record<string, unknown> };
      await t.direct().send(new UpdateDocumentCommand({ Name: PREFERENCES_DOCUMENT, DocumentVersion: '$LATEST', Content: JSON.stringify({ schemaVersion: '1.0', sessionType: 'Standard_Stream', inputs: { ...inputs, idleSessionTimeout: idle } }) }));
    };
    await change('41');
    const mine = { ...loaded.preferences, idleSessionTimeout: 8 };
    const first = await t.call('preferences.save', { ...where, preferences: mine, baseVersion: loaded.version, baseHash: loaded.hash });
    expect(first.outcome).toBe('conflict');
    if (first.outcome !== 'conflict') return;
    // The user confirms overwriting version N+1 (idle 41); meanwhile it becomes 42.
    await change('42');
    const second = await t.call('preferences.save', { ...where, preferences: mine, baseVersion: first.current.version, baseHash: first.current.hash });
    expect(second.outcome).toBe('conflict');
    if (second.outcome !== 'conflict') return;
    expect(second.current.preferences.idleSessionTimeout).toBe(42);
    const third = await t.call('preferences.save', { ...where, preferences: mine, baseVersion: second.current.version, baseHash: second.current.hash });
    expect(third.outcome).toBe('saved');
    expect((await t.call('preferences.get', where)).preferences.idleSessionTimeout).toBe(8);
  });
});

describe('comparing two profiles', () => {
  it('lists exactly the fields that differ', async () => {
    const east = { profile: 'team-east', region: 'us-east-1' };
    const west = { profile: 'team-west', region: 'eu-west-1' };
    const shared: Partial<SessionPreferences> = {
      idleSessionTimeout: 9,
      maxSessionDuration: null,
      runAsEnabled: true,
      runAsDefaultUser: 'ops',
      s3KeyPrefix: '',
      cloudWatchLogGroupName: '/ssm/sessions',
      shellProfileLinux: 'cd ~',
      shellProfileWindows: '',
      s3EncryptionEnabled: true,
      cloudWatchEncryptionEnabled: true,
      cloudWatchStreamingEnabled: true,
    };
    await savePreferences(east, { ...shared, kmsEncryption: true, kmsKeyId: 'alias/hatch-sessions', s3BucketName: 'audit-east' });
    await savePreferences(west, { ...shared, idleSessionTimeout: 30, maxSessionDuration: 120, kmsEncryption: false, kmsKeyId: '', s3BucketName: 'audit-west', cloudWatchStreamingEnabled: false });

    const { columns, differing } = await t.call('preferences.compare', { targets: [east, west] });
    expect(columns.map((c) => [c.profile, c.region, c.exists, c.error])).toEqual([
      ['team-east', 'us-east-1', true, null],
      ['team-west', 'eu-west-1', true, null],
    ]);
    expect([...differing].sort()).toEqual(['cloudWatchStreamingEnabled', 'idleSessionTimeout', 'kmsEncryption', 'kmsKeyId', 'maxSessionDuration', 's3BucketName'].sort());
    // The built-in Sandbox profile sees the same us-east-1 document as team-east: no difference.
    expect((await t.call('preferences.compare', { targets: [east, where] })).differing).toEqual([]);
  });
});

describe('preflight explains why a session would fail', () => {
  it('on an offline node: the agent’s ping status', async () => {
    const out = await t.call('preflight.run', { ...where, target: await nodeId('batch-1') });
    expect(out.status).toBe('fail');
    const ping = out.checks.find((c) => c.check === 'Node ping status')!;
    expect(ping.status).toBe('fail');
    expect(ping.message).toContain('ConnectionLost');
    expect(ping.action).toMatch(/SSM agent/);
  });

  it('on an old-agent node: the version port forwarding needs', async () => {
    const legacy = await nodeId('legacy-app');
    const out = await t.call('preflight.run', { ...where, target: legacy, documentName: 'AWS-StartPortForwardingSessionToRemoteHost' });
    expect(out.status).toBe('fail');
    const agent = out.checks.find((c) => c.check === 'Agent version')!;
    expect(agent.status).toBe('fail');
    expect(agent.message).toMatch(/Agent 3\.0\.161\.0 is older than [\d.]+, which port forwarding to a remote host needs/);
    expect(agent.action).toMatch(/Update the SSM agent/);
  });

  it.each([
    ['names a key that does not exist', 'alias/hatch-nowhere', /alias\/hatch-nowhere, which does not exist/],
    ['names a disabled key', 'alias/hatch-disabled', /alias\/hatch-disabled, which is Disabled/],
  ] as const)('on a KMS misconfiguration: the preferences %s', async (_label, kmsKeyId, explained) => {
    await savePreferences(where, { kmsEncryption: true, kmsKeyId, idleSessionTimeout: 20 });
    const out = await t.call('preflight.run', { ...where, target: await nodeId('web-1') });
    expect(out.status).toBe('fail');
    const kms = out.checks.find((c) => c.check === 'KMS encryption')!;
    expect(kms.status).toBe('fail');
    expect(kms.message).toMatch(explained);
    expect(kms.action).toMatch(/Preferences/);
  });
});
