// Binding a tunnel to 0.0.0.0 opens it to other machines: the dialog warns, asks for a
// confirmation (Cancel opens nothing), and the running tunnel carries a warning.
import { expect, test } from '@playwright/test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHatchWeb, type RunningHost } from './host';

let host: RunningHost;
let service: http.Server;
let servicePort: number;

test.beforeAll(async () => {
  host = await startHatchWeb();
  service = http.createServer((_req, res) => res.end('hello'));
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  servicePort = (service.address() as AddressInfo).port;
});

test.afterAll(() => {
  host.stop();
  service.close();
});

test('a tunnel on 0.0.0.0 needs a confirmation and shows a warning while it runs', async ({ page }) => {
  await page.goto(host.url);
  await page.getByRole('listbox', { name: 'Profiles' }).getByRole('option', { name: /Sandbox/ }).click();
  const grid = page.getByRole('grid', { name: 'Managed nodes' });
  await grid.getByRole('row', { name: /web-1/ }).click({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Forward port' }).click();
  const dialog = page.getByRole('dialog', { name: 'Forward a port through web-1' });
  await dialog.getByLabel('Remote port').fill(String(servicePort));
  await dialog.getByLabel('Name (optional)').fill('shared service');
  await expect(dialog.getByRole('status')).toHaveCount(0);
  await dialog.getByLabel('Local bind address').selectOption('0.0.0.0');
  await expect(dialog.getByRole('status')).toContainText('Other machines will be able to connect');

  // Cancel: nothing opens, the dialog stays for another choice.
  await dialog.getByRole('button', { name: 'Start forwarding' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Open this port to other machines?' });
  await expect(confirm).toContainText(`forwards them to port ${servicePort} of web-1`);
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(dialog).toBeVisible();
  expect(await page.evaluate(() => document.querySelectorAll('[aria-label="Tunnels"] tbody tr').length)).toBe(0);

  // Confirmed: it opens, and says so while it runs.
  await dialog.getByRole('button', { name: 'Start forwarding' }).click();
  await confirm.getByRole('button', { name: 'Open to other machines' }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByRole('table', { name: 'Tunnels' }).getByRole('row', { name: /shared service/ });
  await expect(row).toContainText('open', { timeout: 20_000 });
  await expect(row).toContainText('0.0.0.0:');
  await expect(row.getByRole('status')).toHaveText('⚠ Reachable from other machines');
  await page.screenshot({ path: 'test-results/tunnel-exposed.png' });
  await row.getByRole('button', { name: 'Stop' }).click();
  await expect(row.getByRole('status')).toHaveCount(0);
});
