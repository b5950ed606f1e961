// Sessions & audit in Chromium through the browser host: a session started in Hatch shows
// among the account's active sessions, its recording plays back, the list exports as CSV,
// and terminating it (asked once) moves it to the history and ends its terminal tab with
// the reason shown.
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { startHatchWeb, type RunningHost } from './host';

let host: RunningHost;

test.beforeAll(async () => {
  host = await startHatchWeb();
});
test.afterAll(() => host.stop());

test('list, replay, export and terminate sessions; the terminated session ends in its tab and shows in History', async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem('hatch.terminalRenderer', 'dom'));
  await page.goto(host.url);
  const grid = page.getByRole('grid', { name: 'Managed nodes' });
  await expect(page.getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('row', { name: /web-1/ }).click();
  await grid.press('Enter');
  const terminal = page.locator('.tab-content:not([hidden]) .xterm-rows');
  await expect(terminal).toContainText('web-1', { timeout: 20_000 });
  await page.keyboard.type('echo audit-$((6*7))\n');
  await expect(terminal).toContainText('audit-42');

  await page.getByRole('button', { name: 'Sessions', exact: true }).click();
  const table = page.getByRole('table', { name: 'Active sessions' });
  const row = table.getByRole('row', { name: /web-1/ });
  await expect(row).toHaveCount(1, { timeout: 20_000 });
  await expect(row).toContainText('Connected');
  await expect(row).toContainText('Recorded');
  await row.click();
  const details = page.getByRole('complementary', { name: 'Session details' });
  await expect(details).toContainText('SSM-SessionManagerRunShell');
  await page.screenshot({ path: 'test-results/audit-active.png' });

  // The local recording, in an xterm.
  await details.getByRole('button', { name: 'Play recording' }).click();
  const player = page.getByRole('dialog', { name: /^Recording/ });
  await player.getByLabel('Speed').selectOption('16');
  await player.getByRole('button', { name: 'Show all' }).click();
  await expect(player.getByLabel('Recorded terminal')).toContainText('audit-42');
  await expect(player.getByRole('status', { name: 'Playback position' })).toContainText('ended');
  await player.getByRole('button', { name: 'Close' }).click();

  // Export as CSV: a file download with the session in it.
  const sessionId = (await row.locator('td').first().textContent())!.trim();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^sessions-Sandbox-us-east-1-active-.*\.csv$/);
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(csv.split('\r\n')[0]).toContain('Session ID,Target,Status');
  expect(csv).toContain(sessionId);

  // Filters: a target with no sessions.
  await page.getByRole('textbox', { name: 'Target' }).fill('i-0000000000000000f');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByText('0 active sessions.')).toBeVisible();
  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(row).toHaveCount(1);

  // Terminate, asked once with the consequence.
  await row.click();
  await details.getByRole('button', { name: 'Terminate…' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Terminate this session?' });
  await expect(confirm).toContainText('disconnected at once');
  await confirm.getByRole('button', { name: 'Terminate session' }).click();
  await expect(row).toHaveCount(0);
  await page.getByRole('radio', { name: 'History' }).click();
  const past = page.getByRole('table', { name: 'Past sessions' }).getByRole('row', { name: new RegExp(sessionId) });
  await expect(past).toContainText('Terminated');
  await expect(past).toContainText('web-1');
  await page.screenshot({ path: 'test-results/audit-history.png' });

  // Back in its terminal tab, the session has ended, with the reason in the banner and on the tab.
  const tab = page.getByRole('tab', { name: /web-1/ });
  await tab.click();
  await expect(page.locator('.tab-content:not([hidden])').getByRole('status').filter({ hasText: 'Session ended' })).toHaveText(/Session ended \(terminated\)/);
  await expect(tab).toHaveAccessibleName(/ended: terminated/);
  await page.screenshot({ path: 'test-results/audit-terminated-tab.png' });
});
