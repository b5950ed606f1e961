// An operator's day in the real UI (Chromium, browser host, embedded sandbox): the palette
// finds every kind of command, tabs are renamed and numbered, favourites go to the top,
// plain text finds tag values, the README's `tag:env=prod` works, an empty result says
// why, confirmations are the app's own dialogs, settings are kept by main, recordings are
// announced on the first run, and an unreachable endpoint is said in words on the profile.
import { expect, test, type Page } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startHatchWeb, type RunningHost } from './host';

let host: RunningHost;

test.beforeAll(async () => {
  // A second profile whose endpoint does not resolve (.invalid is reserved: it never will).
  host = await startHatchWeb({
    config: '[profile offline]\nregion = eu-west-1\nendpoint_url = http://ssm.hatch-test.invalid:9\n',
    credentials: '[offline]\naws_access_key_id = AKIAEXAMPLEEXAMPLE12\naws_secret_access_key = example-secret\n',
  });
});

test.afterAll(() => host.stop());

const screen = (page: Page) => page.locator('.tab-content:not([hidden]) .xterm-rows');

async function open(page: Page) {
  await page.addInitScript(() => localStorage.setItem('hatch.terminalRenderer', 'dom'));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(host.url);
  await page.getByRole('listbox', { name: 'Profiles' }).getByRole('option', { name: /Sandbox/ }).click();
  await expect(page.getByRole('grid', { name: 'Managed nodes' }).getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });
}

async function palette(page: Page, query: string) {
  await page.keyboard.press('Control+K');
  const dialog = page.getByRole('dialog', { name: 'Command palette' });
  await dialog.getByRole('combobox', { name: 'Jump to node, tab or action' }).fill(query);
  return dialog;
}

test('first run: recordings are announced once, with where they go and how to turn them off', async ({ page }) => {
  await open(page);
  const notice = page.getByRole('region', { name: 'Recordings notice' });
  await expect(notice).toContainText('records what each shell shows');
  await expect(notice).toContainText(path.join(host.home, '.hatch', 'recordings'));
  await notice.getByRole('button', { name: 'Turn recordings off' }).click();
  await expect(notice).toBeHidden();
  // Kept by main in settings.json, and the Settings view shows it.
  // Main writes the file after it answers: wait for it (a read straight away may see the old
  // one, or none yet: on a first run the file does not exist until that write).
  const settingsPath = path.join(host.home, '.hatch', 'settings.json');
  const settingsFile = () => (existsSync(settingsPath) ? JSON.parse(readFileSync(settingsPath, 'utf8')) : undefined);
  await expect.poll(() => settingsFile()?.app?.recordings?.enabled, { message: 'recordings.enabled in settings.json' }).toBe(false);
  expect(settingsFile().app.recordingsNoticeSeen).toBe(true);
  await page.reload();
  await expect(page.getByRole('grid', { name: 'Managed nodes' }).getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });
  await expect(notice).toBeHidden();
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const record = page.getByLabel('Record what each shell shows');
  await expect(record).not.toBeChecked();
  await record.check();
  await expect.poll(() => settingsFile()?.app?.recordings?.enabled).toBe(true);
  await expect(page.getByText(path.join(host.home, '.hatch'), { exact: true })).toBeVisible();
});

