// The real UI in Chromium through the browser host, started as a user would.
import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

let server: ChildProcess;
let url: string;

test.beforeAll(async () => {
  server = spawn(process.execPath, [path.resolve('bin/hatch-web.cjs'), '--no-open', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out);
      if (match) resolve(match[0]);
    });
    server.once('exit', (code) => reject(new Error(`hatch-web exited with ${code}: ${out}`)));
  });
});

test.afterAll(() => {
  server.kill('SIGTERM');
});

test('the app frame loads with its version, and the page is refused without the token', async ({ page, request }) => {
  const withoutToken = await request.get(url.replace(/\?token=.*/, ''));
  expect(withoutToken.status()).toBe(401);

  await page.goto(url);
  await expect(page.getByRole('navigation', { name: 'Profiles and tunnels' })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Nodes' })).toBeVisible();
  await expect(page.getByRole('option', { name: /Sandbox/ })).toBeVisible();
  await expect(page.getByTestId('app-version')).toHaveText(/Hatch \d+\.\d+\.\d+ · browser host/);
  await expect(page.getByRole('heading', { name: 'Start here' })).toBeVisible();
  expect(page.url()).not.toContain('token=');
  await page.screenshot({ path: 'test-results/app-frame.png' });

  // The theme toggle switches light/dark.
  const before = await page.locator('.app').getAttribute('data-theme');
  await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
  await expect(page.locator('.app')).not.toHaveAttribute('data-theme', before!);
  await page.screenshot({ path: 'test-results/app-frame-toggled.png' });
});
