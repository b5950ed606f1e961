// Many tabs at a laptop's 1024x700: the strip scrolls instead of clipping (wheel, the ‹ ›
// buttons), the active tab is always scrolled into view, the ▾ menu lists every tab, and
// titles truncate on one line, never wrap. Real browser host, embedded sandbox.
import { expect, test, type Page } from '@playwright/test';
import { startHatchWeb, type RunningHost } from './host';

let host: RunningHost;

test.beforeAll(async () => {
  host = await startHatchWeb();
});

test.afterAll(() => host.stop());

const screen = (page: Page) => page.locator('.tab-content:not([hidden]) .xterm-rows');

/** Where a tab sits relative to the strip's visible box. */
async function placement(page: Page, name: string | RegExp) {
  const strip = await page.getByRole('tablist', { name: 'Open tabs' }).boundingBox();
  const tab = await page.getByRole('tab', { name }).first().boundingBox();
  if (!strip || !tab) throw new Error(`no box for the strip (${JSON.stringify(strip)}) or the tab ${String(name)} (${JSON.stringify(tab)})`);
  return { inView: tab.x >= strip.x - 1 && tab.x + tab.width <= strip.x + strip.width + 1, tab, strip };
}

test('fifteen tabs at 1024x700: the strip scrolls, the active tab is in view, ▾ lists them all, titles never wrap', async ({ page }) => {
  test.setTimeout(180_000);
  await page.addInitScript(() => localStorage.setItem('hatch.terminalRenderer', 'dom'));
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.goto(host.url);
  const grid = page.getByRole('grid', { name: 'Managed nodes' });
  await expect(grid.getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });

  // Six views from the palette, then eight sessions on one node: fifteen tabs with the Nodes tab.
  for (const view of ['Tunnels', 'Preferences', 'Documents', 'Sessions & audit', 'Settings', 'Containers']) {
    await page.keyboard.press('Control+K');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    await palette.getByRole('combobox').fill(`Open ${view}`);
    await palette.getByRole('option', { name: new RegExp(`^Open ${view.replace('&', '\\&')}`) }).first().click();
    await expect(page.getByRole('tab', { name: view, exact: true })).toHaveAttribute('aria-selected', 'true');
  }
  await page.getByRole('tab', { name: 'Nodes', exact: true }).click();
  await grid.getByRole('row', { name: /web-1/ }).dblclick();
  await expect(screen(page)).toContainText('web-1', { timeout: 20_000 });
  for (let n = 2; n <= 8; n++) {
    await page.keyboard.press('Alt+Shift+T'); // another session on the same node
    await expect(page.getByRole('tab', { name: `web-1 (${n})` })).toHaveAttribute('aria-selected', 'true', { timeout: 20_000 });
  }
  const tabs = page.getByRole('tab');
  await expect(tabs).toHaveCount(15);

  // Titles truncate on one line: every tab is the strip's height, and the page is not wider than the window.
  const heights = await tabs.evaluateAll((els) => els.map((el) => (el.querySelector('.tab-title') as HTMLElement).getBoundingClientRect().height));
  expect(Math.max(...heights), `title heights ${heights.join(', ')}`).toBeLessThan(24);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);

  // The strip overflows, so it offers its buttons; the newest (active) tab is in view, the first is not.
  const left = page.getByRole('button', { name: 'Scroll tabs left' });
  const right = page.getByRole('button', { name: 'Scroll tabs right' });
  await expect(left).toBeVisible();
  await expect(right).toBeVisible();
  await expect.poll(async () => (await placement(page, 'web-1 (8)')).inView).toBe(true);
  expect((await placement(page, 'Nodes')).inView).toBe(false);
  await expect(right).toBeDisabled(); // at the right end already

  // ‹ scrolls back until the Nodes tab shows; the wheel scrolls the other way.
  for (let i = 0; i < 10 && !(await placement(page, 'Nodes')).inView; i++) {
    await left.click();
    await page.waitForTimeout(400); // the smooth scroll's animation
  }
  expect((await placement(page, 'Nodes')).inView, 'the Nodes tab after scrolling left').toBe(true);
  await expect(left).toBeDisabled();
  const strip = page.getByRole('tablist', { name: 'Open tabs' });
  await strip.hover();
  await page.mouse.wheel(0, 2000);
  await expect.poll(async () => (await placement(page, 'web-1 (8)')).inView, { message: 'the last tab after a wheel down' }).toBe(true);

  // The ▾ menu lists every tab by name; choosing one activates it and brings it into view.
  await page.getByRole('button', { name: 'All tabs (15)' }).click();
  const menu = page.getByRole('menu', { name: 'All tabs' });
  await expect(menu.getByRole('menuitem')).toHaveCount(15);
  await expect(menu.getByRole('menuitem', { name: 'web-1 (4)' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/1024x700-many-tabs.png' });
  await menu.getByRole('menuitem', { name: 'Preferences' }).click();
  await expect(page.getByRole('tab', { name: 'Preferences', exact: true })).toHaveAttribute('aria-selected', 'true');
  await expect.poll(async () => (await placement(page, 'Preferences')).inView, { message: 'Preferences chosen from ▾' }).toBe(true);

  // Keyboard: End on the focused tab activates the last one and scrolls it into view.
  await page.getByRole('tab', { name: 'Preferences', exact: true }).focus();
  await page.keyboard.press('End');
  await expect(page.getByRole('tab', { name: 'web-1 (8)' })).toHaveAttribute('aria-selected', 'true');
  await expect.poll(async () => (await placement(page, 'web-1 (8)')).inView, { message: 'the last tab after End' }).toBe(true);
});
