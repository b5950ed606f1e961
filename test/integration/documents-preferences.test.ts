// Session Manager preferences, the document catalogue and preflight through HatchHost,
// against the embedded sandbox's SSM and KMS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetDocumentCommand, UpdateDocumentCommand } from '@aws-sdk/client-ssm';
import { defaultPreferences, PREFERENCES_DOCUMENT, RULES, type SessionPreferences } from '../../src/shared/domain/preferences';
import type { PreferencesState } from '../../src/shared/contract-documents';
import { startTestHost, type TestHost } from './documents-helpers';
import { watchTerminal } from '../helpers/terminal-viewer';
import { waitFor } from '../helpers/host-harness';

let t: TestHost;
const where = { profile: 'Sandbox', region: 'us-east-1' };

beforeAll(async () => {
  t = await startTestHost();
});
afterAll(async () => {
  await t?.dispose();
});

async function awsContent(region = 'us-east-1'): Promise<{ version: string; inputs: Record<string, unknown> }> {
  const doc = await t.direct(region).send(new GetDocumentCommand({ Name: PREFERENCES_DOCUMENT, DocumentVersion: '$LATEST' }));
  return { version: doc.DocumentVersion!, inputs: (JSON.parse(doc.Content!) as { inputs: Record<string, unknown> }).inputs };
}

describe('Session Manager preferences', () => {
  let loaded: PreferencesState;

  it('reports a missing document with AWS’s defaults', async () => {
    loaded = await t.call('preferences.get', where);
    expect(loaded.exists).toBe(false);
    expect(loaded.readable).toBe(true);
    expect(loaded.version).toBeNull();
    expect(loaded.preferences).toEqual(defaultPreferences());
  });

  it('creates the document with the defaults the first time', async () => {
    const out = await t.call('preferences.save', { ...where, preferences: defaultPreferences(), baseVersion: null, baseHash: null });
    expect(out.outcome).toBe('saved');
    if (out.outcome !== 'saved') return;
    expect(out.created).toBe(true);
    expect(out.state.exists).toBe(true);
    expect(out.state.version).toBe('1');
    const aws = await awsContent();
    expect(aws.inputs.idleSessionTimeout).toBe('20');
    expect(aws.inputs.s3EncryptionEnabled).toBe(true);
    loaded = out.state;
  });

  it('saves every field as a new default version that AWS applies to sessions', async () => {
    const prefs: SessionPreferences = {
      ...loaded.preferences,
      idleSessionTimeout: 7,
      maxSessionDuration: 90,
      kmsEncryption: true,
      kmsKeyId: 'alias/hatch-sessions',
      runAsEnabled: true,
      runAsDefaultUser: 'ops',
      s3BucketName: 'audit-bucket.example',
      s3KeyPrefix: 'sessions/',
      s3EncryptionEnabled: false,
      cloudWatchLogGroupName: '/ssm/sessions',
      cloudWatchEncryptionEnabled: false,
      cloudWatchStreamingEnabled: false,
      shellProfileLinux: 'cd ~ && bash',
      shellProfileWindows: 'cd $HOME',
    };
    const out = await t.call('preferences.save', { ...where, preferences: prefs, baseVersion: loaded.version, baseHash: loaded.hash });
    expect(out.outcome).toBe('saved');
    if (out.outcome !== 'saved') return;
    expect(out.state.version).toBe('2');
    expect(out.state.preferences).toEqual(prefs);
    const aws = await awsContent();
    expect(aws.version).toBe('2');
    expect(aws.inputs).toMatchObject({
      idleSessionTimeout: '7',
      maxSessionDuration: '90',
      kmsKeyId: 'alias/hatch-sessions',
      runAsEnabled: true,
      runAsDefaultUser: 'ops',
      s3BucketName: 'audit-bucket.example',
      cloudWatchLogGroupName: '/ssm/sessions',
      cloudWatchStreamingEnabled: false,
      shellProfile: { linux: 'cd ~ && bash', windows: 'cd $HOME' },
    });
    const described = await t.direct().send(new GetDocumentCommand({ Name: PREFERENCES_DOCUMENT }));
    expect(described.DocumentVersion).toBe('2'); // the default version moved too
    loaded = out.state;
  });

  it('says "unchanged" when nothing changed, and can go back to an earlier setting', async () => {
    const same = await t.call('preferences.save', { ...where, preferences: loaded.preferences, baseVersion: loaded.version, baseHash: loaded.hash });
    expect(same.outcome).toBe('unchanged');
    // Back to the version-1 content: AWS refuses duplicate content, Hatch still saves it.
    const back = await t.call('preferences.save', { ...where, preferences: defaultPreferences(), baseVersion: loaded.version, baseHash: loaded.hash });
    expect(back.outcome).toBe('saved');
    if (back.outcome !== 'saved') return;
    expect(back.state.preferences).toEqual(defaultPreferences());
    expect((await awsContent()).inputs.idleSessionTimeout).toBe('20');
    loaded = back.state;
  });

  it('detects a change made elsewhere, then reloads or overwrites', async () => {
    const { inputs } = await awsContent();
    const doc = { schemaVersion: '1.0', description: 'changed by a colleague', sessionType: 'Standard_Stream', inputs: { ...inputs, idleSessionTimeout: '45' } };
    await t.direct().send(new UpdateDocumentCommand({ Name: PREFERENCES_DOCUMENT, Content: JSON.stringify(doc), DocumentVersion: '$LATEST' }));

    const mine = { ...loaded.preferences, idleSessionTimeout: 12 };
    const out = await t.call('preferences.save', { ...where, preferences: mine, baseVersion: loaded.version, baseHash: loaded.hash });
    expect(out.outcome).toBe('conflict');
    if (out.outcome !== 'conflict') return;
    expect(out.current.preferences.idleSessionTimeout).toBe(45);
    expect(Number(out.current.version)).toBeGreaterThan(Number(loaded.version));
    expect((await awsContent()).inputs.idleSessionTimeout).toBe('45'); // nothing was written

    const forced = await t.call('preferences.save', { ...where, preferences: mine, baseVersion: loaded.version, baseHash: loaded.hash, overwrite: true });
    expect(forced.outcome).toBe('saved');
    expect((await awsContent()).inputs.idleSessionTimeout).toBe('12');
    // Fields the form does not manage (the colleague's description) are kept.
    const text = (await t.direct().send(new GetDocumentCommand({ Name: PREFERENCES_DOCUMENT, DocumentVersion: '$LATEST' }))).Content!;
    expect(JSON.parse(text).description).toBe('changed by a colleague');
  });

  it('refuses invalid values with a message that names the rule', async () => {
    const bad = await t.raw('preferences.save', { ...where, preferences: { ...defaultPreferences(), idleSessionTimeout: 61 }, baseVersion: null, baseHash: null });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('BadRequest');
      expect(bad.error.message).toContain(RULES.idleSessionTimeout);
    }
    const noKey = await t.raw('preferences.save', { ...where, preferences: { ...defaultPreferences(), kmsEncryption: true }, baseVersion: null, baseHash: null });
    expect(!noKey.ok && noKey.error.message).toContain(RULES.kmsKeyRequired);
  });

  it('lists the account’s KMS keys with their aliases', async () => {
    const { keys } = await t.call('preferences.kmsKeys', where);
    const sessions = keys.find((k) => k.aliases.includes('alias/hatch-sessions'));
    expect(sessions?.enabled).toBe(true);
    expect(sessions?.arn).toMatch(/^arn:aws:kms:us-east-1:\d{12}:key\//);
    expect(keys.find((k) => k.aliases.includes('alias/hatch-disabled'))?.enabled).toBe(false);
  });

  it('compares regions side by side and names what differs', async () => {
    const { columns, differing } = await t.call('preferences.compare', { targets: [where, { profile: 'Sandbox', region: 'eu-west-1' }] });
    expect(columns.map((c) => [c.region, c.exists])).toEqual([
      ['us-east-1', true],
      ['eu-west-1', false],
    ]);
    expect(differing).toEqual(['idleSessionTimeout']);
  });
});

