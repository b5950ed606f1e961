// Screenshots of every main view in the light and the dark theme (switched with the
// title-bar button), saved under test-results/screens/ for review:
// nodes, terminal, tunnels, preferences, documents, audit, the palette and a dialog.
// HATCH_UPDATE_DOCS=1 also refreshes the two screenshots the README shows (docs/).
import { expect, test, type Page } from '@playwright/test';
import { copyFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHatchWeb, type RunningHost } from './host';

let host: RunningHost;
let service: http.Server;
let servicePort: number;

test.beforeAll(async () => {
  host = await startHatchWeb();
  service = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  servicePort = (service.address() as AddressInfo).port;
});

test.afterAll(() => {
  host.stop();
  service.close();
});

const DIR = 'test-results/screens';
const screen = (page: Page) => page.locator('.tab-content:not([hidden]) .xterm-rows');

async function switchTheme(page: Page, theme: 'light' | 'dark') {
  const app = page.locator('.app');
  if ((await app.getAttribute('data-theme')) !== theme) await page.getByRole('button', { name: `Switch to ${theme} theme` }).click();
  await expect(app).toHaveAttribute('data-theme', theme);
}

async function shoot(page: Page, theme: string, view: string) {
  await page.mouse.move(0, 0); // no hover highlight
  await page.screenshot({ path: `${DIR}/${theme}-${view}.png` });
}

test('every main view, in light and dark', async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem('hatch.terminalRenderer', 'dom'));
  await page.setViewportSize({ width: 1280, height: 760 });
  await page.goto(host.url);
  const grid = page.getByRole('grid', { name: 'Managed nodes' });
  await expect(grid.getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });

  // Some state worth looking at: a session with output, a running tunnel, preferences.
  await grid.getByRole('row', { name: /web-1/ }).dblclick();
  await expect(screen(page)).toContainText('web-1', { timeout: 20_000 });
  await page.keyboard.type("printf '\\e[32mok\\e[0m  \\e[33mwarn\\e[0m  \\e[31merror\\e[0m  \\e[1;34mbold blue\\e[0m\\n'; uname -sm; cat /etc/os-release; seq -s ' ' 1 40\n");
  await expect(screen(page)).toContainText('38 39 40');
  await page.getByRole('tab', { name: 'Nodes' }).click();
  await grid.getByRole('row', { name: /db-jump/ }).click();
  await page.getByRole('button', { name: 'Forward port' }).click();
  const tunnelDialog = page.getByRole('dialog', { name: /Forward a port through db-jump/ });
  await tunnelDialog.getByLabel('Remote port').fill(String(servicePort));
  await tunnelDialog.getByLabel('Name (optional)').fill('internal web');
  await tunnelDialog.getByRole('button', { name: 'Start forwarding' }).click();
  await expect(page.getByRole('table', { name: 'Tunnels' }).getByRole('row', { name: /internal web/ })).toContainText('open', { timeout: 20_000 });
  await fetch(`http://127.0.0.1:${(await page.getByRole('table', { name: 'Tunnels' }).locator('td.mono').first().innerText()).split(':').pop()!.split(/\s/)[0]}/`);

  for (const theme of ['light', 'dark'] as const) {
    await switchTheme(page, theme);

    await page.getByRole('tab', { name: 'Nodes' }).click();
    await grid.getByRole('row', { name: /web-1/ }).click();
    await expect(page.getByRole('complementary', { name: 'Details of web-1' })).toBeVisible();
    await shoot(page, theme, 'nodes');

    await page.getByRole('tab', { name: /web-1/ }).click();
    await expect(screen(page)).toContainText('bold blue');
    await shoot(page, theme, 'terminal');

    await page.getByRole('button', { name: 'Tunnels', exact: true }).click();
    await expect(page.getByRole('table', { name: 'Tunnels' })).toContainText('open');
    await shoot(page, theme, 'tunnels');

    await page.getByRole('button', { name: 'Preferences', exact: true }).click();
    const create = page.getByRole('button', { name: 'Create with AWS’s defaults' });
    const idle = page.getByLabel('Idle session timeout (minutes)');
    await expect(create.or(idle)).toBeVisible({ timeout: 20_000 });
    if (await create.isVisible()) await create.click();
    await expect(idle).toBeVisible();
    await shoot(page, theme, 'preferences');

    await page.getByRole('button', { name: 'Documents', exact: true }).click();
    await expect(page.getByRole('table', { name: 'Session documents' }).getByRole('row', { name: /AWS-StartPortForwardingSession\b/ })).toBeVisible({ timeout: 20_000 });
    await shoot(page, theme, 'documents');

    await page.getByRole('button', { name: 'Sessions', exact: true }).click();
    const row = page.getByRole('table', { name: 'Active sessions' }).getByRole('row').filter({ hasText: 'SSM-SessionManagerRunShell' });
    await expect(row).toHaveCount(1, { timeout: 20_000 });
    await row.click();
    await expect(page.getByRole('complementary', { name: 'Session details' })).toBeVisible();
    await shoot(page, theme, 'audit');

    await page.getByRole('tab', { name: 'Nodes' }).click();
    await page.keyboard.press('Control+K');
    await page.keyboard.type('web');
    await expect(page.getByRole('dialog', { name: 'Command palette' }).getByRole('option').first()).toBeVisible();
    await shoot(page, theme, 'palette');
    await page.keyboard.press('Escape');

    await grid.getByRole('row', { name: /web-1/ }).click();
    await page.getByRole('button', { name: 'Forward port' }).click();
    const dialog = page.getByRole('dialog', { name: 'Forward a port through web-1' });
    await dialog.getByLabel('Remote port').fill('5432');
    await dialog.getByLabel('Name (optional)').fill('postgres');
    await shoot(page, theme, 'dialog');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
  }

  if (process.env.HATCH_UPDATE_DOCS === '1') {
    copyFileSync(`${DIR}/light-nodes.png`, 'docs/screenshot-light.png');
    copyFileSync(`${DIR}/dark-terminal.png`, 'docs/screenshot-dark.png');
  }
});
