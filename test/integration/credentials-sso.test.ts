// IAM Identity Center: the device-authorization flow against a minimal in-test stand-in
// for SSO OIDC and the SSO portal, reached through the profile's [services] sso /
// sso_oidc endpoint_url (the per-service path, where credentials-sso-sandbox.test.ts uses
// a profile-wide endpoint_url against the real sandbox). Checks the UI gets the code, the
// CLI's token cache is written, the SDK's fromSSO then gets role credentials, a legacy
// (start-URL) profile, and a sign-in made by the AWS CLI outside Hatch.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialService } from '../../src/main/aws/credentials';
import { ProfileService } from '../../src/main/aws/profiles';
import type { SsoDeviceCode } from '../../src/shared/domain/profiles';
import { tempAws, useEnv, type TempAws } from '../unit/aws/helpers';

interface FakeSso {
  server: Server;
  endpoint: string;
  calls: string[];
  /** CreateToken answers authorization_pending this many times before issuing. */
  pendingPolls: number;
  bearerSeen: string[];
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function startFakeSso(): Promise<FakeSso> {
  const fake = { calls: [] as string[], pendingPolls: 1, bearerSeen: [] as string[] } as FakeSso;
  let polls = 0;
  fake.server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, payload: unknown, errorType?: string) => {
      res.writeHead(status, { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
      res.end(JSON.stringify(payload));
    };
    const input = await body(req);
    fake.calls.push(`${req.method} ${url.pathname}`);
    if (url.pathname === '/client/register') {
      return send(200, { clientId: 'client-1', clientSecret: 'client-secret-1', clientIdIssuedAt: 1, clientSecretExpiresAt: Math.floor(Date.now() / 1000) + 90 * 86400 });
    }
    if (url.pathname === '/device_authorization') {
      expect(input.startUrl).toBe('https://corp.awsapps.com/start');
      return send(200, { deviceCode: 'device-1', userCode: 'ABCD-EFGH', verificationUri: 'https://device.sso.example/', verificationUriComplete: 'https://device.sso.example/?user_code=ABCD-EFGH', expiresIn: 600, interval: 1 });
    }
    if (url.pathname === '/token') {
      if (polls++ < fake.pendingPolls) return send(400, { error: 'authorization_pending', error_description: 'pending' }, 'AuthorizationPendingException');
      return send(200, { accessToken: 'sso-access-token-SECRET', tokenType: 'Bearer', expiresIn: 8 * 3600, refreshToken: 'sso-refresh-SECRET' });
    }
    if (url.pathname === '/federation/credentials') {
      fake.bearerSeen.push(String(req.headers['x-amz-sso_bearer_token']));
      return send(200, {
        roleCredentials: {
          accessKeyId: `ASIASSO${url.searchParams.get('role_name')}`,
          secretAccessKey: 'sso-role-secret',
          sessionToken: 'sso-role-session',
          expiration: Date.now() + 3600_000,
        },
      });
    }
    send(404, { message: 'not found' });
  });
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
  fake.endpoint = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  return fake;
}