describe('Session document catalogue', () => {
  const content = JSON.stringify({
    schemaVersion: '1.0',
    description: 'Tail a log',
    sessionType: 'NonInteractiveCommands',
    parameters: { lines: { type: 'String', default: '5', allowedPattern: '^[0-9]+$' } },
    properties: { linux: { commands: 'seq 1 {{ lines }}' } },
  });

  it('lists AWS-owned Session documents and the account’s own', async () => {
    await t.call('documents.save', { ...where, name: 'Hatch-Tail', content, baseVersion: null });
    const { documents } = await t.call('documents.list', where);
    const names = documents.map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(['AWS-StartPortForwardingSession', 'AWS-StartInteractiveCommand', 'Hatch-Tail', PREFERENCES_DOCUMENT]));
    expect(documents.find((d) => d.name === 'Hatch-Tail')?.own).toBe(true);
    expect(documents.find((d) => d.name === 'AWS-StartSSHSession')?.own).toBe(false);
  });

  it('reads a document with its parameters', async () => {
    const doc = await t.call('documents.get', { ...where, name: 'AWS-StartPortForwardingSessionToRemoteHost' });
    expect(doc.sessionType).toBe('Port');
    expect(doc.portForward).toBe('remote-host');
    expect(doc.parameters.map((p) => p.name)).toEqual(['portNumber', 'localPortNumber', 'host']);
    expect(doc.parameters[2].defaults).toBeNull();
    expect(doc.parameters[0].allowedPattern).toMatch(/^\^/);
  });

  it('edits an own document against the version it was opened at', async () => {
    const opened = await t.call('documents.get', { ...where, name: 'Hatch-Tail' });
    const edited = content.replace('Tail a log', 'Tail a log (edited)');
    const saved = await t.call('documents.save', { ...where, name: 'Hatch-Tail', content: edited, baseVersion: opened.latestVersion });
    expect(saved.documentVersion).toBe('2');
    expect(saved.description).toBe('Tail a log (edited)');
    const stale = await t.raw('documents.save', { ...where, name: 'Hatch-Tail', content: content.replace('Tail', 'Follow'), baseVersion: opened.latestVersion });
    expect(!stale.ok && stale.error.message).toMatch(/changed since you opened it/);
  });

  it('checks the JSON before AWS sees it', async () => {
    const bad = await t.raw('documents.save', { ...where, name: 'Hatch-Bad', content: JSON.stringify({ schemaVersion: '1.0', sessionType: 'Port', properties: {} }), baseVersion: null });
    expect(!bad.ok && bad.error.message).toContain('properties.portNumber is required');
    const reserved = await t.raw('documents.save', { ...where, name: 'AWS-Mine', content, baseVersion: null });
    expect(!reserved.ok && reserved.error.message).toContain('reserved');
  });

  it('runs a NonInteractiveCommands document through sessions.start with its parameters', async () => {
    const { nodes } = await t.call('inventory.list', where);
    const web = nodes.find((n) => n.name === 'web-1')!;
    const session = await t.call('sessions.start', { ...where, target: web.id, documentName: 'Hatch-Tail', parameters: { lines: ['3'] }, engine: 'native', cols: 80, rows: 24 });
    expect(session.documentName).toBe('Hatch-Tail');
    const terminal = watchTerminal(t.host, session.id);
    await waitFor(() => /1\s+2\s+3/.test(terminal.text()), 20_000, 'the document\'s output "1 2 3"');
    terminal.close();
  });
});

