// The real UI in Chromium through the browser host, started as a user would.
import { expect, test } from '@playwright/test';
import { startHatchWeb, type RunningHost } from './host';

let host: RunningHost;

test.beforeAll(async () => {
  host = await startHatchWeb();
});

test.afterAll(() => host.stop());

test('the app frame loads with its version (the token guards: token.spec.ts)', async ({ page }) => {
  await page.goto(host.url);
  await expect(page.getByRole('navigation', { name: 'Profiles and tunnels' })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Nodes' })).toBeVisible();
  await expect(page.getByRole('option', { name: /Sandbox/ })).toBeVisible();
  await expect(page.getByTestId('app-version')).toHaveText(/Hatch \d+\.\d+\.\d+ · browser host/);
  expect(page.url()).not.toContain('token=');
  await page.screenshot({ path: 'test-results/app-frame.png' });

  // The theme toggle switches light/dark.
  const before = await page.locator('.app').getAttribute('data-theme');
  await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
  await expect(page.locator('.app')).not.toHaveAttribute('data-theme', before!);
  await page.screenshot({ path: 'test-results/app-frame-toggled.png' });
});
