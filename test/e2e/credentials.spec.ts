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

test('add a profile from the app, use it, then edit it: the config file keeps its comments and gets a backup', async ({ page }) => {
  const { readFileSync, existsSync } = await import('node:fs');
  const path = await import('node:path');
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Add a profile' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a profile' });
  await dialog.getByLabel('Name').fill('added');
  await dialog.getByLabel('Access key id').fill(sandbox.credentials.accessKeyId);
  await dialog.getByLabel('Secret access key').fill(sandbox.credentials.secretAccessKey);
  await dialog.getByLabel('Region', { exact: true }).fill('us-east-1');
  await dialog.getByLabel(/Endpoint URL/).fill(sandbox.endpoint);
  await dialog.getByRole('button', { name: 'Add profile' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('option', { name: /added/ })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 20_000 });

  // Edit: another region; the form never shows the keys, and keeping them is the default.
  await page.getByRole('button', { name: 'Edit profile added' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit profile added' });
  await expect(edit.getByLabel(/Access key id \(empty = keep/)).toHaveValue('');
  await edit.getByLabel('Region', { exact: true }).fill('eu-west-1');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByTestId('status-context')).toContainText('added · eu-west-1');

  const config = readFileSync(path.join(host.home, 'aws-config'), 'utf8');
  expect(config).toContain('# written by the e2e test');
  expect(config).toMatch(/\[profile added\][^[]*region = eu-west-1/);
  expect(config).not.toContain(sandbox.credentials.secretAccessKey);
  expect(readFileSync(path.join(host.home, 'aws-credentials'), 'utf8')).toContain(sandbox.credentials.accessKeyId);
  expect(existsSync(path.join(host.home, 'aws-config.bak'))).toBe(true);
});
