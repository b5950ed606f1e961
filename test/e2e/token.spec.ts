// The launch token stays with Hatch: after loading the app (and reloading it), visiting
// another web server on this machine — another port of 127.0.0.1 or localhost, the way a
// user opens a local dev server — never shows that server the token, in any header or URL.
import { expect, test } from '@playwright/test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHatchWeb, type RunningHost } from './host';

let host: RunningHost;
let spy: http.Server;
let spyPort: number;
/** Every request the other server received: its line and all its headers. */
const seen: string[] = [];

test.beforeAll(async () => {
  host = await startHatchWeb();
  spy = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}\n${req.rawHeaders.join('\n')}`);
    if (req.url?.startsWith('/page')) {
      res.setHeader('content-type', 'text/html');
      // A page that makes the browser send what it would send this origin: a subresource, a credentialed fetch.
      res.end(`<!doctype html><title>other local app</title><img src="/pixel.png"><script>fetch('/api', { credentials: 'include' }).then(() => { document.title = 'done'; });</script>`);
    } else res.end('ok');
  });
  await new Promise<void>((resolve) => spy.listen(0, '127.0.0.1', resolve));
  spyPort = (spy.address() as AddressInfo).port;
});

test.afterAll(() => {
  host.stop();
  spy.close();
});

test('a server on another local port never sees the launch token', async ({ page, context }) => {
  const token = new URL(host.url).searchParams.get('token')!;
  await page.goto(host.url);
  // The app is connected (the WebSocket accepted the token), and the token left the address bar.
  await expect(page.getByTestId('app-version')).toHaveText(/browser host/);
  expect(page.url()).not.toContain(token);
  expect(JSON.stringify(await context.cookies())).not.toContain(token);
  // A reload keeps working without the token in the address (this tab's sessionStorage).
  await page.reload();
  await expect(page.getByTestId('app-version')).toHaveText(/browser host/);

  // The user goes on to another local web app, in the same tab (from Hatch's page) and in a new one.
  await page.evaluate((url) => location.assign(url), `http://127.0.0.1:${spyPort}/page-from-hatch`);
  await expect(page).toHaveTitle('done');
  const other = await context.newPage();
  await other.goto(`http://localhost:${spyPort}/page-localhost`);
  await expect(other).toHaveTitle('done');
  await other.goto(`http://127.0.0.1:${spyPort}/page-direct`);
  await expect(other).toHaveTitle('done');

  expect(seen.filter((r) => r.startsWith('GET /page')).length).toBe(3);
  expect(seen.filter((r) => r.startsWith('GET /api')).length).toBe(3);
  for (const request of seen) expect(request).not.toContain(token);
  expect(seen.join('\n')).not.toMatch(/hatch_token/i);
});

test('a tab opened without the token says what to do; a wrong token is refused', async ({ page, request }) => {
  const bare = host.url.replace(/\?token=.*/, '');
  expect((await request.get(host.url.replace(/token=.*/, 'token=wrong'))).status()).toBe(403);
  await page.goto(bare);
  await expect(page.getByRole('alert').filter({ hasText: 'without its launch token' })).toBeVisible();
});
