// What an operator does on a first run with no AWS account: the Sandbox's nodes, a
// filter, a shell in a tab, the palette, a port forward — in Chromium, through the
// browser host and the embedded sandbox.
import { expect, test, type Page } from '@playwright/test';
import { startHatchWeb, type RunningHost } from './host';
import { echoThrough, startEchoServer } from '../helpers/echo';

let host: RunningHost;
let echo: { port: number; close(): void };
let echoPort: number;

test.beforeAll(async () => {
  host = await startHatchWeb();
  echo = await startEchoServer();
  echoPort = echo.port;
});

test.afterAll(() => {
  host.stop();
  echo.close();
});

async function open(page: Page) {
  await page.addInitScript(() => localStorage.setItem('hatch.terminalRenderer', 'dom'));
  await page.goto(host.url);
  await expect(page.getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });
}

const terminalText = (page: Page) => page.locator('.tab-content:not([hidden]) .xterm-rows');

test('browse the Sandbox nodes, filter them, and run a shell in a tab', async ({ page }) => {
  await open(page);
  const grid = page.getByRole('grid', { name: 'Managed nodes' });
  expect(await grid.getByRole('row').count()).toBeGreaterThan(6);
  await page.screenshot({ path: 'test-results/journey-nodes.png' });

  const filter = page.getByRole('searchbox', { name: 'Filter nodes' });
  await filter.fill('tag:Role=web');
  await expect(page.getByText(/^2 of \d+$/)).toBeVisible();
  await filter.fill('status:lost');
  await expect(grid.getByRole('row', { name: /Lost/ }).first()).toBeVisible();
  await filter.fill('web-1');
  await page.getByRole('row', { name: /web-1/ }).click();
  await grid.press('Enter');

  const tab = page.getByRole('tab', { name: /web-1/ });
  await expect(tab).toBeVisible();
  await expect(terminalText(page)).toContainText('web-1', { timeout: 20_000 });
  await page.keyboard.type('echo hatch-$((6*7))\n');
  await expect(terminalText(page)).toContainText('hatch-42');
  await page.screenshot({ path: 'test-results/journey-terminal.png' });

  // Split the tab: a second session on the same node beside the first; broadcast to both.
  await page.getByRole('button', { name: 'Split' }).click();
  const panes = page.locator('.tab-content:not([hidden]) .pane');
  await expect(panes).toHaveCount(2);
  await expect(panes.nth(1).locator('.xterm-rows')).toContainText('web-1', { timeout: 20_000 });
  // The app asks in its own dialog (never the browser's confirm()), naming the consequence.
  await page.getByRole('button', { name: 'Broadcast input…' }).click();
  const ask = page.getByRole('alertdialog', { name: 'Broadcast input to every pane?' });
  await expect(ask).toContainText('sent to all 2 panes');
  await ask.getByRole('button', { name: 'Broadcast to 2 panes' }).click();
  await expect(page.getByText('Broadcast is ON')).toBeVisible();
  await panes.nth(0).locator('.xterm').click({ timeout: 10_000 });
  await page.keyboard.type('echo bc-$((2+3))\n');
  await expect(panes.nth(0).locator('.xterm-rows')).toContainText('bc-5');
  await expect(panes.nth(1).locator('.xterm-rows')).toContainText('bc-5');
  await page.getByRole('button', { name: /Broadcasting to 2 panes/ }).click();
  await expect(page.getByText('Broadcast is ON')).toBeHidden();
  await page.screenshot({ path: 'test-results/journey-split.png' });

  // In a terminal, Ctrl+K belongs to the shell; Ctrl+Shift+K opens the palette, which
  // jumps to another node and opens a second session.
  await panes.nth(0).locator('.xterm').click({ timeout: 10_000 });
  await page.keyboard.press('Control+Shift+K');
  await page.getByRole('combobox', { name: 'Jump to node, tab or action' }).fill('web-2');
  await page.getByRole('option', { name: /web-2/ }).first().click();
  await expect(page.getByRole('tab', { name: /web-2/ })).toBeVisible();
  await expect(terminalText(page)).toContainText('web-2', { timeout: 20_000 });

  // Ctrl+Tab cycles tabs; exit ends the session with its reason shown.
  await page.keyboard.type('exit 3\n');
  await expect(page.getByRole('status').filter({ hasText: /Session ended/ })).toBeVisible({ timeout: 20_000 });
  await page.screenshot({ path: 'test-results/journey-ended.png' });
});

test('forward a local port through a node and see bytes flow', async ({ page }) => {
  await open(page);
  await page.getByRole('row', { name: /db-jump/ }).click();
  await page.getByRole('button', { name: 'Forward port' }).click();
  const dialog = page.getByRole('dialog', { name: /Forward a port through db-jump/ });
  await dialog.getByLabel('Remote port').fill(String(echoPort));
  await dialog.getByLabel('Name (optional)').fill('echo');
  await dialog.getByRole('button', { name: 'Start forwarding' }).click();
  await expect(page.getByRole('tab', { name: 'Tunnels' })).toBeVisible({ timeout: 20_000 });
  const row = page.getByRole('table', { name: 'Tunnels' }).getByRole('row', { name: /echo/ });
  await expect(row).toContainText('open');
  const address = await row.locator('td.mono').first().innerText();
  const port = Number(/:(\d+)/.exec(address)![1]);

  const payload = Buffer.alloc(200_000, 'tunnel');
  const echoed = await echoThrough(port, payload);
  expect(echoed.equals(payload)).toBe(true);
  await expect(row).toContainText(/↓ \d+(\.\d)? (KiB|MiB)/, { timeout: 10_000 });
  await page.screenshot({ path: 'test-results/journey-tunnel.png' });
  await row.getByRole('button', { name: 'Stop' }).click();
  await expect(row).toContainText('stopped');
});
