// The other ways in, in Chromium through the browser host: "SSH config…" on a node and on
// a profile writes Hatch's block into ~/.ssh/config after showing the diff (every byte of
// the existing file kept), and "Connect with Remote Desktop" on a Windows node shows the
// tunnel's address and offers the .rdp file (a browser host starts no client).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startHatchWeb, type RunningHost } from './host';

let host: RunningHost;
const EXISTING = '# my own config, kept byte for byte\nHost github.com\n    User git\n\nHost *\n    ServerAliveInterval 30\n';

test.beforeAll(async () => {
  host = await startHatchWeb();
  mkdirSync(path.join(host.home, '.ssh'), { mode: 0o700 });
  writeFileSync(path.join(host.home, '.ssh', 'config'), EXISTING, { mode: 0o600 });
});

test.afterAll(() => host.stop());

async function open(page: Page) {
  await page.goto(host.url);
  await expect(page.getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });
}

test('SSH config… on a node and on a profile: a diff first, then only Hatch’s block changes', async ({ page }) => {
  await open(page);
  await page.getByRole('row', { name: /web-1/ }).first().click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'SSH config…' }).click();
  const dialog = page.getByRole('dialog', { name: 'SSH config for web-1' });
  await expect(dialog.getByRole('textbox', { name: 'Host alias' })).toHaveValue('web-1');
  await dialog.getByRole('textbox', { name: 'User (optional)' }).fill('ec2-user');
  const diff = dialog.getByRole('figure', { name: /Changes to .*\.ssh\/config/ });
  await expect(diff).toContainText('Host web-1');
  await expect(diff).toContainText(/ProxyCommand .*ssh-proxy --profile Sandbox --region us-east-1 %h %p/);
  await expect(diff).toContainText(/\d+ lines? added, 0 removed/);
  await page.screenshot({ path: 'test-results/ssh-config-diff.png' });
  await dialog.getByRole('button', { name: 'Save to ssh config' }).click();
  await expect(dialog).toBeHidden();
  const file = path.join(host.home, '.ssh', 'config');
  const once = readFileSync(file, 'utf8');
  expect(once.startsWith(EXISTING)).toBe(true);
  expect(once).toMatch(/Host web-1\n {4}HostName i-[0-9a-f]{17}\n {4}User ec2-user\n {4}ProxyCommand /);
  expect(readFileSync(`${file}.hatch-backup`, 'utf8')).toBe(EXISTING);

  // The same again: nothing to change, Save stays off.
  await page.getByRole('row', { name: /web-1/ }).first().click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'SSH config…' }).click();
  const again = page.getByRole('dialog', { name: 'SSH config for web-1' });
  await again.getByRole('textbox', { name: 'User (optional)' }).fill('ec2-user');
  await expect(again.getByText('The file already has this entry: nothing to change.')).toBeVisible();
  await expect(again.getByRole('button', { name: 'Save to ssh config' })).toBeDisabled();
  await again.getByRole('button', { name: 'Cancel' }).click();
  expect(readFileSync(file, 'utf8')).toBe(once);

  // On the profile (its context menu): Host i-* mi-* joins the block.
  await page.getByRole('option', { name: /Sandbox/ }).click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'SSH config…' }).click();
  const forProfile = page.getByRole('dialog', { name: 'SSH config for profile Sandbox' });
  await expect(forProfile.getByRole('figure')).toContainText('Host i-* mi-*');
  await forProfile.getByRole('button', { name: 'Save to ssh config' }).click();
  await expect(forProfile).toBeHidden();
  const twice = readFileSync(file, 'utf8');
  expect(twice.startsWith(EXISTING)).toBe(true);
  expect(twice).toContain('Host web-1');
  expect(twice).toContain('Host i-* mi-*');
});

test('Connect with Remote Desktop on a Windows node: the address and the .rdp file', async ({ page }) => {
  await open(page);
  // Not offered for a Linux node.
  await page.getByRole('row', { name: /web-1/ }).first().click({ button: 'right' });
  await expect(page.getByRole('menuitem', { name: /Connect with Remote Desktop/ })).toBeDisabled();
  await page.keyboard.press('Escape');

  await page.getByRole('row', { name: /win-build-1/ }).first().click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Connect with Remote Desktop' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remote Desktop to win-build-1' });
  await expect(dialog.getByRole('status')).toContainText('does not start a Remote Desktop client', { timeout: 20_000 });
  const address = await dialog.getByRole('textbox', { name: /Address/ }).inputValue();
  expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
  const downloading = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Download .rdp file' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`win-build-1-${address.split(':')[1]}.rdp`);
  const text = readFileSync(await download.path(), 'utf8');
  expect(text).toContain(`full address:s:${address}\r\n`);
  expect(text).toContain('prompt for credentials:i:1\r\n');
  await page.screenshot({ path: 'test-results/rdp-dialog.png' });
  await dialog.getByRole('button', { name: 'Close' }).click();
  // The tunnel is listed with the others.
  await expect(page.getByRole('navigation', { name: 'Profiles and tunnels' })).toContainText('win-build-1 Remote Desktop');
});
