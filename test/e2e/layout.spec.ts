// Every view at a laptop's 1024x700 and at 1400x900, in both themes: no element scrolls
// sideways (scrollWidth > clientWidth on anything that scrolls, or spills out of a box that
// does not), the tunnel's Stop button is on screen, and the tunnel is named by its node.
// Screenshots of each go to test-results/screens/<width>x<height>-<theme>-<view>.png;
// HATCH_UPDATE_DOCS=1 also refreshes the README's two (docs/screenshot-*.png).
import { expect, test, type Page } from '@playwright/test';
import { copyFileSync, mkdirSync } from 'node:fs';
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
const SIZES = [
  { width: 1024, height: 700 },
  { width: 1400, height: 900 },
] as const;
const screen = (page: Page) => page.locator('.tab-content:not([hidden]) .xterm-rows');

/** Elements that scroll sideways, or whose content spills sideways out of them. */
async function sidewaysOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const describe = (el: Element) => {
      const id = el.id ? `#${el.id}` : '';
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      const label = el.getAttribute('aria-label') ? `[aria-label="${el.getAttribute('aria-label')}"]` : '';
      return `${el.tagName.toLowerCase()}${id}${cls}${label}`;
    };
    for (const el of [document.documentElement, document.body, ...document.querySelectorAll('body *')]) {
      if (!(el instanceof HTMLElement) || el.closest('.xterm, [hidden]') || el.clientWidth === 0) continue;
      if (el.checkVisibility && !el.checkVisibility()) continue;
      const style = getComputedStyle(el);
      const over = el.scrollWidth - el.clientWidth;
      if (over <= 1) continue;
      const scrolls = style.overflowX === 'auto' || style.overflowX === 'scroll' || el === document.documentElement || el === document.body;
      // Ellipsis truncation (overflow hidden/clip) is the intended way to fit: not a problem.
      if (scrolls || style.overflowX === 'visible') found.push(`${describe(el)} by ${over}px (${el.scrollWidth} > ${el.clientWidth})`);
    }
    return found;
  });
}

