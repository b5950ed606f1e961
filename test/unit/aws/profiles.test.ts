import { readFileSync, existsSync, statSync, renameSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfileService } from '../../../src/main/aws/profiles';
import { BuiltinSandbox, SANDBOX_PROFILE } from '../../../src/main/aws/sandbox';
import type { ProfileSummary } from '../../../src/shared/domain/profiles';
import { tempAws, useEnv, type TempAws } from './helpers';

const CONFIG = `# company config — keep this comment
[default]
region = eu-west-1

[profile dev]
region = us-east-1 ; trailing comment

[profile admin]
role_arn = arn:aws:iam::111122223333:role/Admin
source_profile = dev
region = eu-central-1

[profile ec2-role]
role_arn = arn:aws:iam::111122223333:role/FromInstance
credential_source = Ec2InstanceMetadata

[profile prod-mfa]
role_arn = arn:aws:iam::111122223333:role/Prod
source_profile = dev
mfa_serial = arn:aws:iam::111122223333:mfa/alice
hatch_regions = eu-west-1, us-west-2

[profile keys-mfa]
mfa_serial = arn:aws:iam::111122223333:mfa/bob

[profile sso-new]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = us-west-2

[profile sso-legacy]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = ReadOnly

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile proc]
credential_process = /usr/local/bin/get-creds --profile x

[profile webid]
role_arn = arn:aws:iam::111122223333:role/Web
web_identity_token_file = /var/run/token

[profile local]
region = us-east-1
endpoint_url = http://127.0.0.1:4566
aws_access_key_id = AKIALOCAL0000000000
aws_secret_access_key = local-secret

[profile split]
region = us-east-1
endpoint_url = https://global.example.com
services = split-endpoints

[services split-endpoints]
ssm =
  endpoint_url = https://ssm.example.com
ec2 =
  endpoint_url = https://ec2.example.com
`;

const CREDENTIALS = `[dev]
aws_access_key_id = AKIADEV00000000000000
aws_secret_access_key = dev-secret

[keys-mfa]
aws_access_key_id = AKIABOB00000000000000
aws_secret_access_key = bob-secret

[split]
aws_access_key_id = AKIASPLIT000000000000
aws_secret_access_key = split-secret
`;

let aws: TempAws;
let restore: () => void;
let service: ProfileService;

beforeEach(() => {
  aws = tempAws({ config: CONFIG, credentials: CREDENTIALS });
  restore = useEnv(aws.env);
  service = new ProfileService({ env: aws.env });
});

afterEach(() => {
  service.dispose();
  restore();
  aws.cleanup();
});

function byName(list: ProfileSummary[]): Record<string, ProfileSummary> {
  return Object.fromEntries(list.map((p) => [p.name, p]));
}

