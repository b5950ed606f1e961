// The sidebar is resizable (drag its edge, or arrows on the focused handle) and keeps its
// width, in pixels, across a reload and a resized window. Real browser host, embedded sandbox.
import { expect, test, type Page } from '@playwright/test';
import { startHatchWeb, type RunningHost } from './host';

let host: RunningHost;

test.beforeAll(async () => {
  host = await startHatchWeb();
});

test.afterAll(() => host.stop());

const sidebarWidth = async (page: Page) => (await page.getByRole('navigation', { name: 'Profiles and tunnels' }).boundingBox())?.width ?? 0;

test('the sidebar is resized by dragging or the keyboard and keeps its width after a reload', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.goto(host.url);
  await expect(page.getByRole('grid', { name: 'Managed nodes' }).getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });
  const start = await sidebarWidth(page);
  expect(start, 'the default width').toBeGreaterThan(200);
  expect(start).toBeLessThan(240);

  // Drag the edge 120 px to the right.
  const handle = page.getByRole('separator', { name: 'Resize the sidebar' });
  const box = (await handle.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 60, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(box.x + 120, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  const dragged = await sidebarWidth(page);
  expect(dragged, `after dragging from ${start}px`).toBeGreaterThan(start + 100);
  expect(dragged).toBeLessThan(start + 140);

  // The keyboard narrows it; it never goes under its minimum (~150 px).
  await handle.focus();
  for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowLeft');
  const narrow = await sidebarWidth(page);
  expect(narrow, `after 30 × ArrowLeft from ${dragged}px`).toBeLessThan(dragged - 100);
  expect(narrow).toBeGreaterThanOrEqual(148);
  const saved = () => page.evaluate(() => localStorage.getItem('hatch.sidebarWidth'));
  const before = await saved();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  const chosen = await sidebarWidth(page);
  expect(chosen, `two steps right from ${narrow}px`).toBeGreaterThan(narrow + 20);
  expect(chosen).toBeLessThan(narrow + 60);
  await expect.poll(saved, { message: 'the width saved after the last key' }).not.toBe(before);

  // Nothing beside it spills sideways, and after a reload the width is the one chosen.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
  await page.reload();
  await expect(page.getByRole('grid', { name: 'Managed nodes' }).getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => sidebarWidth(page), { message: `the width after a reload (chosen: ${chosen}px)` }).toBeCloseTo(chosen, -1);

  // A wider window keeps the sidebar's width in pixels (the workspace gets the room).
  await page.setViewportSize({ width: 1400, height: 900 });
  await expect.poll(() => sidebarWidth(page), { message: `the width at 1400 px (chosen: ${chosen}px)` }).toBeCloseTo(chosen, -1);
  await page.setViewportSize({ width: 1024, height: 700 });
  await expect.poll(() => sidebarWidth(page), { message: `the width back at 1024 px (chosen: ${chosen}px)` }).toBeCloseTo(chosen, -1);
});
