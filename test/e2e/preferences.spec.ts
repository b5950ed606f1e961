// Session Manager preferences in Chromium through the browser host: create them with
// AWS's defaults, see a rule broken, review the diff, save; a second window changes them
// meanwhile (conflict → overwrite); compare two regions.
import { expect, test, type Page } from '@playwright/test';
import { startHatchWeb, type RunningHost } from './host';

let host: RunningHost;

test.beforeAll(async () => {
  host = await startHatchWeb();
});
test.afterAll(() => host.stop());

async function openPreferences(page: Page) {
  await page.goto(host.url);
  await expect(page.getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Preferences', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Session Manager preferences' })).toBeVisible();
}

const idle = (page: Page) => page.getByLabel('Idle session timeout (minutes)');

test('create, validate, review and save preferences; resolve a conflict; compare regions', async ({ page, context }) => {
  await openPreferences(page);
  await expect(page.getByText(/has no Session Manager preferences document/)).toBeVisible({ timeout: 20_000 });
  await page.getByRole('button', { name: 'Create with AWS’s defaults' }).click();
  await expect(idle(page)).toHaveValue('20');

  // A broken rule is named next to the field, and saving is off.
  await idle(page).fill('0');
  await expect(page.getByText('Idle session timeout must be a whole number of minutes from 1 to 60.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Review and create…' })).toBeDisabled();
  await idle(page).fill('61');
  await expect(page.getByText('Idle session timeout must be a whole number of minutes from 1 to 60.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Review and create…' })).toBeDisabled();
  await page.getByLabel('Encrypt session data with a KMS key').check();
  await expect(page.getByText('Choose a KMS key when KMS encryption is on.')).toBeVisible();
  await page.getByLabel('KMS key', { exact: true }).selectOption('alias/hatch-sessions');
  await idle(page).fill('15');
  await page.getByLabel('S3 bucket', { exact: true }).fill('Bad_Bucket');
  await expect(page.getByText(/S3 bucket name must be 3–63 lowercase letters/)).toBeVisible();
  await page.getByLabel('S3 bucket', { exact: true }).fill('');

  // The diff of the document before it is created.
  await page.getByRole('button', { name: 'Review and create…' }).click();
  const review = page.getByRole('dialog', { name: 'Create preferences of us-east-1' });
  await expect(review.getByRole('figure', { name: 'Changes to the preferences document' })).toContainText('"idleSessionTimeout": "15"');
  await expect(review).toContainText('"kmsKeyId": "alias/hatch-sessions"');
  await page.screenshot({ path: 'test-results/preferences-review.png' });
  await review.getByRole('button', { name: 'Create document' }).click();
  await expect(page.getByText('Saved as version 1 (document created).')).toBeVisible();

  // An edit: the diff shows the old line removed and the new one added.
  await idle(page).fill('25');
  await page.getByRole('button', { name: 'Review and save…' }).click();
  const save = page.getByRole('dialog', { name: 'Save preferences of us-east-1' });
  await expect(save.locator('.diff-del')).toContainText('"idleSessionTimeout": "15"');
  await expect(save.locator('.diff-add')).toContainText('"idleSessionTimeout": "25"');
  await save.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved as version 2.')).toBeVisible();

  // Someone else (a second window) saves meanwhile.
  const other = await context.newPage();
  await openPreferences(other);
  await expect(idle(other)).toHaveValue('25');
  await idle(other).fill('33');
  await other.getByRole('button', { name: 'Review and save…' }).click();
  await other.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await expect(other.getByText('Saved as version 3.')).toBeVisible();
  await other.close();

  await idle(page).fill('40');
  await page.getByRole('button', { name: 'Review and save…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  const conflict = page.getByRole('alert').filter({ hasText: 'changed in AWS since you loaded them' });
  await expect(conflict).toContainText('AWS now has version 3');
  await page.screenshot({ path: 'test-results/preferences-conflict.png' });
  await conflict.getByRole('button', { name: 'Overwrite…' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Overwrite the preferences of us-east-1' });
  await expect(confirm).toContainText('their change is lost');
  await expect(confirm.locator('.diff-del')).toContainText('"idleSessionTimeout": "33"');
  await confirm.getByRole('button', { name: 'Overwrite' }).click();
  await expect(page.getByText('Saved as version 4.')).toBeVisible();
  await expect(conflict).toBeHidden();

  // Compare with eu-west-1, which has no document (AWS's defaults).
  await page.getByRole('radio', { name: 'Compare' }).click();
  await page.getByLabel('Sandbox · eu-west-1').check();
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  const table = page.getByRole('table', { name: 'Preferences compared' });
  await expect(table.getByRole('row', { name: 'Idle session timeout (minutes) (differs)' })).toContainText('40');
  await expect(table.getByRole('row', { name: 'KMS encryption (differs)' })).toBeVisible();
  await expect(table.getByRole('row', { name: 'S3 bucket', exact: true })).toBeVisible();
  // Exactly the fields that differ are marked, and counted.
  const marked = await table.getByRole('row', { name: /\(differs\)$/ }).evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label')));
  expect(marked).toEqual(['Idle session timeout (minutes) (differs)', 'KMS encryption (differs)', 'KMS key (differs)']);
  await expect(page.getByText('3 settings differ.')).toBeVisible();
  await page.screenshot({ path: 'test-results/preferences-compare.png' });
});

test('create a session document, start it with parameters, and check preflight first', async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem('hatch.terminalRenderer', 'dom'));
  await page.goto(host.url);
  await expect(page.getByRole('row', { name: /web-1/ })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Documents', exact: true }).click();
  const list = page.getByRole('table', { name: 'Session documents' });
  await expect(list.getByRole('row', { name: /AWS-StartPortForwardingSession\b/ })).toBeVisible({ timeout: 20_000 });

  await page.getByRole('button', { name: 'New document…' }).click();
  const form = page.getByRole('form', { name: 'New session document' });
  await form.getByLabel('Name').fill('aws-reserved');
  await expect(form.getByText(/reserved for AWS/)).toBeVisible();
  await form.getByLabel('Name').fill('Hatch-Count');
  await form.getByLabel('Session type').selectOption('NonInteractiveCommands');
  const editor = form.getByLabel('Content (JSON)');
  await editor.fill('{ "schemaVersion": "1.0", "sessionType": "NonInteractiveCommands", "properties": { "linux": { "commands": "echo {{ word }}" } } }');
  await expect(form.getByText('properties uses {{ word }}, which is not declared under parameters.')).toBeVisible();
  await expect(form.getByRole('button', { name: 'Create document' })).toBeDisabled();
  await editor.fill(
    JSON.stringify({
      schemaVersion: '1.0',
      description: 'Say a word',
      sessionType: 'NonInteractiveCommands',
      parameters: { word: { type: 'String', allowedPattern: '^[a-z]+$', default: 'hello' }, times: { type: 'String', allowedValues: ['1', '2'], default: '1' } },
      properties: { linux: { commands: 'for i in $(seq 1 {{ times }}); do echo said-{{ word }}; done' } },
    }),
  );
  await expect(form.getByText('Valid Session document.')).toBeVisible();
  await form.getByRole('button', { name: 'Create document' }).click();

  const detail = page.getByRole('region', { name: 'Document Hatch-Count' });
  await expect(detail).toContainText('NonInteractiveCommands · own document · default version 1');
  await expect(detail.getByRole('table', { name: 'Parameters' })).toContainText('^[a-z]+$');

  await detail.getByRole('button', { name: 'Start session…' }).click();
  const start = page.getByRole('dialog', { name: 'Start Hatch-Count' });
  const webId = await start.getByLabel('Node').locator('option', { hasText: /^web-1 \(/ }).getAttribute('value');
  await start.getByLabel('Node').selectOption(webId!);
  await start.getByLabel(/^word/).fill('Bad');
  await expect(start.getByText('word must match ^[a-z]+$.')).toBeVisible();
  await expect(start.getByRole('button', { name: 'Start session' })).toBeDisabled();
  await start.getByLabel(/^word/).fill('banana');
  await start.getByLabel(/^times/).selectOption('2');

  await start.getByRole('button', { name: 'Preflight…' }).click();
  const preflight = page.getByRole('dialog', { name: 'Preflight for web-1' });
  await expect(preflight.getByRole('listitem', { name: 'Node ping status: OK' })).toBeVisible();
  await expect(preflight.getByRole('listitem', { name: 'Session document: OK' })).toContainText('Hatch-Count');
  await page.screenshot({ path: 'test-results/preflight.png' });
  await preflight.getByRole('button', { name: 'Close' }).click();

  await start.getByRole('button', { name: 'Start session' }).click();
  await expect(page.getByRole('tab', { name: /web-1 · Hatch-Count/ })).toBeVisible();
  const terminal = page.locator('.tab-content:not([hidden]) .xterm-rows');
  await expect(terminal).toContainText('said-banana', { timeout: 20_000 });
  await expect(terminal.getByText('said-banana')).toHaveCount(2);
});
