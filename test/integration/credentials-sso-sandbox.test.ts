// IAM Identity Center against the sandbox (SSO OIDC + portal on the same endpoint as SSM):
// CredentialService runs the device flow, the "user" approves through the sandbox's
// verification page, the token lands in ~/.aws/sso/cache/<sha1(session)>.json in the
// CLI's format, the SDK's SSO provider turns it into role credentials, and the node list
// loads with them. Then: refresh through the refresh_token grant, a denied sign-in, an
// unassigned role, and the portal's account/role listing with the cached token.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../src/main/aws/client-factory';
import { CredentialService, type CredentialPrompts } from '../../src/main/aws/credentials';
import { ProfileService } from '../../src/main/aws/profiles';
import { InventoryService } from '../../src/main/inventory/inventory-service';
import type { SsoDeviceCode } from '../../src/shared/domain/profiles';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';
import { tempAws, useEnv, type TempAws } from '../unit/aws/helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(fn: () => T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('SSO device flow against the sandbox', () => {
  let sandbox: Sandbox;
  let aws: TempAws;
  let restore: () => void;
  const cacheFile = (key: string) => path.join(aws.home, '.aws', 'sso', 'cache', `${createHash('sha1').update(key).digest('hex')}.json`);

  beforeAll(async () => {
    sandbox = await startSandbox({ nodes: 120 });
    const account = sandbox.accountId;
    aws = tempAws({
      config: `[profile sso-ops]
sso_session = sandbox
sso_account_id = ${account}
sso_role_name = SessionManagerUser
region = us-east-1
endpoint_url = ${sandbox.endpoint}

[profile sso-readonly]
sso_session = sandbox
sso_account_id = ${account}
sso_role_name = ReadOnlyAccess
region = us-east-1
endpoint_url = ${sandbox.endpoint}

[profile sso-unassigned]
sso_session = sandbox
sso_account_id = ${account}
sso_role_name = NotAssignedToYou
region = us-east-1
endpoint_url = ${sandbox.endpoint}

[profile sso-other]
sso_session = other
sso_account_id = ${account}
sso_role_name = SessionManagerUser
region = us-east-1
endpoint_url = ${sandbox.endpoint}

[sso-session sandbox]
sso_start_url = ${sandbox.sso.startUrl}
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[sso-session other]
sso_start_url = ${sandbox.sso.startUrl}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
`,
    });
    // The SDK's SSO provider reads ~/.aws/sso/cache from HOME.
    restore = useEnv(aws.env);
  });

  afterAll(async () => {
    restore?.();
    aws?.cleanup();
    await sandbox?.close();
  });

  function stack(prompts: CredentialPrompts) {
    const profiles = new ProfileService({ env: aws.env });
    const credentials = new CredentialService(profiles, prompts);
    const clients = new AwsClientFactory(credentials);
    const inventory = new InventoryService(clients);
    return {
      profiles,
      credentials,
      clients,
      inventory,
      dispose() {
        clients.dispose();
        credentials.dispose();
        profiles.dispose();
      },
    };
  }

  it('signs in through the device flow, writes the CLI token cache, and lists nodes with the role credentials', async () => {
    const shown: SsoDeviceCode[] = [];
    const done: string[] = [];
    const approvals: Array<Promise<string>> = [];
    const s = stack({
      askMfaCode: async () => {
        throw new Error('no MFA here');
      },
      showSsoDeviceCode: (code) => {
        shown.push(code);
        // The user opens the link once the app is already polling (authorization_pending).
        approvals.push(
          until(() => (sandbox.stats.errorsByCode.AuthorizationPendingException ?? 0) >= 1, 'a pending poll').then(async () => {
            const page = await fetch(code.verificationUriComplete!);
            expect(page.status).toBe(200);
            return page.text();
          }),
        );
      },
      ssoDeviceCodeDone: (profile, outcome) => done.push(`${profile}:${outcome}`),
    });
    try {
      expect((await s.profiles.list()).find((p) => p.name === 'sso-ops')).toMatchObject({ kind: 'sso', credentialState: 'needs-sso', error: null });

      const creds = await s.credentials.getCredentials('sso-ops');
      expect(creds.accessKeyId).toMatch(/^ASIA/);
      expect(creds.sessionToken).toBeTruthy();
      expect(creds.expiration!.getTime()).toBeGreaterThan(Date.now());
      expect(await Promise.all(approvals)).toEqual([expect.stringContaining('Request approved')]);
      expect(shown).toEqual([
        {
          profile: 'sso-ops',
          verificationUri: `${sandbox.endpoint}/device`,
          verificationUriComplete: expect.stringMatching(new RegExp(`^${sandbox.endpoint}/device\\?user_code=[A-Z]{4}-[A-Z]{4}$`)),
          userCode: expect.stringMatching(/^[A-Z]{4}-[A-Z]{4}$/),
          expiresAt: expect.any(Number),
        },
      ]);
      expect(shown[0].verificationUriComplete).toContain(shown[0].userCode);
      expect(done).toEqual(['sso-ops:signed-in']);
      expect(sandbox.stats.byOperation).toMatchObject({ 'sso-oauth:RegisterClient': 1, 'sso-oauth:StartDeviceAuthorization': 1, 'awsssoportal:GetRoleCredentials': 1 });
      expect(sandbox.stats.byOperation['sso-oauth:CreateToken']).toBeGreaterThanOrEqual(2); // pending, then issued

      // The token cache, as `aws sso login` writes it for an sso-session: sha1(session name).json, 0600.
      const file = cacheFile('sandbox');
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const token = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      expect(Object.keys(token).sort()).toEqual(['accessToken', 'clientId', 'clientSecret', 'expiresAt', 'refreshToken', 'region', 'registrationExpiresAt', 'startUrl']);
      expect(token).toMatchObject({ startUrl: sandbox.sso.startUrl, region: 'us-east-1', accessToken: expect.stringMatching(/^aoa/), refreshToken: expect.stringMatching(/^aor/) });
      for (const key of ['expiresAt', 'registrationExpiresAt']) expect(token[key]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Date.parse(token.expiresAt)).toBeGreaterThan(Date.now() + 3600_000);
      expect(Date.parse(token.registrationExpiresAt)).toBeGreaterThan(Date.parse(token.expiresAt));

      // The identity is the permission set's role, and the node list loads with it.
      const identity = await (await s.clients.sts('sso-ops')).send(new GetCallerIdentityCommand({}));
      expect(identity.Arn).toMatch(new RegExp(`^arn:aws:sts::${sandbox.accountId}:assumed-role/AWSReservedSSO_SessionManagerUser_[0-9a-f]{16}/hatch-sandbox-user$`));
      const snapshot = await s.inventory.list('sso-ops', 'us-east-1');
      expect(snapshot.errors).toEqual([]);
      expect(snapshot.nodes.map((n) => n.id).sort()).toEqual(sandbox.fleet.inRegion('us-east-1').map((n) => n.instanceId).sort());

      // Another profile on the same sso-session reuses the token: no second sign-in.
      const readonly = await s.credentials.getCredentials('sso-readonly');
      expect(readonly.accessKeyId).not.toBe(creds.accessKeyId);
      expect(shown).toHaveLength(1);
      const after = await s.profiles.list();
      expect(after.find((p) => p.name === 'sso-ops')).toMatchObject({ credentialState: 'ready', error: null });
      const json = JSON.stringify(after);
      for (const secret of [token.accessToken, token.refreshToken, token.clientSecret, creds.secretAccessKey]) expect(json).not.toContain(secret);

      // The portal answers what `aws sso list-accounts` / `list-account-roles` ask, with the cached token.
      const headers = { 'x-amz-sso_bearer_token': token.accessToken };
      const accounts = (await (await fetch(`${sandbox.endpoint}/assignment/accounts?max_result=10`, { headers })).json()) as { accountList: Array<{ accountId: string }> };
      expect(accounts.accountList.map((a) => a.accountId)).toEqual([sandbox.accountId]);
      const roles = (await (await fetch(`${sandbox.endpoint}/assignment/roles?account_id=${sandbox.accountId}&max_result=2`, { headers })).json()) as { roleList: Array<{ roleName: string }>; nextToken?: string };
      expect(roles.roleList).toHaveLength(2);
      expect(roles.nextToken).toBeTruthy();
      const rest = (await (await fetch(`${sandbox.endpoint}/assignment/roles?account_id=${sandbox.accountId}&next_token=${roles.nextToken}`, { headers })).json()) as { roleList: Array<{ roleName: string }> };
      expect([...roles.roleList, ...rest.roleList].map((r) => r.roleName)).toContain('SessionManagerUser');
      const bad = await fetch(`${sandbox.endpoint}/assignment/accounts`, { headers: { 'x-amz-sso_bearer_token': 'not-a-token' } });
      expect([bad.status, bad.headers.get('x-amzn-errortype')]).toEqual([401, 'UnauthorizedException']);
    } finally {
      s.dispose();
    }
  });

  it('refreshes a token near expiry with the refresh_token grant, without asking the user again', async () => {
    const shown: SsoDeviceCode[] = [];
    const s = stack({ askMfaCode: async () => '', showSsoDeviceCode: (code) => shown.push(code) });
    try {
      const file = cacheFile('sandbox');
      const before = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      // Four minutes left: inside the SDK's five-minute window, so it must refresh.
      writeFileSync(file, JSON.stringify({ ...before, expiresAt: new Date(Date.now() + 4 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z') }), { mode: 0o600 });
      const creates = sandbox.stats.byOperation['sso-oauth:CreateToken'] ?? 0;
      const creds = await s.credentials.getCredentials('sso-ops');
      expect(creds.accessKeyId).toMatch(/^ASIA/);
      expect(shown).toEqual([]);
      expect(sandbox.stats.byOperation['sso-oauth:CreateToken']).toBe(creates + 1);
      const after = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      expect(after.accessToken).not.toBe(before.accessToken);
      expect(after.refreshToken).not.toBe(before.refreshToken); // rotated
      expect(Date.parse(after.expiresAt)).toBeGreaterThan(Date.now() + 3600_000);
      expect(after).toMatchObject({ clientId: before.clientId, clientSecret: before.clientSecret, startUrl: before.startUrl });
    } finally {
      s.dispose();
    }
  });

  it('a role the user is not assigned fails with the portal error, and a denied sign-in says so', async () => {
    const done: string[] = [];
    const s = stack({
      askMfaCode: async () => '',
      showSsoDeviceCode: (code) => {
        expect(sandbox.sso.denyDeviceCode(code.userCode)).toBe(true);
      },
      ssoDeviceCodeDone: (profile, outcome) => done.push(`${profile}:${outcome}`),
    });
    try {
      await expect(s.credentials.getCredentials('sso-unassigned')).rejects.toThrow(/ForbiddenException|No access/);
      await expect(s.credentials.signIn('sso-other')).rejects.toThrow(/denied in the browser/);
      expect(done).toEqual(['sso-other:failed']);
      expect(existsSync(cacheFile('other'))).toBe(false);
      expect(sandbox.sso.pendingDeviceCodes()).toEqual([]);
    } finally {
      s.dispose();
    }
  });
});