describe('ProfileService.list', () => {
  it('detects every kind, with region and endpoints', async () => {
    const p = byName(await service.list());
    expect(p.default).toMatchObject({ kind: 'unknown', region: 'eu-west-1' });
    expect(p.dev).toMatchObject({ kind: 'static', region: 'us-east-1', credentialState: 'ready', error: null, source: 'config' });
    expect(p.admin).toMatchObject({ kind: 'assume-role', region: 'eu-central-1', error: null });
    expect(p['ec2-role']).toMatchObject({ kind: 'assume-role', error: null });
    expect(p['prod-mfa']).toMatchObject({ kind: 'mfa', credentialState: 'needs-mfa', regions: ['eu-west-1', 'us-west-2'] });
    expect(p['keys-mfa']).toMatchObject({ kind: 'mfa', credentialState: 'needs-mfa', error: null });
    expect(p['sso-new']).toMatchObject({ kind: 'sso', region: 'us-west-2', error: null });
    expect(p['sso-legacy']).toMatchObject({ kind: 'sso', error: null });
    expect(p.proc).toMatchObject({ kind: 'credential-process', error: null });
    expect(p.webid).toMatchObject({ kind: 'web-identity', error: null });
    expect(p.local).toMatchObject({ kind: 'static', endpointUrl: 'http://127.0.0.1:4566' });
    // The services section beats the profile's global endpoint_url for SSM.
    expect(p.split).toMatchObject({ kind: 'static', endpointUrl: 'https://ssm.example.com' });
    // sso-session and services sections are not profiles.
    expect(p.corp).toBeUndefined();
    expect(p['split-endpoints']).toBeUndefined();
  });

  it('never puts a secret in a summary', async () => {
    const json = JSON.stringify(await service.list());
    for (const secret of ['dev-secret', 'bob-secret', 'split-secret', 'local-secret', 'AKIADEV', 'AKIABOB']) expect(json).not.toContain(secret);
  });

  it('resolves per-service endpoints with the SDK precedence', async () => {
    const split = await service.get('split');
    expect(service.endpointFor(split, 'ssm')).toBe('https://ssm.example.com');
    expect(service.endpointFor(split, 'ec2')).toBe('https://ec2.example.com');
    expect(service.endpointFor(split, 'sts')).toBe('https://global.example.com');
    const withEnv = new ProfileService({ env: { ...aws.env, AWS_ENDPOINT_URL_STS: 'http://sts.local' } });
    expect(withEnv.endpointFor(await withEnv.get('split'), 'sts')).toBe('http://sts.local');
    const ignoring = new ProfileService({ env: { ...aws.env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' } });
    expect(ignoring.endpointFor(await ignoring.get('split'), 'ssm')).toBeUndefined();
  });

  it('honours AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE', async () => {
    const other = tempAws({ config: '[profile elsewhere]\nregion = ap-south-1\n', credentials: '[elsewhere]\naws_access_key_id = AKIAELSEWHERE0000000\naws_secret_access_key = s\n' });
    try {
      const s = new ProfileService({ env: { HOME: aws.home, AWS_CONFIG_FILE: other.config, AWS_SHARED_CREDENTIALS_FILE: other.credentials } });
      const list = await s.list();
      expect(list.map((p) => p.name)).toEqual(['elsewhere']);
      expect(list[0]).toMatchObject({ kind: 'static', region: 'ap-south-1' });
    } finally {
      other.cleanup();
    }
  });

  it('works with no AWS files at all (only the built-in Sandbox)', async () => {
    const empty = tempAws();
    try {
      const sandbox = new BuiltinSandbox(async () => {
        throw new Error('not started in this test');
      });
      const s = new ProfileService({ env: empty.env, sandbox });
      const list = await s.list();
      expect(list).toEqual([
        { name: SANDBOX_PROFILE, kind: 'builtin-sandbox', region: null, regions: [], endpointUrl: null, credentialState: 'ready', error: null, source: 'builtin' },
      ]);
    } finally {
      empty.cleanup();
    }
  });
});

describe('malformed files and profiles', () => {
  it('gives the broken profile a clear error and leaves the rest usable', async () => {
    aws.write(
      'config',
      `[profile good]
region = us-east-1

[profile broken]
region = us-east-1
this line has no equals sign
role_arn = arn:aws:iam::111122223333:role/X

[profile bad-values]
region = mars-1
endpoint_url = not a url

[profile dangling]
role_arn = arn:aws:iam::111122223333:role/X
source_profile = nobody

[profile loop-a]
role_arn = arn:aws:iam::111122223333:role/A
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::111122223333:role/B
source_profile = loop-a

[profile both]
role_arn = arn:aws:iam::111122223333:role/X
source_profile = good
credential_source = Environment

[profile no-session]
sso_session = missing
sso_account_id = 111122223333
sso_role_name = R

[notprefixed]
region = us-east-1

[profile victim]
credential_process = /bin/true

[profile unclosed
region = eu-west-1

[profile after]
region = us-west-1
`,
    );
    aws.write('credentials', '[good]\naws_access_key_id = AKIAGOOD000000000000\naws_secret_access_key = g\n[halfkeys]\naws_access_key_id = AKIAHALF000000000000\n');
    aws.write('config', `${readFileSync(aws.config, 'utf8')}\n[profile via-half]\nrole_arn = arn:aws:iam::111122223333:role/X\nsource_profile = halfkeys\n`);
    const p = byName(await service.list());
    expect(p.good).toMatchObject({ kind: 'static', credentialState: 'ready', error: null });
    expect(p.after).toMatchObject({ error: expect.stringContaining('no credentials') });

    expect(p.broken.credentialState).toBe('error');
    expect(p.broken.error).toMatch(/Line 6: expected "key = value"/);
    expect(p['bad-values'].error).toMatch(/config: Line 10: region "mars-1" is not a region name/);
    expect(p['bad-values'].error).toMatch(/Line 11: endpoint_url "not a url" is not an http\(s\) URL/);
    expect(p.dangling.error).toMatch(/Line 15: source_profile "nobody" does not exist/);
    expect(p['loop-a'].error).toMatch(/cycle/);
    expect(p.both.error).toMatch(/either source_profile or credential_source/);
    expect(p['no-session'].error).toMatch(/sso_session "missing": there is no such \[sso-session\] section/);
    expect(p.notprefixed.error).toMatch(/\[profile notprefixed\]/);
    expect(p.halfkeys.error).toMatch(/aws_secret_access_key is missing/);
    expect(p['via-half'].error).toMatch(/source profile "halfkeys" has errors/);
    // The unclosed header: its own entry errs, and so does the section whose keys it swallows.
    expect(p.unclosed.error).toMatch(/missing its closing "\]"/);
    expect(p.victim.error).toMatch(/malformed section header follows/);
    // A malformed line is never quoted: it could hold a secret.
    aws.write('credentials', '[leaky]\naws_secret_access_key SECRETVALUE123\n');
    const leaky = byName(await service.refresh()).leaky;
    expect(leaky.error).toMatch(/credentials: Line 2: expected "key = value"/);
    expect(leaky.error).not.toContain('SECRETVALUE123');
  });

  it('reports a file the SDK rejects as a whole, keeping the other file usable', async () => {
    aws.write('config', '[profile ok-in-config]\nregion = us-east-1\n[profile __proto__]\nregion = x\n');
    const p = byName(await service.list());
    expect(p['ok-in-config'].error).toMatch(/cannot read .*config.*__proto__/);
    expect(p.dev).toMatchObject({ kind: 'static', error: null });
    expect((await service.fileErrors()).join(' ')).toMatch(/__proto__/);
  });
});

describe('watching', () => {
  it('refreshes when a file is replaced', async () => {
    await service.list();
    const changed = new Promise<ProfileSummary[]>((resolve) => {
      const stop = service.watch((profiles) => {
        if (profiles.some((p) => p.name === 'newcomer')) {
          stop();
          resolve(profiles);
        }
      });
    });
    // Replace by rename, as editors and the CLI do.
    const tmp = `${aws.config}.tmp`;
    writeFileSync(tmp, `${CONFIG}\n[profile newcomer]\nregion = sa-east-1\ncredential_process = /bin/true\n`);
    renameSync(tmp, aws.config);
    const profiles = await changed;
    expect(byName(profiles).newcomer).toMatchObject({ kind: 'credential-process', region: 'sa-east-1' });
  });
});

describe('editing', () => {
  it('adds a profile atomically, keeping comments, other sections and a backup', async () => {
    const before = readFileSync(aws.config, 'utf8');
    const summary = await service.add({
      name: 'ops',
      kind: 'assume-role',
      region: 'eu-north-1',
      regions: ['eu-north-1', 'us-east-1'],
      roleArn: 'arn:aws:iam::111122223333:role/Ops',
      sourceProfile: 'dev',
    });
    expect(summary).toMatchObject({ name: 'ops', kind: 'assume-role', region: 'eu-north-1', regions: ['eu-north-1', 'us-east-1'], error: null });
    const after = readFileSync(aws.config, 'utf8');
    expect(after.startsWith(before.trimEnd())).toBe(true);
    expect(after).toMatch(/\[profile ops\]\nregion = eu-north-1\nhatch_regions = us-east-1\nrole_arn = arn:aws:iam::111122223333:role\/Ops\nsource_profile = dev\n$/);
    expect(readFileSync(`${aws.config}.bak`, 'utf8')).toBe(before);
    expect(statSync(aws.config).mode & 0o777).toBe(0o600);
  });

  it('updates in place: keeps comments and unknown keys, removes what no longer applies', async () => {
    aws.write(
      'config',
      `# top
[profile team]
# why this region
region = us-east-1 ; trailing
cli_pager =
role_arn = arn:aws:iam::111122223333:role/Old
source_profile = base

[profile base]
credential_process = /bin/true
`,
    );
    await service.update({ name: 'team', kind: 'sso', region: 'eu-west-1', ssoSession: 'corp', ssoStartUrl: 'https://corp.awsapps.com/start', ssoRegion: 'eu-west-1', ssoAccountId: '111122223333', ssoRoleName: 'Admin' });
    const text = readFileSync(aws.config, 'utf8');
    expect(text).toBe(`# top
[profile team]
# why this region
region = eu-west-1 ; trailing
cli_pager =
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin

[profile base]
credential_process = /bin/true

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access
`);
    const team = byName(await service.list()).team;
    expect(team).toMatchObject({ kind: 'sso', error: null, region: 'eu-west-1' });
  });

  it('writes static keys to the credentials file, never echoing them', async () => {
    const summary = await service.add({ name: 'keys', kind: 'static', region: 'us-east-1', accessKeyId: 'AKIANEWKEY0000000000', secretAccessKey: 'new-secret' });
    expect(JSON.stringify(summary)).not.toContain('new-secret');
    expect(summary).toMatchObject({ kind: 'static', credentialState: 'ready' });
    expect(readFileSync(aws.credentials, 'utf8')).toMatch(/\[keys\]\naws_access_key_id = AKIANEWKEY0000000000\naws_secret_access_key = new-secret\n$/);
    expect(readFileSync(aws.config, 'utf8')).not.toContain('new-secret');
    expect(statSync(aws.credentials).mode & 0o777).toBe(0o600);
  });

  it('refuses bad input and duplicates without touching the file', async () => {
    const before = readFileSync(aws.config, 'utf8');
    await expect(service.add({ name: 'dev', kind: 'credential-process', credentialProcess: '/bin/true' })).rejects.toThrow(/already exists/);
    await expect(service.add({ name: 'x', kind: 'assume-role', roleArn: 'nope', sourceProfile: 'dev' })).rejects.toThrow(/role ARN/);
    await expect(service.add({ name: 'bad name', kind: 'credential-process', credentialProcess: '/bin/true' })).rejects.toThrow(/Invalid profile/);
    await expect(service.add({ name: SANDBOX_PROFILE, kind: 'credential-process', credentialProcess: '/bin/true' })).rejects.toThrow();
    expect(readFileSync(aws.config, 'utf8')).toBe(before);
    expect(existsSync(`${aws.config}.bak`)).toBe(false);
  });

  it('removes a profile from both files', async () => {
    await service.remove('dev');
    const names = (await service.list()).map((p) => p.name);
    expect(names).not.toContain('dev');
    expect(readFileSync(aws.credentials, 'utf8')).not.toContain('[dev]');
    expect(readFileSync(aws.config, 'utf8')).toContain('# company config — keep this comment');
  });
});
