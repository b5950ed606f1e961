// Drag and drop a file onto a terminal tab: the confirmation offers the shell's directory
// (reported with OSC 7 after a `cd`), the transfers panel shows the upload's progress, and
// the file is on the node with the same SHA-256. Then "Download file…" from the tab's menu
// brings it back; a drop on the tab in the strip offers the same folder, and a drop on the
// node's row starts at home, edited in the confirmation; "Download file…" on the node's menu. Real path: Chromium → browser host → built-in sandbox (agent pacing on).
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startHatchWeb, type RunningHost } from './host';

let host: RunningHost;

test.beforeAll(async () => {
  host = await startHatchWeb();
});

test.afterAll(() => {
  host.stop();
});

const terminalText = (page: Page) => page.locator('.tab-content:not([hidden]) .xterm-rows');
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function nodeHome(name: string): string {
  // The browser host's built-in sandbox keeps node homes under ~/.hatch/sandbox/homes/<id>.
  const homes = path.join(host.home, '.hatch', 'sandbox', 'homes');
  for (const id of readdirSync(homes)) {
    try {
      readFileSync(path.join(homes, id, name));
      return path.join(homes, id);
    } catch {
      /* not this node */
    }
  }
  throw new Error(`no node home holds ${name}; homes: ${readdirSync(homes).join(', ')}`);
}