async function checkView(page: Page, name: string, tag: string) {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${DIR}/${tag}-${name}.png` });
  expect(await sidewaysOverflow(page), `${name} at ${tag}`).toEqual([]);
}

test('every view fits 1024x700 and 1400x900 in both themes, with nothing scrolling sideways', async ({ page }) => {
  test.setTimeout(240_000);
  mkdirSync(DIR, { recursive: true });
  await page.addInitScript(() => localStorage.setItem('hatch.terminalRenderer', 'dom'));
  await page.setViewportSize(SIZES[1]);
  await page.goto(host.url);
  const grid = page.getByRole('grid', { name: 'Managed nodes' });
  await expect(grid.getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });
  // The first-run notice about recordings, acknowledged (it has its own test).
  await page.getByRole('region', { name: 'Recordings notice' }).getByRole('button', { name: 'Keep recording' }).click();

  // State worth looking at: a split session with output, a tunnel, preferences, a long tab title.
  await grid.getByRole('row', { name: /web-1/ }).dblclick();
  await expect(screen(page)).toContainText('web-1', { timeout: 20_000 });
  await page.keyboard.type("printf '\\e[32mok\\e[0m \\e[33mwarn\\e[0m \\e[31merror\\e[0m \\e[93mbright yellow\\e[0m \\e[97mbright white\\e[0m\\n'; seq -s ' ' 1 200\n");
  await expect(screen(page)).toContainText('198 199 200');
  await page.getByRole('button', { name: 'Split' }).click();
  await expect(page.locator('.tab-content:not([hidden]) .pane')).toHaveCount(2);
  await page.getByRole('tab', { name: 'Nodes' }).click();
  await grid.getByRole('row', { name: /db-jump/ }).click();
  await page.getByRole('button', { name: 'Forward port', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: /Forward a port through db-jump/ });
  await dialog.getByLabel('Remote port').fill(String(servicePort));
  await dialog.getByRole('button', { name: 'Start forwarding' }).click();
  const tunnels = page.getByRole('table', { name: 'Tunnels' });
  const row = tunnels.getByRole('row', { name: /db-jump/ });
  await expect(row).toContainText('open', { timeout: 20_000 });
  // Named by its node ("db-jump:PORT", "db-jump → localhost:PORT"), not by its instance id.
  await expect(row).toContainText(`db-jump:${servicePort}`);
  await expect(row).toContainText(`db-jump → localhost:${servicePort}`);
  expect(await row.locator('td').first().innerText()).not.toMatch(/\bi-[0-9a-f]{8,}/);
  await page.getByRole('button', { name: 'Preferences', exact: true }).click();
  const create = page.getByRole('button', { name: 'Create with AWS’s defaults' });
  const idle = page.getByLabel('Idle session timeout (minutes)');
  await expect(create.or(idle)).toBeVisible({ timeout: 20_000 });
  if (await create.isVisible()) await create.click();

  const views: Array<{ name: string; open(): Promise<void> }> = [
    {
      name: 'nodes',
      open: async () => {
        await page.getByRole('tab', { name: 'Nodes' }).click();
        await grid.getByRole('row', { name: /web-1/ }).click();
        await expect(page.getByRole('complementary', { name: 'Details of web-1' })).toBeVisible();
      },
    },
    {
      name: 'terminal',
      open: async () => {
        await page.getByRole('tab', { name: /web-1/ }).click();
        await expect(screen(page).first()).toContainText('bright yellow');
      },
    },
    {
      name: 'tunnels',
      open: async () => {
        await page.getByRole('button', { name: 'Tunnels', exact: true }).click();
        await expect(row).toContainText('open');
        // The Stop button is on screen, not cut off or pushed sideways.
        const stop = row.getByRole('button', { name: 'Stop' });
        await expect(stop).toBeInViewport({ ratio: 1 });
        const box = (await stop.boundingBox())!;
        expect(box.x + box.width).toBeLessThanOrEqual(page.viewportSize()!.width);
      },
    },
    {
      name: 'preferences',
      open: async () => {
        await page.getByRole('button', { name: 'Preferences', exact: true }).click();
        await expect(page.getByLabel('Idle session timeout (minutes)')).toBeVisible();
      },
    },
    {
      name: 'documents',
      open: async () => {
        await page.getByRole('button', { name: 'Documents', exact: true }).click();
        await expect(page.getByRole('table', { name: 'Session documents' }).getByRole('row', { name: /AWS-StartPortForwardingSession\b/ })).toBeVisible({ timeout: 20_000 });
      },
    },
    {
      name: 'sessions',
      open: async () => {
        await page.getByRole('button', { name: 'Sessions', exact: true }).click();
        const active = page.getByRole('table', { name: 'Active sessions' }).getByRole('row').filter({ hasText: 'SSM-SessionManagerRunShell' });
        await expect(active.first()).toBeVisible({ timeout: 20_000 });
        await active.first().click();
        await expect(page.getByRole('complementary', { name: 'Session details' })).toBeVisible();
      },
    },
    {
      name: 'settings',
      open: async () => {
        await page.getByRole('button', { name: 'Settings', exact: true }).click();
        await expect(page.getByRole('heading', { name: 'Terminal' })).toBeVisible();
      },
    },
    {
      name: 'containers',
      open: async () => {
        await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Containers' }).click();
        await expect(page.getByRole('tree', { name: /ECS clusters/ }).getByRole('treeitem', { name: /^prod\b/ })).toBeVisible({ timeout: 30_000 });
      },
    },
    {
      name: 'palette',
      open: async () => {
        await page.getByRole('tab', { name: 'Nodes' }).click();
        await page.keyboard.press('Control+K');
        await page.keyboard.type('forward');
        await expect(page.getByRole('dialog', { name: 'Command palette' }).getByRole('option').first()).toBeVisible();
      },
    },
  ];

  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const theme of ['light', 'dark'] as const) {
      const app = page.locator('.app');
      if ((await app.getAttribute('data-theme')) !== theme) await page.getByRole('button', { name: `Switch to ${theme} theme` }).click();
      await expect(app).toHaveAttribute('data-theme', theme);
      const tag = `${size.width}x${size.height}-${theme}`;
      for (const view of views) {
        await view.open();
        await checkView(page, view.name, tag);
        if (view.name === 'palette') {
          await page.keyboard.press('Escape');
          await expect(page.getByRole('dialog', { name: 'Command palette' })).toBeHidden();
        }
      }
    }
  }

  if (process.env.HATCH_UPDATE_DOCS === '1') {
    copyFileSync(`${DIR}/1400x900-light-nodes.png`, 'docs/screenshot-light.png');
    copyFileSync(`${DIR}/1400x900-dark-terminal.png`, 'docs/screenshot-dark.png');
  }
});
