// A paste far larger than one message may carry (1.2 million characters; as JSON, control
// characters would make it 7 MB against the browser host's 4 MiB limit) reaches the shell
// whole and in order: the renderer splits it into bounded keystroke messages on the
// session's stream (src/shared/terminal-stream.ts), and the connection stays up.
import { expect, test, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { startHatchWeb, type RunningHost } from './host';

let host: RunningHost;

test.beforeAll(async () => {
  host = await startHatchWeb();
});

test.afterAll(() => host.stop());

const screen = (page: Page) => page.locator('.tab-content:not([hidden]) .xterm-rows');

test('a 1.2-million-character paste arrives whole', async ({ page }) => {
  test.setTimeout(120_000);
  await page.addInitScript(() => localStorage.setItem('hatch.terminalRenderer', 'dom'));
  await page.goto(host.url);
  await page.getByRole('listbox', { name: 'Profiles' }).getByRole('option', { name: /Sandbox/ }).click();
  const grid = page.getByRole('grid', { name: 'Managed nodes' });
  await grid.getByRole('row', { name: /web-1/ }).click({ timeout: 30_000 });
  await page.getByRole('complementary', { name: 'Details of web-1' }).getByRole('button', { name: 'Start session' }).click();
  await expect(page.getByRole('tab', { name: /web-1/ }).getByLabel('live')).toBeVisible({ timeout: 20_000 });
  await expect(screen(page)).toContainText('web-1', { timeout: 20_000 });

  // Raw mode, no echo: `head` counts exactly the bytes pasted, one line of 1.2 M characters.
  const total = 1_200_000;
  await page.keyboard.type(`stty -icanon -echo; head -c ${total} | md5sum | sed 's/^/PASTED-/'; stty sane\n`);
  await page.waitForTimeout(300); // let the shell start head before the paste arrives (the pty buffers either way)
  const text = Array.from({ length: total / 100 }, (_, i) => String(i).padStart(99, 'x') + 'y').join('');
  await page.evaluate((pasted) => {
    const textarea = document.querySelector<HTMLTextAreaElement>('.tab-content:not([hidden]) .xterm-helper-textarea')!;
    const data = new DataTransfer();
    data.setData('text/plain', pasted);
    textarea.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
  await expect(screen(page)).toContainText(/PASTED-[0-9a-f]{32}/, { timeout: 60_000 });
  const shown = /PASTED-([0-9a-f]{32})/.exec(await screen(page).innerText())![1];
  expect(shown).toBe(createHash('md5').update(text).digest('hex'));
  // Still connected: a command typed afterwards runs.
  await page.keyboard.type('echo after-$((6*7))\n');
  await expect(screen(page)).toContainText('after-42');
});