test('drop a file on a terminal tab, watch it upload, find it on the node; download it back', async ({ page }) => {
  test.setTimeout(180_000);
  await page.addInitScript(() => localStorage.setItem('hatch.terminalRenderer', 'dom'));
  await page.goto(host.url);
  await expect(page.getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('searchbox', { name: 'Filter nodes' }).fill('web-1');
  await page.getByRole('row', { name: /web-1/ }).dblclick();
  await expect(terminalText(page)).toContainText('web-1', { timeout: 30_000 });
  // A folder of its own; the shell reports it (OSC 7) at the next prompt.
  await page.keyboard.type('mkdir -p "drop zone" && cd "drop zone" && echo in-$((2*21))\n');
  await expect(terminalText(page)).toContainText('in-42');

  // A real drop event with a DataTransfer holding a 3 MiB file.
  const data = randomBytes(3 * 1024 * 1024);
  const terminal = page.locator('.tab-content:not([hidden]) .terminal-view');
  const transfer = await page.evaluateHandle((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'dropped file.bin', { type: 'application/octet-stream' }));
    return dt;
  }, data.toString('base64'));
  await terminal.dispatchEvent('dragenter', { dataTransfer: transfer });
  await terminal.dispatchEvent('dragover', { dataTransfer: transfer });
  await terminal.dispatchEvent('drop', { dataTransfer: transfer });

  const dialog = page.getByRole('dialog', { name: 'Upload to web-1' });
  await expect(dialog).toBeVisible();
  const folder = dialog.getByRole('textbox', { name: 'Folder on the node' });
  await expect(folder).toHaveValue(/\/drop zone$/);
  await dialog.getByRole('button', { name: 'Upload' }).click();

  const panel = page.getByRole('complementary', { name: 'Transfers' });
  await expect(panel).toBeVisible();
  const row = panel.locator('.transfer').filter({ hasText: 'dropped file.bin' });
  await expect(row.getByRole('progressbar')).toBeVisible();
  await expect(row.locator('.transfer-state')).toHaveText('done', { timeout: 120_000 });
  await expect(row).toContainText('100%');
  await expect(page.getByText(/Uploaded dropped file\.bin/)).toBeVisible();
  await page.screenshot({ path: 'test-results/transfers-upload.png' });
  // The drawer and the toast float above the bars under the workspace, not over the
  // first-run recordings notice's buttons.
  const notice = page.getByRole('region', { name: 'Recordings notice' });
  await expect(notice).toBeVisible();
  const noticeTop = (await notice.boundingBox())!.y;
  const bottomOf = async (l: typeof panel) => ((b) => (b ? b.y + b.height : Infinity))(await l.boundingBox());
  expect(await bottomOf(panel)).toBeLessThanOrEqual(noticeTop + 0.5);
  // The toast slides in from below: its resting place is what counts.
  const toast = page.locator('[data-sonner-toast]').filter({ hasText: /Uploaded dropped file\.bin/ });
  await expect.poll(() => bottomOf(toast), { timeout: 3_000 }).toBeLessThanOrEqual(noticeTop + 0.5);
  await notice.getByRole('button', { name: 'Keep recording' }).click(); // reachable: nothing over it
  await expect(notice).toBeHidden();

  const home = nodeHome(path.join('drop zone', 'dropped file.bin'));
  expect(sha(readFileSync(path.join(home, 'drop zone', 'dropped file.bin')))).toBe(sha(data));
  expect(readdirSync(path.join(home, 'drop zone')).filter((n) => n.includes('hatch-part'))).toEqual([]);

  // Download it back from the tab's menu into the downloads folder, and fetch it as the browser would.
  await page.locator('.tab.active, [role="tab"][aria-selected="true"]').first().click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Download file…' }).click();
  const down = page.getByRole('dialog', { name: 'Download from web-1' });
  const remote = down.getByRole('textbox', { name: 'Path on the node' });
  await expect(remote).toHaveValue(/\/drop zone\/$/);
  await remote.fill(`${await remote.inputValue()}dropped file.bin`);
  await down.getByRole('button', { name: 'Download' }).click();
  const back = panel.locator('.transfer').filter({ hasText: /from web-1/ });
  await expect(back.locator('.transfer-state')).toHaveText('done', { timeout: 120_000 });
  expect(sha(readFileSync(path.join(host.home, 'Downloads', 'dropped file.bin')))).toBe(sha(data));
  const link = back.getByRole('link', { name: 'Save' });
  const href = await link.getAttribute('href');
  const fetched = await page.evaluate(async (url) => {
    const response = await fetch(url!);
    const buffer = new Uint8Array(await response.arrayBuffer());
    const digest = await crypto.subtle.digest('SHA-256', buffer);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  }, href);
  expect(fetched).toBe(sha(data));

  // The same drop on the terminal's tab in the tab strip offers the same folder.
  const tabHeader = page.locator('.tab.active').first();
  await tabHeader.dispatchEvent('dragover', { dataTransfer: transfer });
  await tabHeader.dispatchEvent('drop', { dataTransfer: transfer });
  const again = page.getByRole('dialog', { name: 'Upload to web-1' });
  await expect(again.getByRole('textbox', { name: 'Folder on the node' })).toHaveValue(/\/drop zone$/);
  await again.getByRole('button', { name: 'Cancel' }).click();
  await expect(again).toBeHidden();

  // On a node's row in the node list: the home directory, edited in the confirmation.
  await page.getByRole('tab', { name: 'Nodes' }).click();
  const nodeRow = page.getByRole('row', { name: /web-1/ });
  const small = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['to the row\n'], 'row.txt', { type: 'text/plain' }));
    return dt;
  });
  await nodeRow.dispatchEvent('dragover', { dataTransfer: small });
  await nodeRow.dispatchEvent('drop', { dataTransfer: small });
  const toRow = page.getByRole('dialog', { name: 'Upload to web-1' });
  const rowFolder = toRow.getByRole('textbox', { name: 'Folder on the node' });
  await expect(rowFolder).toHaveValue('~');
  await rowFolder.fill('~/drop zone');
  await toRow.getByRole('button', { name: 'Upload' }).click();
  await expect(panel.locator('.transfer').filter({ hasText: 'row.txt' }).locator('.transfer-state')).toHaveText('done', { timeout: 60_000 });
  expect(readFileSync(path.join(home, 'drop zone', 'row.txt'), 'utf8')).toBe('to the row\n');

  // "Download file…" on the node's own menu.
  await nodeRow.first().click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Download file…' }).click();
  const fromNode = page.getByRole('dialog', { name: 'Download from web-1' });
  await expect(fromNode.getByRole('textbox', { name: 'Path on the node' })).toHaveValue('~/');
  await fromNode.getByRole('textbox', { name: 'Path on the node' }).fill('~/drop zone/row.txt');
  await fromNode.getByRole('button', { name: 'Download' }).click();
  await expect(panel.locator('.transfer').filter({ hasText: /row\.txt from web-1/ }).locator('.transfer-state')).toHaveText('done', { timeout: 60_000 });
  expect(readFileSync(path.join(host.home, 'Downloads', 'row.txt'), 'utf8')).toBe('to the row\n');

  // "Clear done" empties the list of finished transfers; with nothing left the drawer goes.
  await panel.getByRole('button', { name: 'Clear done' }).click();
  await expect(panel).toBeHidden();
});
