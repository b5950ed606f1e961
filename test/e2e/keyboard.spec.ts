// The same first steps with the keyboard only — no clicks: Tab to the Sandbox profile,
// filter, Down into the node table, Enter for a session, Ctrl+Tab back, Tab to "Forward
// port", a dialog that keeps focus inside and gives it back on Escape, Enter to start the
// tunnel, and the palette to jump back into the terminal. Focus is visible at each stop.
import { expect, test, type Locator, type Page } from '@playwright/test';
import net from 'node:net';
import { startHatchWeb, type RunningHost } from './host';
import { startEchoServer } from '../helpers/echo';

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

const isFocused = (target: Locator) => target.evaluate((el) => el === document.activeElement);

/** Presses Tab (or Shift+Tab) until `target` has focus; fails if it is not in the tab order. */
async function tabTo(page: Page, target: Locator, { back = false, max = 40 } = {}): Promise<void> {
  await expect(target).toBeVisible();
  for (let i = 0; i < max; i++) {
    if (await isFocused(target)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${target.toString()} was not reached in ${max} presses of ${back ? 'Shift+Tab' : 'Tab'}`);
}

/** Focused, and showing a focus ring a person can see. */
async function expectFocusRing(target: Locator): Promise<void> {
  await expect(target).toBeFocused();
  const ring = await target.evaluate((el) => {
    const style = getComputedStyle(el);
    return el.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  });
  expect(ring, `${target.toString()} shows no focus ring`).toBe(true);
}

const terminalInput = (page: Page) => page.locator('.tab-content:not([hidden]) .xterm-helper-textarea');
const screen = (page: Page) => page.locator('.tab-content:not([hidden]) .xterm-rows');

test('start a session and forward a port with the keyboard only', async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem('hatch.terminalRenderer', 'dom'));
  await page.goto(host.url);
  const grid = page.getByRole('grid', { name: 'Managed nodes' });
  await expect(grid.getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });

  // Tab to the Sandbox profile and choose it with Enter.
  const sandbox = page.getByRole('option', { name: /Sandbox/ });
  await tabTo(page, sandbox);
  await expectFocusRing(sandbox);
  await page.keyboard.press('Enter');
  await expect(sandbox).toHaveAttribute('aria-selected', 'true');

  // Tab to the filter, type, and go down into the table: the row under the cursor is
  // selected (its details show) and outlined.
  const filter = page.getByRole('searchbox', { name: 'Filter nodes' });
  await tabTo(page, filter);
  await expectFocusRing(filter);
  await page.keyboard.type('tag:Role=web');
  await expect(page.getByText(/^2 of 10$/)).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await expect(grid).toBeFocused();
  const web1 = grid.getByRole('row', { name: /web-1/ });
  const web2 = grid.getByRole('row', { name: /web-2/ });
  await expect(web1).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('complementary', { name: 'Details of web-1' })).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await expect(web2).toHaveAttribute('aria-selected', 'true');
  await expect(web1).toHaveAttribute('aria-selected', 'false');
  await page.keyboard.press('ArrowUp');
  await expect(web1).toHaveAttribute('aria-selected', 'true');
  await expect(grid).toHaveAttribute('aria-activedescendant', (await web1.getAttribute('id'))!);
  expect(await web1.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');

  // Enter starts a session; the terminal has the keyboard.
  await page.keyboard.press('Enter');
  const web1Tab = page.getByRole('tab', { name: /web-1/ });
  await expect(web1Tab).toHaveAttribute('aria-selected', 'true');
  await expect(screen(page)).toContainText('web-1', { timeout: 20_000 });
  await expect(terminalInput(page)).toBeFocused();
  await page.keyboard.type('echo kb-$((6*7))\n');
  await expect(screen(page)).toContainText('kb-42');

  // Ctrl+Tab back to the nodes: focus lands on the table, not on the page.
  await page.keyboard.press('Control+Tab');
  await expect(page.getByRole('tab', { name: 'Nodes' })).toHaveAttribute('aria-selected', 'true');
  await expect(grid).toBeFocused();
  await expect(web1).toHaveAttribute('aria-selected', 'true');

  // Tab to "Forward port" and open the dialog with Enter: focus is in it; Escape closes it
  // and gives focus back to the button.
  const forward = page.getByRole('button', { name: 'Forward port' });
  await tabTo(page, forward);
  await expectFocusRing(forward);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Forward a port through web-1' });
  await expect(dialog.getByLabel('Remote port')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(forward).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog.getByLabel('Remote port')).toBeFocused();
  await page.keyboard.type(String(echoPort));
  await tabTo(page, dialog.getByLabel('Name (optional)'));
  await page.keyboard.type('kb tunnel');

  // Focus stays inside the dialog: past the last button it wraps to the first field, and back.
  const startButton = dialog.getByRole('button', { name: 'Start forwarding' });
  await tabTo(page, startButton);
  await expectFocusRing(startButton);
  await page.keyboard.press('Tab');
  await expect(dialog.getByLabel(/^Remote host/)).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(startButton).toBeFocused();
  await page.keyboard.press('Enter');

  // The tunnel runs and carries bytes; focus is in the Tunnels tab.
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('tab', { name: 'Tunnels' })).toHaveAttribute('aria-selected', 'true');
  const row = page.getByRole('table', { name: 'Tunnels' }).getByRole('row', { name: /kb tunnel/ });
  await expect(row).toContainText('open', { timeout: 20_000 });
  expect(await page.locator('.tab-content:not([hidden])').evaluate((panel) => panel.contains(document.activeElement))).toBe(true);
  const port = Number(/:(\d+)/.exec(await row.locator('td.mono').first().innerText())![1]);
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('ping over the keyboard tunnel'));
    socket.once('data', (data) => {
      socket.end();
      resolve(data.toString());
    });
    socket.once('error', reject);
  });
  expect(reply).toBe('ping over the keyboard tunnel');

  // The palette (Ctrl+K) jumps back to the session's tab, and the terminal takes the keys.
  await page.keyboard.press('Control+K');
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  await expect(palette.getByRole('combobox', { name: 'Jump to node, tab or action' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(palette.getByRole('combobox', { name: 'Jump to node, tab or action' })).toBeFocused();
  await page.keyboard.type('web-1');
  await expect(palette.getByRole('option', { name: /web-1.*tab/ })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');
  await expect(palette).toBeHidden();
  await expect(web1Tab).toHaveAttribute('aria-selected', 'true');
  await expect(terminalInput(page)).toBeFocused();
  await page.keyboard.type('echo back-$((1+1))\n');
  await expect(screen(page)).toContainText('back-2');

  // Ctrl+Shift+K from inside the terminal opens the palette too; Escape returns to the shell.
  await page.keyboard.press('Control+Shift+K');
  await expect(palette).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(palette).toBeHidden();
  await expect(terminalInput(page)).toBeFocused();
});
