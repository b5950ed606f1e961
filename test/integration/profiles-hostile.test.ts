// The AWS config and credentials files under hostile and careless input, through the real
// path: the browser host's WebSocket (the renderer's own bridge), HatchHost, real files in a
// temporary HOME, and the AWS CLI v2 reading the result.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { HatchHost } from '../../src/main/host';
import { BuiltinSandbox } from '../../src/main/aws';
import { startWebHost, type WebHost } from '../../src/host-web/server';
import { createHatchApi, type HatchApi, type CallResult } from '../../src/shared/contract';
import { createWebSocketBridge, webSocketProtocols, type WebSocketBridge } from '../../src/shared/websocket-bridge';
import type { ProfileInput, ProfileSummary } from '../../src/shared/domain/profiles';

const run = promisify(execFile);

interface Hatch {
  home: string;
  config: string;
  credentials: string;
  api: HatchApi;
  bridge: WebSocketBridge;
  /** Profiles as the AWS CLI v2 lists them (it must succeed). */
  cliProfiles(): Promise<string[]>;
  close(): Promise<void>;
}

const rendererDir = mkdtempSync(path.join(os.tmpdir(), 'hatch-renderer-'));
writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Hatch</title>');

/** A HatchHost on a fresh HOME, reached over the browser host's WebSocket as the renderer reaches it. */
async function startHatch(files: { config?: string; credentials?: string; link?: boolean } = {}): Promise<Hatch> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'hatch-hostile-'));
  mkdirSync(path.join(home, '.aws'));
  const config = path.join(home, '.aws', 'config');
  const credentials = path.join(home, '.aws', 'credentials');
  if (files.config !== undefined) writeFileSync(config, files.config, { mode: 0o600 });
  if (files.credentials !== undefined) writeFileSync(credentials, files.credentials, { mode: 0o600 });
  const env = { HOME: home, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials };
  const host = new HatchHost({
    host: 'web',
    dataDir: path.join(home, '.hatch'),
    env,
    sandbox: new BuiltinSandbox(async () => {
      throw new Error('not used here');
    }),
    pluginCandidates: () => [],
    logError: () => undefined,
  });
  const web: WebHost = await startWebHost({ host, rendererDir, port: 0, log: () => undefined });
  const bridge = createWebSocketBridge(new WebSocket(`ws://127.0.0.1:${web.port}/ws`, webSocketProtocols(web.token), { headers: { Origin: `http://127.0.0.1:${web.port}` } }) as never);
  await bridge.ready;
  return {
    home,
    config,
    credentials,
    api: createHatchApi(bridge),
    bridge,
    async cliProfiles() {
      const { stdout } = await run('/usr/bin/aws', ['configure', 'list-profiles'], {
        env: { PATH: process.env.PATH, HOME: home, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_PAGER: '' },
        timeout: 30_000,
      });
      return stdout.split('\n').filter(Boolean).sort();
    },
    async close() {
      bridge.close();
      await web.close();
      await host.dispose();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
const call = (hatch: Hatch, method: string, request: unknown): Promise<CallResult> => hatch.bridge.invoke(method, request);

afterAll(() => rmSync(rendererDir, { recursive: true, force: true }));

// ── INI injection ─────────────────────────────────────────────────────────────────

const MARK = () => path.join(os.tmpdir(), `hatch-injected-${process.pid}`);
// Every way a line can end for the SDK, the AWS CLI (Python) or an editor.
const BREAKS = ['\n', '\r', '\r\n', '\u2028', '\u2029', '\u0085', '\u000b', '\u000c', '\u001c', '\u001e'];
const injection = (br: string) => `${br}[profile alpha]${br}credential_process = touch ${MARK()}${br}[profile beta]${br}region = us-east-1`;

/** For each field written to a file: a valid profile in which that field is written, and a legitimate value. */
const FIELDS: Array<{ field: keyof ProfileInput; base: ProfileInput; value: string }> = (() => {
  const role = 'arn:aws:iam::111122223333:role/Ops';
  const staticKeys: ProfileInput = { name: 'victim', kind: 'static', region: 'us-east-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
  const mfa: ProfileInput = { name: 'victim', kind: 'mfa', roleArn: role, sourceProfile: 'base', mfaSerial: 'arn:aws:iam::111122223333:mfa/me', externalId: 'ext-1', roleSessionName: 'me', durationSeconds: 3600 };
  const sso: ProfileInput = { name: 'victim', kind: 'sso', ssoSession: 'corp', ssoStartUrl: 'https://corp.awsapps.com/start', ssoRegion: 'eu-west-1', ssoAccountId: '111122223333', ssoRoleName: 'ReadOnly' };
  const proc: ProfileInput = { name: 'victim', kind: 'credential-process', credentialProcess: '/usr/local/bin/creds --profile x', endpointUrl: 'https://ssm.example.com' };
  const web: ProfileInput = { name: 'victim', kind: 'web-identity', roleArn: role, webIdentityTokenFile: '/var/run/token', roleSessionName: 'web' };
  return [
    { field: 'mfaSerial', base: mfa, value: 'arn:aws:iam::111122223333:mfa/me' },
    { field: 'externalId', base: mfa, value: 'ext-1' },
    { field: 'roleSessionName', base: mfa, value: 'me' },
    { field: 'roleArn', base: mfa, value: role },
    { field: 'sourceProfile', base: mfa, value: 'base' },
    { field: 'secretAccessKey', base: staticKeys, value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    { field: 'accessKeyId', base: staticKeys, value: 'AKIAIOSFODNN7EXAMPLE' },
    { field: 'region', base: staticKeys, value: 'us-east-1' },
    { field: 'credentialProcess', base: proc, value: '/usr/local/bin/creds --profile x' },
    { field: 'endpointUrl', base: proc, value: 'https://ssm.example.com/' },
    { field: 'ssoRoleName', base: sso, value: 'ReadOnly' },
    { field: 'ssoSession', base: sso, value: 'corp' },
    { field: 'ssoStartUrl', base: sso, value: 'https://corp.awsapps.com/start' },
    { field: 'webIdentityTokenFile', base: web, value: '/var/run/token' },
    { field: 'name', base: proc, value: 'victim' },
  ];
})();

describe('INI injection: no value or name can change the files’ structure', () => {
  let hatch: Hatch;
  const CONFIG = '# mine\n[profile base]\nregion = us-east-1\ncredential_process = /bin/true\n\n[profile victim]\ncredential_process = /bin/true\n';
  const CREDENTIALS = '[base]\naws_access_key_id = AKIABASE000000000000\naws_secret_access_key = base-secret\n';

  beforeAll(async () => {
    hatch = await startHatch({ config: CONFIG, credentials: CREDENTIALS });
    expect(await hatch.cliProfiles()).toEqual(['base', 'victim']);
  });
  afterAll(() => hatch.close());

  for (const { field, base, value } of FIELDS) {
    it(`${field}: every line break and control character is refused, by add and by update`, async () => {
      for (const br of BREAKS) {
        for (const method of ['profiles.add', 'profiles.update'] as const) {
          const input = { ...base, name: method === 'profiles.add' ? 'newcomer' : 'victim', [field]: value + injection(br) };
          const result = await call(hatch, method, input);
          expect(result, `${method} ${field} with ${JSON.stringify(br)}`).toMatchObject({ ok: false, error: { code: 'BadRequest' } });
          // Nothing was written: byte for byte the same files.
          expect(read(hatch.config)).toBe(CONFIG);
          expect(read(hatch.credentials)).toBe(CREDENTIALS);
        }
      }
      // The AWS CLI still reads the files and sees no new profile; Hatch neither.
      expect(await hatch.cliProfiles()).toEqual(['base', 'victim']);
      const { profiles } = await hatch.api.call('profiles.list', {});
      expect(profiles.map((p: ProfileSummary) => p.name).sort()).toEqual(['Sandbox', 'base', 'victim']);
      expect(existsSync(MARK())).toBe(false);
    });
  }

  it('a legitimate edit of each kind still works and the AWS CLI reads it', async () => {
    for (const { base } of FIELDS.filter((f, i, all) => all.findIndex((g) => g.base === f.base) === i)) {
      const result = await call(hatch, 'profiles.update', base);
      expect(result, JSON.stringify(base)).toMatchObject({ ok: true });
    }
    expect(await hatch.cliProfiles()).toEqual(['base', 'victim']);
  });
});

// ── Concurrency ───────────────────────────────────────────────────────────────────

describe('concurrent edits', () => {
  const CONFIG = [
    '# team config: keep every comment',
    '',
    ...Array.from({ length: 10 }, (_, i) => [`# profile p${i}`, `[profile p${i}]`, `region = us-east-1`, `credential_process = /bin/echo p${i}`, `custom_${i} = keep`, '']).flat(),
  ].join('\n');
  const CREDENTIALS = Array.from({ length: 10 }, (_, i) => `# keys of k${i}\n[k${i}]\naws_access_key_id = AKIAK${i}000000000000000\naws_secret_access_key = secret-${i}\n`).join('\n');
  let hatch: Hatch;

  beforeEach(async () => {
    hatch = await startHatch({ config: CONFIG, credentials: CREDENTIALS });
  });
  afterEach(() => hatch.close());

  it('20 at once (add, update, remove; config, credentials, both): every success is in the files, nothing else changed', async () => {
    type Op = { method: string; request: Record<string, unknown>; check: (config: Parsed, creds: Parsed) => void };
    type Parsed = Record<string, Record<string, string | undefined>>;
    const ops: Op[] = [];
    for (let i = 0; i < 5; i++) {
      // add: config only, and config + credentials (static keys)
      ops.push({ method: 'profiles.add', request: { name: `new${i}`, kind: 'credential-process', region: 'eu-west-1', credentialProcess: `/bin/echo new${i}` }, check: (c) => expect(c[`new${i}`]).toMatchObject({ region: 'eu-west-1', credential_process: `/bin/echo new${i}` }) });
      ops.push({
        method: 'profiles.add',
        request: { name: `keys${i}`, kind: 'static', region: 'ap-south-1', accessKeyId: `AKIANEW${i}0000000000000`, secretAccessKey: `new-secret-${i}` },
        check: (c, k) => {
          expect(c[`keys${i}`]).toMatchObject({ region: 'ap-south-1' });
          expect(k[`keys${i}`]).toMatchObject({ aws_access_key_id: `AKIANEW${i}0000000000000`, aws_secret_access_key: `new-secret-${i}` });
        },
      });
    }
    for (let i = 0; i < 4; i++) {
      ops.push({ method: 'profiles.update', request: { name: `p${i}`, kind: 'credential-process', region: 'sa-east-1', credentialProcess: `/bin/echo updated${i}` }, check: (c) => expect(c[`p${i}`]).toMatchObject({ region: 'sa-east-1', credential_process: `/bin/echo updated${i}`, [`custom_${i}`]: 'keep' }) });
    }
    for (let i = 4; i < 7; i++) ops.push({ method: 'profiles.remove', request: { name: `p${i}` }, check: (c) => expect(c[`p${i}`]).toBeUndefined() });
    for (let i = 0; i < 3; i++) {
      ops.push({
        method: 'profiles.remove',
        request: { name: `k${i}` },
        check: (c, k) => {
          expect(k[`k${i}`]).toBeUndefined();
          expect(c[`k${i}`]).toBeUndefined();
        },
      });
    }
    expect(ops).toHaveLength(20);
    const results = await Promise.all(ops.map((op) => call(hatch, op.method, op.request)));
    const failures = results.map((r, i) => (r.ok ? null : `${ops[i].method} ${JSON.stringify(ops[i].request)}: ${r.error.message}`)).filter(Boolean);
    expect(failures).toEqual([]);

    // The SDK's parser reads both files and sees every change…
    const { configFile, credentialsFile } = await loadSharedConfigFiles({ configFilepath: hatch.config, filepath: hatch.credentials, ignoreCache: true });
    const config: Parsed = Object.fromEntries(Object.entries(configFile).filter(([k]) => !k.includes('.')));
    for (const op of ops) op.check(config, credentialsFile);
    // …and nothing else changed: the untouched profiles and every comment of kept sections.
    for (let i = 7; i < 10; i++) expect(config[`p${i}`]).toEqual({ region: 'us-east-1', credential_process: `/bin/echo p${i}`, [`custom_${i}`]: 'keep' });
    for (let i = 3; i < 10; i++) expect(credentialsFile[`k${i}`]).toEqual({ aws_access_key_id: `AKIAK${i}000000000000000`, aws_secret_access_key: `secret-${i}` });
    const configText = read(hatch.config);
    expect(configText).toContain('# team config: keep every comment');
    for (let i = 0; i < 10; i++) expect(configText.includes(`# profile p${i}\n`)).toBe(i < 4 || i >= 7);
    const credentialsText = read(hatch.credentials);
    for (let i = 0; i < 10; i++) expect(credentialsText.includes(`# keys of k${i}\n`)).toBe(i >= 3);
    // The AWS CLI reads the result and lists exactly the expected profiles.
    const expected = [...[0, 1, 2, 3, 7, 8, 9].map((i) => `p${i}`), ...[3, 4, 5, 6, 7, 8, 9].map((i) => `k${i}`), ...[0, 1, 2, 3, 4].flatMap((i) => [`new${i}`, `keys${i}`])].sort();
    expect(await hatch.cliProfiles()).toEqual(expected);
    expect(statSync(hatch.credentials).mode & 0o777).toBe(0o600);
  });

  it('two adds of the same name at once: exactly one wins, the other is told it exists', async () => {
    const request = (n: number) => ({ name: 'twin', kind: 'credential-process', credentialProcess: `/bin/echo ${n}` });
    const results = await Promise.all([call(hatch, 'profiles.add', request(1)), call(hatch, 'profiles.add', request(2))]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ error: { message: expect.stringContaining('already exists') } });
    expect(read(hatch.config).match(/\[profile twin\]/g)).toHaveLength(1);
    expect(await hatch.cliProfiles()).toContain('twin');
  });
});

// ── Comments, secrets, symlinks, modes ─────────────────────────────────────────────

describe('careful edits', () => {
  it('removing a profile takes its own leading comments and blank lines, and nothing of its neighbours', async () => {
    const config = '# file header\n\n# about a\n[profile a]\nregion = us-east-1\n# trailing note of a\n\n# about b\n# (two lines)\n[profile b]\nregion = us-east-1\n\n# about c\n[profile c]\nregion = us-east-1';
    const hatch = await startHatch({ config });
    try {
      expect(await hatch.api.call('profiles.remove', { name: 'b' })).toEqual({});
      expect(read(hatch.config)).toBe('# file header\n\n# about a\n[profile a]\nregion = us-east-1\n# trailing note of a\n\n# about c\n[profile c]\nregion = us-east-1');
      expect(await hatch.cliProfiles()).toEqual(['a', 'c']);
    } finally {
      await hatch.close();
    }
  });

  it('no error text quotes a secret: line numbers and key names only', async () => {
    const bare = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYBARESECRET';
    const token = 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD=tail';
    const credentials = [
      '[leaky]',
      'aws_access_key_id = AKIALEAKY00000000000',
      'aws_secret_access_key = real-secret-value',
      bare,
      token,
      'aws_session_token SESSIONWITHOUTEQUALS',
      'region = SECRET-IN-REGION',
      '[other]',
      'aws_secret_access_key = OTHERSECRET',
    ].join('\n');
    const config = '[profile leaky]\nregion = us-east-1\n[profile cfg]\naws_secret_access_key = CONFIGSECRET\nregion = mars-1\nsecret_thing PASSWORDLIKE\n';
    const hatch = await startHatch({ config, credentials });
    try {
      const { profiles } = await hatch.api.call('profiles.list', {});
      const text = JSON.stringify(profiles);
      for (const secret of [bare, token, 'IQoJb3JpZ2luX2VjEJr', 'SESSIONWITHOUTEQUALS', 'SECRET-IN-REGION', 'real-secret-value', 'OTHERSECRET', 'CONFIGSECRET', 'PASSWORDLIKE', 'wJalrXUtnFEMI']) {
        expect(text).not.toContain(secret);
      }
      const leaky = profiles.find((p: ProfileSummary) => p.name === 'leaky')!;
      expect(leaky.error).toMatch(/line 4/i);
      expect(leaky.error).toMatch(/line 7.*region/i);
      // A harmless key of the config file may be quoted, to help find the mistake.
      expect(profiles.find((p: ProfileSummary) => p.name === 'cfg')!.error).toMatch(/Line 5: region "mars-1" is not a region name/);
    } finally {
      await hatch.close();
    }
  });

  it('edits the target of a symlinked file in place of the link, keeping its mode', async () => {
    const hatch = await startHatch();
    try {
      const dotfiles = path.join(hatch.home, 'dotfiles');
      mkdirSync(dotfiles);
      writeFileSync(path.join(dotfiles, 'aws-config'), '# managed by my dotfiles\n[profile base]\nregion = us-east-1\ncredential_process = /bin/true\n', { mode: 0o640 });
      chmodSync(path.join(dotfiles, 'aws-config'), 0o640);
      writeFileSync(path.join(dotfiles, 'aws-credentials'), '[base]\naws_access_key_id = AKIABASE000000000000\naws_secret_access_key = s\n', { mode: 0o600 });
      symlinkSync('../dotfiles/aws-config', hatch.config);
      symlinkSync(path.join(dotfiles, 'aws-credentials'), hatch.credentials);
      await hatch.api.call('profiles.add', { name: 'linked', kind: 'static', region: 'eu-west-1', accessKeyId: 'AKIALINKED0000000000', secretAccessKey: 'linked-secret' });
      expect(lstatSync(hatch.config).isSymbolicLink()).toBe(true);
      expect(readlinkSync(hatch.config)).toBe('../dotfiles/aws-config');
      expect(lstatSync(hatch.credentials).isSymbolicLink()).toBe(true);
      expect(read(path.join(dotfiles, 'aws-config'))).toMatch(/# managed by my dotfiles[\s\S]*\[profile linked\]\nregion = eu-west-1\n$/);
      expect(read(path.join(dotfiles, 'aws-credentials'))).toMatch(/\[linked\]\naws_access_key_id = AKIALINKED0000000000\naws_secret_access_key = linked-secret\n$/);
      expect(statSync(path.join(dotfiles, 'aws-config')).mode & 0o777).toBe(0o640);
      expect(statSync(path.join(dotfiles, 'aws-credentials')).mode & 0o777).toBe(0o600);
      await hatch.api.call('profiles.remove', { name: 'linked' });
      expect(lstatSync(hatch.config).isSymbolicLink()).toBe(true);
      expect(read(path.join(dotfiles, 'aws-credentials'))).not.toContain('linked');
      expect(await hatch.cliProfiles()).toEqual(['base']);
    } finally {
      await hatch.close();
    }
  });
});
