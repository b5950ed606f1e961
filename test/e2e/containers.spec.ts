// The Containers view in Chromium, through the browser host and its embedded sandbox:
// clusters → services → tasks → containers, a container shell in a tab that runs a
// command, a task without exec that says why, and a port forward to a container that
// serves HTTP.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { startHatchWeb, type RunningHost } from './host';

let host: RunningHost;
let server: http.Server;
let serverPort: number;

test.beforeAll(async () => {
  host = await startHatchWeb();
  // A web server "in the container": the sandbox serves a container's port N from 127.0.0.1:N.
  server = http.createServer((req, res) => res.end(`hello from the app container ${req.url}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverPort = (server.address() as AddressInfo).port;
});

test.afterAll(() => {
  host.stop();
  server.close();
});

async function openContainers(page: Page) {
  await page.addInitScript(() => localStorage.setItem('hatch.terminalRenderer', 'dom'));
  await page.goto(host.url);
  await expect(page.getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Containers' }).click();
  const tree = page.getByRole('tree', { name: /ECS clusters/ });
  await expect(tree.getByRole('treeitem', { name: /^prod\b/ })).toBeVisible({ timeout: 30_000 });
  return tree;
}

const terminalText = (page: Page) => page.locator('.tab-content:not([hidden]) .xterm-rows');

test('lists clusters, services, tasks and containers, and opens a container shell that runs a command', async ({ page }) => {
  const tree = await openContainers(page);
  for (const name of ['prod', 'staging', 'payments']) await expect(tree.getByRole('treeitem', { name: new RegExp(`^${name}\\b`) })).toHaveAttribute('aria-level', '1');
  await expect(tree.getByRole('treeitem', { name: /^web\b/ }).first()).toHaveAttribute('aria-level', '2');
  await expect(tree.getByRole('treeitem', { name: /Task [0-9a-f]{12}/ })).toHaveCount(6);
  await expect(tree.getByRole('treeitem', { name: /log-router/ })).toHaveCount(2);
  await page.screenshot({ path: 'test-results/containers-tree.png' });

  // Filter like the node list: only the web service's app containers of prod.
  const filter = page.getByRole('searchbox', { name: 'Filter containers' });
  await filter.fill('cluster:prod service:web app -log');
  await expect(tree.getByRole('treeitem', { level: 4 })).toHaveCount(2);
  await expect(page.getByText('2 of 8 containers')).toBeVisible();

  await tree.getByRole('treeitem', { level: 4 }).first().click();
  const detail = page.getByRole('complementary', { name: 'Details of app' });
  await expect(detail.getByText('Ready: the ExecuteCommandAgent is running.')).toBeVisible();
  await expect(detail.getByRole('textbox', { name: 'Command' })).toHaveValue('/bin/sh');
  await detail.getByRole('button', { name: 'Open shell' }).click();

  await expect(page.getByRole('tab', { name: /app · prod\/web/ })).toBeVisible();
  await expect(terminalText(page)).toContainText(/root@ip-[\d-]+:app#/, { timeout: 20_000 });
  await page.keyboard.type('echo "$APP_ENV-$SERVICE-$((6*7))"\n');
  await expect(terminalText(page)).toContainText('prod-web-42');
  await page.screenshot({ path: 'test-results/containers-shell.png' });
  await page.keyboard.type('exit\n');
  await expect(page.getByRole('status').filter({ hasText: /Session ended/ })).toBeVisible({ timeout: 20_000 });
});

test('a task without exec explains why, and its shell cannot be opened', async ({ page }) => {
  const tree = await openContainers(page);
  await page.getByRole('searchbox', { name: 'Filter containers' }).fill('exec:no');
  await expect(tree.getByRole('treeitem', { level: 4 })).toHaveCount(2); // api and reports; payments' IAM denial shows when tried
  await tree.getByRole('treeitem', { name: /^api\b.*no exec/ }).click();
  const detail = page.getByRole('complementary', { name: 'Details of api' });
  await expect(detail.getByRole('note', { name: 'Why ECS Exec is not possible' })).toContainText('not started with enableExecuteCommand');
  await expect(detail.getByRole('button', { name: 'Open shell' })).toBeDisabled();

  await tree.getByRole('treeitem', { name: /^reports\b/, level: 4 }).click();
  await expect(page.getByRole('complementary', { name: 'Details of reports' }).getByRole('note')).toContainText(/ExecuteCommandAgent is not running.*ssmmessages/);

  // IAM on the caller's side shows when trying: AWS's refusal is shown as it is.
  await page.getByRole('searchbox', { name: 'Filter containers' }).fill('cluster:payments');
  await tree.getByRole('treeitem', { name: /^ledger\b/, level: 4 }).click();
  await page.getByRole('complementary', { name: 'Details of ledger' }).getByRole('button', { name: 'Open shell' }).click();
  await expect(page.getByText(/not authorized to perform: ecs:ExecuteCommand/)).toBeVisible({ timeout: 20_000 });
  await page.screenshot({ path: 'test-results/containers-no-exec.png' });
});

test('a port forward to a container serves HTTP', async ({ page }) => {
  const tree = await openContainers(page);
  await page.getByRole('searchbox', { name: 'Filter containers' }).fill('cluster:prod service:web app -log');
  await tree.getByRole('treeitem', { level: 4 }).first().click();
  await page.getByRole('complementary', { name: 'Details of app' }).getByRole('button', { name: 'Forward port…' }).click();
  const dialog = page.getByRole('dialog', { name: /Forward a port to app · prod\/web/ });
  await dialog.getByRole('textbox', { name: 'Container port' }).fill(String(serverPort));
  await dialog.getByRole('button', { name: 'Start forwarding' }).click();
  const row = page.getByRole('row', { name: new RegExp(`app · prod/web:${serverPort}`) });
  await expect(row).toBeVisible({ timeout: 20_000 });
  const localPort = Number((await row.textContent())?.match(/127\.0\.0\.1:(\d+)/)?.[1]);
  expect(localPort).toBeGreaterThan(0);
  const body = await (await fetch(`http://127.0.0.1:${localPort}/through-the-tunnel`)).text();
  expect(body).toBe('hello from the app container /through-the-tunnel');
});