test('the palette finds forward, shortcuts and settings; F1 and ? open the shortcuts sheet', async ({ page }) => {
  await open(page);
  await page.getByRole('grid', { name: 'Managed nodes' }).getByRole('row', { name: /web-1/ }).click();

  let dialog = await palette(page, 'forward');
  await expect(dialog.getByRole('option').first()).toContainText(/Forward (port on web-1|a port)/);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: /Forward a port/ })).toBeVisible();
  await page.keyboard.press('Escape');

  dialog = await palette(page, 'shortcuts');
  await expect(dialog.getByRole('option').first()).toContainText('Keyboard shortcuts');
  await page.keyboard.press('Enter');
  const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(sheet).toContainText('Command palette');
  // The browser keeps Ctrl+T/W/Tab: the sheet shows the keys that work here instead.
  await expect(sheet).toContainText('Alt+Shift+T');
  await page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();

  dialog = await palette(page, 'settings');
  await expect(dialog.getByRole('option').first()).toContainText('Open Settings');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('tab', { name: 'Settings' })).toHaveAttribute('aria-selected', 'true');

  // Recently used first: with nothing typed, the last command leads.
  dialog = await palette(page, '');
  await expect(dialog.getByRole('option').first()).toContainText('Open Settings');
  await page.keyboard.press('Escape');

  await page.getByRole('tab', { name: 'Nodes' }).click();
  await page.getByRole('grid', { name: 'Managed nodes' }).focus();
  await page.keyboard.press('Shift+Slash'); // "?"
  await expect(sheet).toBeVisible();
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await expect(sheet).toBeVisible();
  await page.keyboard.press('Escape');
});

test('tabs on one node are numbered, renamed by double-click, and keep their menu', async ({ page }) => {
  await open(page);
  const grid = page.getByRole('grid', { name: 'Managed nodes' });
  await grid.getByRole('row', { name: /web-2/ }).dblclick();
  await expect(screen(page)).toContainText('web-2', { timeout: 20_000 });
  // A second session on the same node (Alt+Shift+T works where the browser keeps Ctrl+T).
  await page.keyboard.press('Alt+Shift+T');
  const tabs = page.getByRole('tab', { name: /web-2/ });
  await expect(tabs).toHaveCount(2);
  await expect(tabs.nth(0)).not.toContainText('(2)');
  await expect(tabs.nth(1)).toContainText('web-2 (2)');

  await tabs.nth(1).dblclick();
  const field = page.getByRole('textbox', { name: /Rename web-2/ });
  await field.fill('deploy watch');
  await field.press('Enter');
  await expect(page.getByRole('tab', { name: /deploy watch/ })).toBeVisible();
  await expect(page.getByRole('tab', { name: /web-2/ })).toHaveCount(1);

  // The context menu: duplicate gives a third session, close others asks before ending live ones.
  await page.getByRole('tab', { name: /deploy watch/ }).click({ button: 'right' });
  const menu = page.getByRole('menu', { name: /deploy watch tab actions/ });
  await expect(menu.getByRole('menuitem', { name: 'Copy node id' })).toBeVisible();
  await menu.getByRole('menuitem', { name: 'Close other tabs' }).click();
  const ask = page.getByRole('alertdialog', { name: 'End the live session?' });
  await expect(ask).toContainText('“web-2”');
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('tab', { name: /web-2/ })).toHaveCount(1);
  await page.getByRole('tab', { name: /deploy watch/ }).click({ button: 'right' });
  await page.getByRole('menu').getByRole('menuitem', { name: 'Close other tabs' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'End session and close' }).click();
  await expect(page.getByRole('tab', { name: /web-2/ })).toHaveCount(0);
  await expect(page.getByRole('tab', { name: 'Nodes' })).toBeVisible(); // the node list is never closed
});