describe('Preflight', () => {
  const byName = async (name: string) => (await t.call('inventory.list', where)).nodes.find((n) => n.name === name)!;

  it('passes for an online node with the default document', async () => {
    // The preferences were left with no KMS key above; name the enabled one.
    const state = await t.call('preferences.get', where);
    await t.call('preferences.save', { ...where, preferences: { ...state.preferences, kmsEncryption: true, kmsKeyId: 'alias/hatch-sessions' }, baseVersion: state.version, baseHash: state.hash });
    const out = await t.call('preflight.run', { ...where, target: (await byName('web-1')).id });
    expect(out.checks.map((c) => [c.check, c.status])).toEqual([
      ['Node ping status', 'ok'],
      ['Connection status', 'ok'],
      ['Session document', 'ok'],
      ['Agent version', 'ok'],
      ['KMS encryption', 'ok'],
      ['Session engine', 'ok'],
    ]);
    expect(out.status).toBe('ok');
  });

  it('fails a lost node and explains it', async () => {
    const out = await t.call('preflight.run', { ...where, target: (await byName('batch-1')).id });
    expect(out.status).toBe('fail');
    const ping = out.checks.find((c) => c.check === 'Node ping status')!;
    expect(ping.status).toBe('fail');
    expect(ping.message).toContain('ConnectionLost');
    expect(out.checks.find((c) => c.check === 'Connection status')?.status).toBe('fail');
  });

  it('warns that an old agent cannot multiplex port forwarding, and fails remote-host forwarding', async () => {
    const legacy = (await byName('legacy-app')).id;
    const port = await t.call('preflight.run', { ...where, target: legacy, documentName: 'AWS-StartPortForwardingSession' });
    const agent = port.checks.find((c) => c.check === 'Agent version')!;
    expect(agent.status).toBe('warn');
    expect(agent.message).toContain('3.0.222.0');
    expect(port.checks.some((c) => c.check === 'KMS encryption')).toBe(false); // port sessions are not encrypted
    const remote = await t.call('preflight.run', { ...where, target: legacy, documentName: 'AWS-StartPortForwardingSessionToRemoteHost' });
    expect(remote.checks.find((c) => c.check === 'Agent version')?.status).toBe('fail');
  });

  it('fails when the preferences name a disabled KMS key', async () => {
    const state = await t.call('preferences.get', where);
    await t.call('preferences.save', { ...where, preferences: { ...state.preferences, kmsEncryption: true, kmsKeyId: 'alias/hatch-disabled' }, baseVersion: state.version, baseHash: state.hash });
    const out = await t.call('preflight.run', { ...where, target: (await byName('web-1')).id });
    const kms = out.checks.find((c) => c.check === 'KMS encryption')!;
    expect(kms.status).toBe('fail');
    expect(kms.message).toContain('alias/hatch-disabled');
  });
});
