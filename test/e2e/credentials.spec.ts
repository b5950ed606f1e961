// A user's own AWS config: an assume-role profile with MFA, pointed at a sandbox through
// endpoint_url exactly as at AWS. The MFA code is asked in the app, never in a terminal.
import { expect, test } from '@playwright/test';
import { startHatchWeb, type RunningHost } from './host';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';

let sandbox: Sandbox;
let host: RunningHost;

test.beforeAll(async () => {
  sandbox = await startSandbox();
  const config = [
    '# written by the e2e test',
    '[profile base]',
    'region = us-east-1',
    `endpoint_url = ${sandbox.endpoint}`,
    '',
    '[profile mfa-admin]',
    `role_arn = arn:aws:iam::${sandbox.accountId}:role/hatch-mfa-admin`,
    'source_profile = base',
    `mfa_serial = ${sandbox.mfa.serialNumber}`,
    'region = us-east-1',
    `endpoint_url = ${sandbox.endpoint}`,
    '',
    '[profile broken]',
    `role_arn = arn:aws:iam::${sandbox.accountId}:role/ops`,
    'source_profile = does-not-exist',
  ].join('\n');
  const credentials = `[base]\naws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}\n`;
  host = await startHatchWeb({ config, credentials });
});

test.afterAll(async () => {
  host?.stop();
  await sandbox?.close();
});

test('an MFA profile asks for its code in a dialog, then lists its nodes; a broken profile says why', async ({ page }) => {
  await page.goto(host.url);
  const profiles = page.getByRole('listbox', { name: 'Profiles' });
  await expect(profiles.getByRole('option', { name: /mfa-admin/ })).toBeVisible();
  await expect(profiles.getByRole('option', { name: /Sandbox/ })).toBeVisible();
  // A broken profile carries its own error; the others stay usable.
  await expect(profiles.getByRole('option', { name: /broken/ })).toHaveAttribute('title', /does-not-exist/);

  await profiles.getByRole('option', { name: /mfa-admin/ }).click();
  const dialog = page.getByRole('dialog', { name: 'MFA code for mfa-admin' });
  await expect(dialog).toBeVisible({ timeout: 20_000 });
  await page.screenshot({ path: 'test-results/mfa-dialog.png' });
  await dialog.getByLabel('MFA code').fill(sandbox.mfa.code());
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('status-context')).toContainText('mfa-admin');
});
