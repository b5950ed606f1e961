// Errors a person can act on, per profile AND region, in the real UI against a sandbox
// reached through endpoint_url as AWS is: a region denied by policy, credentials that have
// expired, an endpoint that refuses. Each is said once, in words, with the next step; the
// profile's dot turns to the error state, names the failing region, and a success in
// another region does not hide it.
import { expect, test, type Page } from '@playwright/test';
import net from 'node:net';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { startHatchWeb, type RunningHost } from './host';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';

let sandbox: Sandbox;
let host: RunningHost;

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test.beforeAll(async () => {
  // eu-west-1 is denied as a service control policy would; temporary keys live 2 s.
  sandbox = await startSandbox({ faults: 'deny=eu-west-1,expire=2s' });
  const sts = new STSClient({ region: 'us-east-1', endpoint: sandbox.endpoint, credentials: sandbox.credentials });
  const temporary = (await sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials!;
  sts.destroy();
  const config = [
    '[profile scp]',
    'region = us-east-1',
    'hatch_regions = us-east-1, eu-west-1',
    `endpoint_url = ${sandbox.endpoint}`,
    '[profile stale]',
    'region = us-east-1',
    `endpoint_url = ${sandbox.endpoint}`,
    '[profile refused]',
    'region = us-east-1',
    `endpoint_url = http://127.0.0.1:${await closedPort()}`,
  ].join('\n');
  const credentials = [
    `[scp]\naws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}`,
    `[stale]\naws_access_key_id = ${temporary.AccessKeyId}\naws_secret_access_key = ${temporary.SecretAccessKey}\naws_session_token = ${temporary.SessionToken}`,
    `[refused]\naws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}`,
  ].join('\n');
  host = await startHatchWeb({ config: `${config}\n`, credentials: `${credentials}\n` });
  // The session token must have expired before the app first uses it.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, temporary.Expiration!.getTime() - Date.now()) + 500));
});

test.afterAll(async () => {
  host?.stop();
  await sandbox?.close();
});

const profiles = (page: Page) => page.getByRole('listbox', { name: 'Profiles' });
const alerts = (page: Page) => page.getByRole('alert');

test('denied region, expired credentials, refused endpoint: once each, in words, with the next step, on the profile and region', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.goto(host.url);

  // scp lists us-east-1; its dot is ready.
  const scp = profiles(page).getByRole('option', { name: /scp/ });
  await scp.click();
  await expect(page.getByRole('grid', { name: 'Managed nodes' }).getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });
  await expect(scp.getByLabel('ready')).toBeVisible();

  // eu-west-1 is denied: said once, with the permission and whom to ask; the dot and the region say error.
  await page.getByRole('combobox', { name: 'Region for scp' }).selectOption('eu-west-1');
  const denied = alerts(page).filter({ hasText: 'Access denied' });
  await expect(denied).toContainText('Access denied for scp (eu-west-1) while listing its managed nodes', { timeout: 30_000 });
  await expect(denied).toContainText('ssm:DescribeInstanceInformation');
  await expect(denied).toContainText('Ask your AWS administrator');
  await expect(alerts(page)).toHaveCount(1);
  await expect(denied).not.toContainText('AccessDeniedException');
  await expect(scp.getByLabel('error')).toBeVisible();
  await expect(scp).toHaveAttribute('title', /Access denied for scp \(eu-west-1\)/);
  await expect(page.getByRole('combobox', { name: 'Region for scp' }).locator('option[value="eu-west-1"]')).toHaveText('⚠ eu-west-1');
  await page.screenshot({ path: 'test-results/screens/1024x700-error-denied-region.png' });

  // Back in us-east-1 a fresh listing works, and eu-west-1's problem is still on the profile.
  await page.getByRole('combobox', { name: 'Region for scp' }).selectOption('us-east-1');
  await page.getByRole('button', { name: 'Refresh nodes' }).click();
  await expect(page.getByRole('grid', { name: 'Managed nodes' }).getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Refresh nodes' })).toBeEnabled({ timeout: 30_000 });
  await expect(alerts(page)).toHaveCount(0);
  await expect(scp.getByLabel('error')).toBeVisible();
  await expect(scp).toContainText('⚠ eu-west-1');

  // All regions: the denied region is said once beside the rows of the other.
  await page.getByRole('checkbox', { name: 'All regions' }).check();
  await expect(alerts(page).filter({ hasText: 'Access denied for scp (eu-west-1)' })).toHaveCount(1, { timeout: 30_000 });
  await expect(alerts(page)).toHaveCount(1);
  await page.getByRole('checkbox', { name: 'All regions' }).uncheck();

  // Expired session credentials: in words, with how to renew them; the dot turns to error.
  const stale = profiles(page).getByRole('option', { name: /stale/ });
  await stale.click();
  const expired = alerts(page).filter({ hasText: 'have expired' });
  await expect(expired).toContainText('The credentials of stale (us-east-1) have expired.', { timeout: 30_000 });
  await expect(expired).toContainText('refresh the keys in your AWS config');
  await expect(alerts(page)).toHaveCount(1);
  await expect(expired).not.toContainText('ExpiredToken');
  await expect(stale.getByLabel('error')).toBeVisible();
  await expect(stale).toHaveAttribute('title', /The credentials of stale \(us-east-1\) have expired/);

  // An endpoint that refuses the connection: named, with what to check.
  const refused = profiles(page).getByRole('option', { name: /refused/ });
  await refused.click();
  const unreachable = alerts(page).filter({ hasText: 'could not reach' });
  await expect(unreachable).toContainText('Hatch could not reach 127.0.0.1 for refused (us-east-1): the connection was refused.', { timeout: 30_000 });
  await expect(unreachable).toContainText('Check the network (VPN) and the profile’s endpoint_url');
  await expect(unreachable.getByRole('button', { name: 'Edit profile' })).toBeVisible();
  await expect(alerts(page)).toHaveCount(1);
  await expect(unreachable).not.toContainText('ECONNREFUSED');
  await expect(refused.getByLabel('error')).toBeVisible();
  await expect(page.getByText('This profile and region have no managed nodes.')).toHaveCount(0);
  // Each profile keeps its own state: three errors, the built-in Sandbox untouched.
  await expect(profiles(page).getByRole('option', { name: /Sandbox/ }).getByLabel('ready')).toBeVisible();
  await expect(profiles(page).getByLabel('error')).toHaveCount(3);
});
