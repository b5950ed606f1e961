// Profiles of every kind from config files at non-default paths (AWS_CONFIG_FILE,
// AWS_SHARED_CREDENTIALS_FILE), through the contract, against the sandbox: each kind is
// listed as what it is, a broken section is that profile's error only, the decoy
// ~/.aws/config is ignored, and the SDK side reads the same files (nodes load for static
// keys, an assume-role chain and a credential_process profile).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HatchHost } from '../../src/main/host';
import type { CallResult } from '../../src/shared/contract';
import type { InventorySnapshot } from '../../src/shared/domain/inventory';
import type { ProfileSummary } from '../../src/shared/domain/profiles';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';

let sandbox: Sandbox;
let home: string;
let host: HatchHost;

beforeAll(async () => {
  sandbox = await startSandbox();
  home = mkdtempSync(path.join(os.tmpdir(), 'hatch-kinds-'));
  const elsewhere = path.join(home, 'elsewhere');
  mkdirSync(elsewhere);
  mkdirSync(path.join(home, '.aws'));
  // The default location holds a decoy that must not be read.
  writeFileSync(path.join(home, '.aws', 'config'), '[profile decoy]\nregion = us-east-1\n');
  const proc = path.join(elsewhere, 'creds.cjs');
  writeFileSync(
    proc,
    `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: ${JSON.stringify(sandbox.credentials.accessKeyId)}, SecretAccessKey: ${JSON.stringify(sandbox.credentials.secretAccessKey)} }));\n`,
  );
  const ep = `endpoint_url = ${sandbox.endpoint}`;
  writeFileSync(
    path.join(elsewhere, 'config'),
    `[profile static]
region = us-east-1
${ep}

[profile role]
region = us-east-1
${ep}
role_arn = arn:aws:iam::${sandbox.accountId}:role/Operator
source_profile = static

[profile mfa]
region = us-east-1
${ep}
role_arn = arn:aws:iam::${sandbox.accountId}:role/MfaAdmin
source_profile = static
mfa_serial = ${sandbox.mfa.serialNumber}

[profile sso]
sso_session = sandbox
sso_account_id = ${sandbox.accountId}
sso_role_name = SessionManagerUser
region = us-east-1
${ep}

[sso-session sandbox]
sso_start_url = ${sandbox.sso.startUrl}
sso_region = us-east-1

[profile proc]
region = us-east-1
${ep}
credential_process = "${process.execPath}" "${proc}"

[profile webid]
region = us-east-1
role_arn = arn:aws:iam::${sandbox.accountId}:role/Web
web_identity_token_file = ${path.join(elsewhere, 'token')}

[profile broken]
region = us-east-1
this line is not a setting
${ep}
`,
  );
  writeFileSync(path.join(elsewhere, 'credentials'), `[static]\naws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}\n`);
  host = new HatchHost({
    host: 'web',
    dataDir: path.join(home, '.hatch'),
    env: { HOME: home, AWS_CONFIG_FILE: path.join(elsewhere, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(elsewhere, 'credentials') },
    logError: () => undefined,
  });
});

afterAll(async () => {
  await host?.dispose();
  if (home) rmSync(home, { recursive: true, force: true });
  await sandbox?.close();
});

it('lists every kind from AWS_CONFIG_FILE, isolates the broken section, and the SDK reads the same files', async () => {
  const listed = (await host.call('profiles.list', {})) as CallResult<{ profiles: ProfileSummary[] }>;
  if (!listed.ok) throw new Error(listed.error.message);
  const byName = Object.fromEntries(listed.value.profiles.map((p) => [p.name, p]));
  expect(Object.keys(byName).sort()).toEqual(['Sandbox', 'broken', 'mfa', 'proc', 'role', 'sso', 'static', 'webid']);
  expect(byName.static).toMatchObject({ kind: 'static', credentialState: 'ready', endpointUrl: sandbox.endpoint, error: null });
  expect(byName.role).toMatchObject({ kind: 'assume-role', error: null });
  expect(byName.mfa).toMatchObject({ kind: 'mfa', credentialState: 'needs-mfa', error: null });
  expect(byName.sso).toMatchObject({ kind: 'sso', credentialState: 'needs-sso', error: null });
  expect(byName.proc).toMatchObject({ kind: 'credential-process', error: null });
  expect(byName.webid).toMatchObject({ kind: 'web-identity', error: null });
  expect(byName.broken).toMatchObject({ credentialState: 'error', error: expect.stringMatching(/elsewhere\/config: Line \d+: expected "key = value"\./) });
  expect(JSON.stringify(listed.value)).not.toContain(sandbox.credentials.secretAccessKey);

  const expected = sandbox.fleet.inRegion('us-east-1').length;
  for (const profile of ['static', 'role', 'proc']) {
    const nodes = (await host.call('inventory.list', { profile, region: 'us-east-1' })) as CallResult<InventorySnapshot>;
    expect(nodes.ok ? nodes.value.nodes.length : nodes.error.message, profile).toBe(expected);
  }
  const broken = await host.call('inventory.list', { profile: 'broken', region: 'us-east-1' });
  expect(broken).toMatchObject({ ok: false, error: { code: 'BadRequest', message: expect.stringMatching(/Profile "broken" cannot be used/) } });
});
