// The sandbox's IAM Identity Center endpoints with AWS's own SSO OIDC client: the device
// flow's states and errors as the SDK raises them, the verification page, lifetimes under
// the time scale, and the refresh_token grant's rules.
import { CreateTokenCommand, RegisterClientCommand, SSOOIDCClient, StartDeviceAuthorizationCommand } from '@aws-sdk/client-sso-oidc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';

const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';

describe('sandbox SSO OIDC', () => {
  let sb: Sandbox;
  let oidc: SSOOIDCClient;

  beforeAll(async () => {
    sb = await startSandbox();
    oidc = new SSOOIDCClient({ endpoint: sb.endpoint, region: 'us-east-1', maxAttempts: 1 });
  });

  afterAll(async () => {
    oidc?.destroy();
    await sb?.close();
  });

  const register = (grantTypes?: string[]) =>
    oidc.send(new RegisterClientCommand({ clientName: 'test', clientType: 'public', scopes: ['sso:account:access'], ...(grantTypes ? { grantTypes } : {}) }));

  it('walks the device flow: pending, approved on the verification page, issued once', async () => {
    const client = await register([DEVICE, 'refresh_token']);
    expect(client.clientSecretExpiresAt! * 1000).toBeGreaterThan(Date.now() + 80 * 86400_000);
    const auth = await oidc.send(new StartDeviceAuthorizationCommand({ clientId: client.clientId, clientSecret: client.clientSecret, startUrl: sb.sso.startUrl }));
    expect(auth).toMatchObject({ verificationUri: `${sb.endpoint}/device`, interval: 1, expiresIn: 600, userCode: expect.stringMatching(/^[A-Z]{4}-[A-Z]{4}$/) });
    expect(sb.sso.pendingDeviceCodes()).toContain(auth.userCode);
    const poll = () => oidc.send(new CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: DEVICE, deviceCode: auth.deviceCode }));
    await expect(poll()).rejects.toMatchObject({ name: 'AuthorizationPendingException', error: 'authorization_pending', $metadata: { httpStatusCode: 400 } });
    const page = await fetch(auth.verificationUriComplete!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Request approved');
    const token = await poll();
    expect(token).toMatchObject({ tokenType: 'Bearer', expiresIn: 8 * 3600, accessToken: expect.any(String), refreshToken: expect.any(String) });
    await expect(poll()).rejects.toMatchObject({ name: 'InvalidGrantException', error: 'invalid_grant' });
    // The same code cannot be approved twice.
    expect((await fetch(auth.verificationUriComplete!)).status).toBe(404);

    // refresh_token: rotates, and the old refresh token is spent.
    const refresh = (refreshToken: string) => oidc.send(new CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: 'refresh_token', refreshToken }));
    const next = await refresh(token.refreshToken!);
    expect(next.accessToken).not.toBe(token.accessToken);
    await expect(refresh(token.refreshToken!)).rejects.toMatchObject({ name: 'InvalidGrantException' });
  });

  it('answers bad clients, grants and denials with the modelled exceptions', async () => {
    await expect(oidc.send(new RegisterClientCommand({ clientName: 'x', clientType: 'confidential' }))).rejects.toMatchObject({ name: 'InvalidClientMetadataException' });
    const client = await register(); // no refresh_token grant
    await expect(
      oidc.send(new StartDeviceAuthorizationCommand({ clientId: client.clientId, clientSecret: 'wrong', startUrl: sb.sso.startUrl })),
    ).rejects.toMatchObject({ name: 'InvalidClientException', $metadata: { httpStatusCode: 401 } });
    await expect(
      oidc.send(new CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: 'refresh_token', refreshToken: 'r' })),
    ).rejects.toMatchObject({ name: 'UnauthorizedClientException' });
    await expect(oidc.send(new CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: 'password' }))).rejects.toMatchObject({
      name: 'UnsupportedGrantTypeException',
    });
    const auth = await oidc.send(new StartDeviceAuthorizationCommand({ clientId: client.clientId, clientSecret: client.clientSecret, startUrl: sb.sso.startUrl }));
    expect(sb.sso.denyDeviceCode(auth.userCode!)).toBe(true);
    await expect(
      oidc.send(new CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: DEVICE, deviceCode: auth.deviceCode })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException', error: 'access_denied' });
    expect(sb.sso.approveDeviceCode('ZZZZ-ZZZZ')).toBe(false);
  });

  it('compresses lifetimes with the time scale: a device code expires', async () => {
    const fast = await startSandbox({ timeScale: 1200 }); // 600 s of sandbox time = 0.5 s
    const c = new SSOOIDCClient({ endpoint: fast.endpoint, region: 'us-east-1', maxAttempts: 1 });
    try {
      const client = await c.send(new RegisterClientCommand({ clientName: 'x', clientType: 'public' }));
      const auth = await c.send(new StartDeviceAuthorizationCommand({ clientId: client.clientId, clientSecret: client.clientSecret, startUrl: fast.sso.startUrl }));
      expect(auth.expiresIn).toBe(1); // wall seconds, rounded, at least 1
      await new Promise((r) => setTimeout(r, 700));
      await expect(
        c.send(new CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: DEVICE, deviceCode: auth.deviceCode })),
      ).rejects.toMatchObject({ name: 'ExpiredTokenException', error: 'expired_token' });
      expect(fast.sso.approveDeviceCode(auth.userCode!)).toBe(false);
    } finally {
      c.destroy();
      await fast.close();
    }
  });
});