test('a multi-line paste asks in the app’s own dialog', async ({ page }) => {
  await open(page);
  await page.getByRole('grid', { name: 'Managed nodes' }).getByRole('row', { name: /api-1/ }).dblclick();
  await expect(screen(page)).toContainText('api-1', { timeout: 20_000 });
  let native = false;
  page.on('dialog', (d) => {
    native = true;
    void d.dismiss();
  });
  await page.locator('.tab-content:not([hidden]) .xterm-helper-textarea').evaluate((el) => {
    const data = new DataTransfer();
    data.setData('text/plain', 'echo one-$((1+1))\necho two-$((1+2))\n');
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  const ask = page.getByRole('alertdialog', { name: 'Confirm multi-line paste' });
  await expect(ask).toContainText('Several lines can run several commands');
  await expect(ask).toContainText('echo two-$((1+2))');
  await ask.getByRole('button', { name: 'Paste and run' }).click();
  await expect(screen(page)).toContainText('echo two-$((1+2))');
  await page.keyboard.press('Enter'); // bash's bracketed paste waits for Enter
  await expect(screen(page)).toContainText('two-3');
  expect(native).toBe(false);
});

test('favourites go to the top; plain text finds tag values; tag:env=prod works; an empty result says why', async ({ page }) => {
  await open(page);
  const grid = page.getByRole('grid', { name: 'Managed nodes' });
  const rows = grid.locator('.node-scroller [role="row"]');
  await expect(rows.first()).toContainText('api-1'); // by name
  await grid.getByRole('button', { name: 'Add worker-1 to favourites' }).click();
  await expect(rows.first()).toContainText('worker-1');
  await page.reload();
  await expect(rows.first()).toContainText('worker-1', { timeout: 30_000 });
  await expect(grid.getByRole('button', { name: 'Remove worker-1 from favourites' })).toHaveAttribute('aria-pressed', 'true');

  const filter = page.getByRole('searchbox', { name: 'Filter nodes' });
  // A tag value, typed as plain text: the staging nodes (Environment=staging).
  await filter.fill('staging');
  await expect(rows).toHaveCount(2);
  await expect(grid.getByRole('row', { name: /worker-1/ })).toBeVisible();
  await expect(grid.getByRole('row', { name: /batch-1/ })).toBeVisible();
  // The README's example: env is Environment here.
  await filter.fill('tag:env=prod');
  await expect(grid.getByRole('row', { name: /web-1/ })).toBeVisible();
  await expect(page.locator('.node-count')).toHaveText('7 of 10');

  // Typing tag: suggests the keys, then the values of the key.
  await filter.fill('tag:');
  const keys = page.getByRole('listbox', { name: 'Tag keys' });
  await expect(keys.getByRole('option', { name: 'Environment' })).toBeVisible();
  await keys.getByRole('option', { name: 'Role' }).click();
  await expect(filter).toHaveValue('tag:Role=');
  const values = page.getByRole('listbox', { name: 'Values of Role' });
  await expect(values.getByRole('option', { name: /^web \(2\)$/ })).toBeVisible();
  await page.keyboard.press('Enter'); // the most common value first
  await expect(filter).toHaveValue('tag:Role=web ');
  await expect(page.locator('.node-count')).toHaveText('2 of 10');

  await filter.fill('tag:Cost=high');
  const why = page.getByRole('status').filter({ hasText: 'No node matches' });
  await expect(why).toContainText('No node here has a tag "cost".');
  await why.getByRole('button', { name: 'Team' }).click();
  await expect(filter).toHaveValue('tag:Cost=high tag:Team=');
});

test('a node that cannot take a session says why; an unreachable endpoint is said once, in words, on the profile', async ({ page }) => {
  await open(page);
  const grid = page.getByRole('grid', { name: 'Managed nodes' });
  const lost = grid.getByRole('row', { name: /batch-1/ });
  await expect(lost).toHaveAttribute('title', /batch-1's SSM agent has lost its connection/);
  await lost.click();
  await expect(page.getByRole('button', { name: 'Start session' }).first()).toBeDisabled();

  const offline = page.getByRole('listbox', { name: 'Profiles' }).getByRole('option', { name: /offline/ });
  await offline.click();
  const error = page.getByRole('alert').filter({ hasText: 'could not reach' });
  await expect(error).toContainText('ssm.hatch-test.invalid', { timeout: 30_000 });
  await expect(error).toContainText('its name does not resolve');
  await expect(error).toContainText('Check the network (VPN)');
  await expect(error.getByRole('button', { name: 'Try again' })).toBeVisible();
  await expect(error).not.toContainText('getaddrinfo');
  await expect(page.getByText('This profile and region have no managed nodes.')).toHaveCount(0);
  await expect(page.getByRole('alert').filter({ hasText: 'could not reach' })).toHaveCount(1);
  // The profile's dot turns to the error state, with the message on hover.
  await expect(offline.getByLabel('error')).toBeVisible();
  await expect(offline).toHaveAttribute('title', /could not reach ssm\.hatch-test\.invalid/);
});
