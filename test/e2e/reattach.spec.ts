// Sessions outlive the page: a reload (or a crash of the renderer) reopens the window's
// tabs, its split, and each terminal's recent output by itself, and the shells are the
// same shells. A full-screen program redraws after the reload. Chromium through the
// browser host and the embedded sandbox.
import { expect, test, type Page } from '@playwright/test';
import { startHatchWeb, type RunningHost } from './host';

let host: RunningHost;

test.beforeAll(async () => {
  host = await startHatchWeb();
});

test.afterAll(() => host.stop());

async function open(page: Page) {
  await page.addInitScript(() => localStorage.setItem('hatch.terminalRenderer', 'dom'));
  await page.goto(host.url);
  await expect(page.getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });
}

async function startOn(page: Page, node: string) {
  const grid = page.getByRole('grid', { name: 'Managed nodes' });
  await page.getByRole('searchbox', { name: 'Filter nodes' }).fill(node);
  await grid.getByRole('row', { name: new RegExp(node) }).first().click();
  await grid.press('Enter');
  await expect(page.getByRole('tab', { name: new RegExp(node) })).toBeVisible();
}

const visiblePanes = (page: Page) => page.locator('.tab-content:not([hidden]) .pane');
const screenOf = (page: Page) => page.locator('.tab-content:not([hidden]) .xterm-rows');

test('two sessions and a split come back after a reload, with their output and their shells', async ({ page }) => {
  await open(page);
  await startOn(page, 'web-1');
  await expect(screenOf(page)).toContainText('web-1', { timeout: 20_000 });
  await page.keyboard.type('export HATCH_RELOAD=kept-$((6*7)); echo set-$HATCH_RELOAD\n');
  await expect(screenOf(page)).toContainText('set-kept-42');

  // Split the first tab: a second session on the same node beside it.
  await page.getByRole('button', { name: 'Split' }).click();
  await expect(visiblePanes(page)).toHaveCount(2);
  await expect(visiblePanes(page).nth(1).locator('.xterm-rows')).toContainText('web-1', { timeout: 20_000 });
  await visiblePanes(page).nth(1).locator('.xterm').click();
  await page.keyboard.type('echo right-pane-$((2+3))\n');
  await expect(visiblePanes(page).nth(1).locator('.xterm-rows')).toContainText('right-pane-5');

  // A second tab on another node.
  await page.getByRole('tab', { name: 'Nodes' }).click();
  await startOn(page, 'web-2');
  await expect(screenOf(page)).toContainText('web-2', { timeout: 20_000 });
  await page.keyboard.type('echo second-tab-$((3*3))\n');
  await expect(screenOf(page)).toContainText('second-tab-9');
  const tabsBefore = await page.getByRole('tab').allTextContents();

  await page.reload();

  // The tabs come back by themselves, in order, with the one that was active shown.
  await expect(page.getByRole('tab', { name: /web-2/ })).toHaveAttribute('aria-selected', 'true', { timeout: 30_000 });
  expect(await page.getByRole('tab').allTextContents()).toEqual(tabsBefore);
  await expect(screenOf(page)).toContainText('second-tab-9', { timeout: 20_000 });

  // The split tab: both panes, each with its earlier output; the shell kept its variable.
  await page.getByRole('tab', { name: /web-1/ }).click();
  await expect(visiblePanes(page)).toHaveCount(2);
  await expect(visiblePanes(page).nth(0).locator('.xterm-rows')).toContainText('set-kept-42', { timeout: 20_000 });
  await expect(visiblePanes(page).nth(1).locator('.xterm-rows')).toContainText('right-pane-5', { timeout: 20_000 });
  await visiblePanes(page).nth(0).locator('.xterm').click();
  await page.keyboard.type('echo still-$HATCH_RELOAD\n');
  await expect(visiblePanes(page).nth(0).locator('.xterm-rows')).toContainText('still-kept-42');
  await page.screenshot({ path: 'test-results/reattach-split.png' });

  // Another window (no layout of its own) reopens what is running, named by node, not by id.
  const other = await page.context().browser()!.newPage();
  try {
    await open(other);
    await expect(other.getByRole('tab', { name: /web-2/ })).toBeVisible({ timeout: 30_000 });
    await expect(other.getByRole('tab', { name: /web-1/ }).first()).toBeVisible();
    expect((await other.getByRole('tab').allTextContents()).filter((title) => /\bi-[0-9a-f]{8,}/.test(title))).toEqual([]);
  } finally {
    await other.close();
  }
});

test('a full-screen program (top) survives a reload and redraws', async ({ page }) => {
  await open(page);
  await startOn(page, 'api-1');
  await expect(screenOf(page)).toContainText('api-1', { timeout: 20_000 });
  // A 60-second refresh: any new frame within the test comes from a redraw, not top's timer.
  await page.keyboard.type('top -d 60\n');
  const topLine = screenOf(page).locator(':scope > div').first();
  await expect(topLine).toContainText(/top - \d\d:\d\d:\d\d .*load average/, { timeout: 20_000 });
  const before = (await topLine.textContent()) ?? '';
  await page.waitForTimeout(1100); // top's clock shows seconds: let it move on

  await page.reload();

  await expect(page.getByRole('tab', { name: /api-1/ })).toHaveAttribute('aria-selected', 'true', { timeout: 30_000 });
  await expect(screenOf(page)).toContainText(/load average/, { timeout: 20_000 });
  // top repainted for the new window: its header shows a later time than before the reload.
  await expect(topLine).toContainText(/top - \d\d:\d\d:\d\d .*load average/, { timeout: 20_000 });
  await expect(topLine).not.toHaveText(before, { timeout: 10_000 });
  // It is the same top, still taking keys.
  await page.locator('.tab-content:not([hidden]) .xterm').click();
  await page.keyboard.type('q');
  await expect(screenOf(page)).toContainText(/@api-1:[^\n]*[$#]\s*$/, { timeout: 10_000 });
});
