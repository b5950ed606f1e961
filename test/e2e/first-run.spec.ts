// A new user's first run, start to finish, in one test: the Sandbox profile, its nodes, a
// tag filter, a shell (output, resize), a second session in another tab, a port forward
// to an HTTP service on the "node" (this machine), the idle timeout changed in the
// preferences, and the first session terminated from the audit view — each step checked
// by what a person sees.
import { expect, test, type Locator, type Page } from '@playwright/test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHatchWeb, type RunningHost } from './host';

let host: RunningHost;
let service: http.Server;
let servicePort: number;

test.beforeAll(async () => {
  host = await startHatchWeb();
  service = http.createServer((req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(`hello from the sandbox service: ${req.method} ${req.url}`);
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  servicePort = (service.address() as AddressInfo).port;
});

test.afterAll(() => {
  host.stop();
  service.close();
});

/** The visible screen of the terminal in the active tab. */
const screen = (page: Page) => page.locator('.tab-content:not([hidden]) .xterm-rows');

/** `stty size` in the active terminal, read back from the screen through a unique marker. */
async function sttySize(page: Page, marker: string): Promise<{ rows: number; cols: number }> {
  await page.keyboard.type(`echo ${marker}=$(stty size)=\n`);
  const pattern = new RegExp(`${marker}=(\\d+) (\\d+)=`);
  await expect(screen(page)).toContainText(pattern);
  const [, rows, cols] = pattern.exec(await screen(page).innerText())!;
  return { rows: Number(rows), cols: Number(cols) };
}

const visibleRows = (page: Page) => screen(page).locator(':scope > div');

test('a new user: nodes, filter, shell, resize, second tab, port forward, preferences, terminate', async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem('hatch.terminalRenderer', 'dom'));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(host.url);

  // The built-in Sandbox profile is there and ready; choosing it lists its nodes.
  const sandbox = page.getByRole('listbox', { name: 'Profiles' }).getByRole('option', { name: /Sandbox/ });
  await expect(sandbox).toBeVisible();
  await sandbox.click();
  await expect(sandbox).toHaveAttribute('aria-selected', 'true');
  const grid = page.getByRole('grid', { name: 'Managed nodes' });
  await expect(grid.getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });
  await expect(grid.getByRole('row', { name: /batch-1.*Lost/ })).toBeVisible();
  await expect(page.getByText(/^10 of 10$/)).toBeVisible();
  await expect(page.getByTestId('status-context')).toHaveText('Sandbox · us-east-1');

  // Filter by a tag: only the web servers remain.
  await page.getByRole('searchbox', { name: 'Filter nodes' }).fill('tag:Role=web');
  await expect(page.getByText(/^2 of 10$/)).toBeVisible();
  await expect(grid.getByRole('row', { name: /web-2/ })).toBeVisible();
  await expect(grid.getByRole('row', { name: /api-1/ })).toHaveCount(0);

  // Select web-1 (its details show) and start a session.
  await grid.getByRole('row', { name: /web-1/ }).click();
  const details = page.getByRole('complementary', { name: 'Details of web-1' });
  await expect(details).toContainText('Role');
  await details.getByRole('button', { name: 'Start session' }).click();
  const web1Tab = page.getByRole('tab', { name: /web-1/ });
  await expect(web1Tab).toHaveAttribute('aria-selected', 'true');
  await expect(web1Tab.getByLabel('live')).toBeVisible({ timeout: 20_000 });
  await expect(screen(page)).toContainText('web-1', { timeout: 20_000 });
  await expect(page.getByTestId('status-context')).toContainText('Sandbox · us-east-1 · native engine · live');

  // Type a command and see its output.
  await page.keyboard.type('echo first-$((6*7))\n');
  await expect(screen(page)).toContainText('first-42');

  // Resize the window: the terminal refits and the shell sees the new size.
  const before = await sttySize(page, 'BEFORE');
  await expect(visibleRows(page)).toHaveCount(before.rows);
  await page.setViewportSize({ width: 900, height: 560 });
  await expect(visibleRows(page)).not.toHaveCount(before.rows);
  const rowsNow = await visibleRows(page).count();
  const after = await sttySize(page, 'AFTER');
  expect(after.rows).toBe(rowsNow);
  expect(after.rows).toBeLessThan(before.rows);
  expect(after.cols).toBeLessThan(before.cols);
  await page.setViewportSize({ width: 1280, height: 800 });

  // A second session, on web-2, in another tab; the first tab keeps its screen.
  await page.getByRole('tab', { name: 'Nodes' }).click();
  await grid.getByRole('row', { name: /web-2/ }).click();
  await page.getByRole('complementary', { name: 'Details of web-2' }).getByRole('button', { name: 'Start session' }).click();
  const web2Tab = page.getByRole('tab', { name: /web-2/ });
  await expect(web2Tab).toHaveAttribute('aria-selected', 'true');
  await expect(screen(page)).toContainText('web-2', { timeout: 20_000 });
  await page.keyboard.type('echo second-$((2+3))\n');
  await expect(screen(page)).toContainText('second-5');
  await expect(page.getByRole('tab')).toHaveCount(3);
  await web1Tab.click();
  await expect(screen(page)).toContainText('first-42');

  // Forward a local port to the HTTP service on web-1 and fetch through it.
  await page.getByRole('tab', { name: 'Nodes' }).click();
  await grid.getByRole('row', { name: /web-1/ }).click();
  await page.getByRole('button', { name: 'Forward port' }).click();
  const dialog = page.getByRole('dialog', { name: 'Forward a port through web-1' });
  await dialog.getByLabel('Remote port').fill(String(servicePort));
  await dialog.getByLabel('Name (optional)').fill('web service');
  await dialog.getByRole('button', { name: 'Start forwarding' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('tab', { name: 'Tunnels' })).toHaveAttribute('aria-selected', 'true');
  const tunnel = page.getByRole('table', { name: 'Tunnels' }).getByRole('row', { name: /web service/ });
  await expect(tunnel).toContainText('open', { timeout: 20_000 });
  await expect(page.getByRole('navigation', { name: 'Profiles and tunnels' })).toContainText('web service');
  const address = await tunnel.locator('td.mono').first().innerText();
  const localPort = Number(/127\.0\.0\.1:(\d+)/.exec(address)![1]);
  const response = await fetch(`http://127.0.0.1:${localPort}/through-hatch`);
  expect(response.status).toBe(200);
  expect(await response.text()).toBe('hello from the sandbox service: GET /through-hatch');
  await expect(tunnel).toContainText(/1 open \/ 1|0 open \/ 1/);
  await expect(tunnel).toContainText(/↓ \d+(\.\d)? ?[KM]?B/);

  // Change the idle timeout: the account has no preferences document yet, so create it.
  await page.getByRole('button', { name: 'Preferences', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Session Manager preferences' })).toBeVisible();
  await expect(page.getByText(/has no Session Manager preferences document/)).toBeVisible({ timeout: 20_000 });
  await page.getByRole('button', { name: 'Create with AWS’s defaults' }).click();
  const idle = page.getByLabel('Idle session timeout (minutes)');
  await expect(idle).toHaveValue('20');
  await idle.fill('15');
  await page.getByRole('button', { name: 'Review and create…' }).click();
  const review = page.getByRole('dialog', { name: 'Create preferences of us-east-1' });
  await expect(review).toContainText('"idleSessionTimeout": "15"');
  await review.getByRole('button', { name: 'Create document' }).click();
  await expect(page.getByText('Saved as version 1 (document created).')).toBeVisible();
  await expect(idle).toHaveValue('15');
  // The session's status bar counts down from the new timeout.
  await web1Tab.click();
  await expect(page.getByTestId('status-context')).toContainText(/idle timeout 1[45]:\d\d/);

  // Terminate the first session from the audit view; its tab says why it ended.
  await page.getByRole('button', { name: 'Sessions', exact: true }).click();
  const active = page.getByRole('table', { name: 'Active sessions' });
  const shellRow: Locator = active.getByRole('row').filter({ hasText: 'web-1' }).filter({ hasText: 'SSM-SessionManagerRunShell' });
  await expect(shellRow).toHaveCount(1, { timeout: 20_000 });
  await expect(active.getByRole('row').filter({ hasText: 'web-2' })).toHaveCount(1);
  await shellRow.click();
  await page.getByRole('complementary', { name: 'Session details' }).getByRole('button', { name: 'Terminate…' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Terminate this session?' });
  await expect(confirm).toContainText('disconnected at once');
  await confirm.getByRole('button', { name: 'Terminate session' }).click();
  await expect(shellRow).toHaveCount(0);
  await expect(web1Tab.getByLabel('ended: terminated')).toBeVisible({ timeout: 20_000 });
  await web1Tab.click();
  await expect(page.getByRole('status').filter({ hasText: /Session ended \(terminated\)/ })).toBeVisible();
  // The banner names the node, not its instance id.
  await expect(page.getByRole('button', { name: 'Reconnect to web-1' })).toBeVisible();
  // The other session and the tunnel are untouched.
  await expect(web2Tab.getByLabel('live')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Profiles and tunnels' }).getByRole('button', { name: /web service/ })).toBeVisible();
});