describe('SSO device authorization', () => {
  let fake: FakeSso;
  let aws: TempAws;
  let restore: () => void;

  beforeAll(async () => {
    fake = await startFakeSso();
    aws = tempAws({
      config: `[profile sso-dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Dev
region = us-east-1
services = fake-sso

[profile sso-ops]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Ops
region = us-east-1
services = fake-sso

[profile sso-legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = Legacy

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[services fake-sso]
sso =
  endpoint_url = ${fake.endpoint}
sso_oidc =
  endpoint_url = ${fake.endpoint}
`,
    });
    restore = useEnv(aws.env);
  });

  afterAll(async () => {
    restore?.();
    aws?.cleanup();
    await new Promise((r) => fake?.server.close(r));
  });

  it('shows the code in the UI, writes the CLI token cache, then gets role credentials', async () => {
    const shown: SsoDeviceCode[] = [];
    const done: string[] = [];
    const profiles = new ProfileService({ env: aws.env });
    const credentials = new CredentialService(profiles, {
      askMfaCode: async () => {
        throw new Error('no MFA here');
      },
      showSsoDeviceCode: (code) => shown.push(code),
      ssoDeviceCodeDone: (profile, outcome) => done.push(`${profile}:${outcome}`),
    });
    try {
      const before = (await profiles.list()).find((p) => p.name === 'sso-dev');
      expect(before).toMatchObject({ kind: 'sso', credentialState: 'needs-sso', error: null });

      const creds = await credentials.getCredentials('sso-dev');
      expect(creds).toMatchObject({ accessKeyId: 'ASIASSODev', secretAccessKey: 'sso-role-secret', sessionToken: 'sso-role-session' });
      expect(shown).toEqual([
        {
          profile: 'sso-dev',
          verificationUri: 'https://device.sso.example/',
          verificationUriComplete: 'https://device.sso.example/?user_code=ABCD-EFGH',
          userCode: 'ABCD-EFGH',
          expiresAt: expect.any(Number),
        },
      ]);
      expect(done).toEqual(['sso-dev:signed-in']);
      expect(fake.calls.filter((c) => c.endsWith('/token'))).toHaveLength(2); // one pending, one issued
      expect(fake.bearerSeen).toEqual(['sso-access-token-SECRET']);

      // The cache file the AWS CLI reads: ~/.aws/sso/cache/sha1(session name).json, 0600.
      const file = path.join(aws.home, '.aws', 'sso', 'cache', `${createHash('sha1').update('corp').digest('hex')}.json`);
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const token = JSON.parse(readFileSync(file, 'utf8'));
      expect(token).toMatchObject({
        startUrl: 'https://corp.awsapps.com/start',
        region: 'us-east-1',
        accessToken: 'sso-access-token-SECRET',
        refreshToken: 'sso-refresh-SECRET',
        clientId: 'client-1',
        clientSecret: 'client-secret-1',
      });
      expect(token.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

      // Another profile on the same sso-session reuses the token: no second sign-in.
      const ops = await credentials.getCredentials('sso-ops');
      expect(ops.accessKeyId).toBe('ASIASSOOps');
      expect(shown).toHaveLength(1);

      const after = await profiles.list();
      expect(after.find((p) => p.name === 'sso-dev')).toMatchObject({ credentialState: 'ready' });
      const json = JSON.stringify(after);
      for (const secret of ['SECRET', 'sso-role-secret', 'sso-role-session', 'client-secret-1']) expect(json).not.toContain(secret);
    } finally {
      credentials.dispose();
      profiles.dispose();
    }
  });

  it('notices a sign-in made by the AWS CLI (token cache written outside Hatch)', async () => {
    const profiles = new ProfileService({ env: aws.env });
    const credentials = new CredentialService(profiles, { askMfaCode: async () => '', showSsoDeviceCode: () => undefined });
    const cacheDir = path.join(aws.home, '.aws', 'sso', 'cache');
    mkdirSync(cacheDir, { recursive: true });
    try {
      expect((await profiles.list()).find((p) => p.name === 'sso-legacy')?.credentialState).toBe('needs-sso');
      const ready = new Promise<void>((resolve) => {
        const stop = profiles.watch((list) => {
          if (list.find((p) => p.name === 'sso-legacy')?.credentialState === 'ready') {
            stop();
            resolve();
          }
        });
      });
      // What `aws sso login` writes for a legacy profile: sha1(start URL).json.
      const file = path.join(cacheDir, `${createHash('sha1').update('https://legacy.awsapps.com/start').digest('hex')}.json`);
      writeFileSync(file, JSON.stringify({ startUrl: 'https://legacy.awsapps.com/start', region: 'us-east-1', accessToken: 'cli-token', expiresAt: new Date(Date.now() + 3600_000).toISOString() }));
      await ready;
    } finally {
      credentials.dispose();
      profiles.dispose();
    }
  });
});
