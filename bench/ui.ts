// bench/ui.ts — the real renderer in Chromium through the browser host (`hatch-web`),
// against a sandbox of our own:
//  1. 10,000 nodes in one region (a 12,500-node fleet: 80 % of it in us-east-1), reached
//     through a user profile with endpoint_url: time from choosing the profile to the
//     first rows on screen, against the bare SDK listing of the same nodes from Node (the
//     floor any UI pays); filter time per keystroke, from the key event to the frame that
//     shows the new count; the renderer's JS heap with 10 nodes and with 10,000.
//  2. a terminal: 50 MB of shell output (`yes … | head -c`) from Enter until its end is on
//     screen, against writing the same bytes straight into an xterm.js of the same size in
//     the same page (the floor: parsing and rendering alone).
// The sandbox runs without real-agent pacing (≤1 KB messages 1 ms apart would cap the
// terminal at ~1 MB/s): this measures Hatch, not the simulated agent.
// Run: npm run bench -- ui [--mb 50] [--nodes 12500] [--skip-terminal] [--skip-nodes] [--dist DIR] [--cpuprofile FILE]
//   [--terminal-cpuprofile DIR] [--observed]
//   --dist DIR runs DIR/host-web/cli.cjs (a build of another commit, for an A/B in one sitting);
//   DIR must lie inside this checkout (e.g. node_modules/.ab/base: cp -r dist there), as
//   the bundle loads its dependencies from node_modules.
//   --cpuprofile FILE writes a V8 CPU profile of the timed filter keystrokes (open it in
//   Chromium's DevTools; the renderer bundle has source maps).
//   --terminal-cpuprofile DIR writes CPU profiles of the terminal run: the renderer's
//   (renderer.cpuprofile) and the browser host's (hatch-web's node --cpu-prof, on exit).
//   --skip-nodes measures only the terminal (the node table is still listed, unmeasured).
//   The terminal is measured in a page Playwright does not observe (see unobservedPage);
//   --observed measures it again in Playwright's own page, as the bench did before.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpuSeconds, machineBusySeconds } from './_proc-cpu';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { paginateDescribeInstanceInformation, SSMClient } from '@aws-sdk/client-ssm';
import { startSandbox, type Sandbox } from '../src/sandbox/index';
import config from '../playwright.config';
import { tail, within } from './_deadline';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}
const FLEET = arg('--nodes', 12_500);
const MB = arg('--mb', 50);
const PROFILE = 'bench';
function textArg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const SKIP_TERMINAL = process.argv.includes('--skip-terminal');
const DIST = textArg('--dist');
const CPU_PROFILE = textArg('--cpuprofile');
const TERMINAL_PROFILE = textArg('--terminal-cpuprofile');
const SKIP_NODES = process.argv.includes('--skip-nodes');
const OBSERVED = process.argv.includes('--observed');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs: number[]) => Math.max(...xs);
const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const out = (line: string) => process.stdout.write(`${line}\n`);
/** Deadlines of the waits below (the machine may be shared: generous, but finite). */
const PAGE_WAIT_MS = 120_000;
const KEY_WAIT_MS = 30_000;

/** A Playwright wait whose failure also says what the page showed. */
async function pageWait<T>(page: Page, what: string, wait: Promise<T>, seen: () => Promise<string>): Promise<T> {
  try {
    return await wait;
  } catch (error) {
    const saw = await seen().catch(() => 'the page could not be read');
    throw new Error(`gave up waiting for ${what}; saw: ${saw}`, { cause: error });
  }
}

async function startHost(sandbox: Sandbox): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'hatch-bench-home-'));
  writeFileSync(path.join(home, 'aws-config'), `[profile ${PROFILE}]\nregion = us-east-1\nendpoint_url = ${sandbox.endpoint}\n`);
  writeFileSync(
    path.join(home, 'aws-credentials'),
    `[${PROFILE}]\naws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}\n`,
    { mode: 0o600 },
  );
  const entry = DIST ? path.resolve(DIST, 'host-web/cli.cjs') : path.resolve(__dirname, '../bin/hatch-web.cjs');
  const profile = TERMINAL_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(TERMINAL_PROFILE)}`] : [];
  const child = spawn(process.execPath, [...profile, entry, '--no-open', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, HOME: home, AWS_CONFIG_FILE: path.join(home, 'aws-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'aws-credentials') },
  });
  let text = '';
  const url = await within('hatch-web to print its URL', 60_000, new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(text);
      if (match) resolve(match[0]);
    });
    child.once('exit', (code) => reject(new Error(`hatch-web exited with ${code}; run \`node scripts/build.mjs\` first`)));
  }), () => `stdout ${tail(text)}`).catch((error: unknown) => {
    child.kill('SIGTERM');
    throw error;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    // It writes its CPU profile (--terminal-cpuprofile) as it exits.
    await within('hatch-web to exit after SIGTERM', 30_000, exited).catch(() => child.kill('SIGKILL'));
  };
  return { url, pid: child.pid!, stop };
}

/** The bare SDK listing of the region, paged as the app pages it. */
async function sdkListing(sandbox: Sandbox): Promise<{ ms: number; count: number }> {
  const ssm = new SSMClient({ region: 'us-east-1', endpoint: sandbox.endpoint, credentials: sandbox.credentials });
  const t0 = performance.now();
  let count = 0;
  for await (const page of paginateDescribeInstanceInformation({ client: ssm, pageSize: 50 }, { MaxResults: 50 })) count += page.InstanceInformationList?.length ?? 0;
  const ms = performance.now() - t0;
  ssm.destroy();
  return { ms, count };
}

async function heapUsed(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

/** In the page: the node table's count ("N of M"; the whole footer in builds before it had its own element). */
const footerText = () => (document.querySelector('.nodes-footer .node-count') ?? document.querySelector('.nodes-footer'))?.textContent ?? '';

async function nodesBench(page: Page, sandbox: Sandbox): Promise<void> {
  const expected = sandbox.fleet.nodes.filter((n) => n.region === 'us-east-1').length;
  const sdk = await sdkListing(sandbox);

  // The built-in Sandbox profile (10 nodes) is listed first; its heap is the small case.
  await pageWait(page, 'the Sandbox profile\'s row "web-1"', page.getByRole('row', { name: /web-1/ }).waitFor({ timeout: PAGE_WAIT_MS }), () => page.evaluate(() => JSON.stringify(document.body.innerText.slice(0, 300))));
  const smallHeap = await heapUsed(page);

  const total = expected.toLocaleString('en-US');
  const firstRowsMs = await page.evaluate(
    ({ profile, total, limit }) =>
      new Promise<number>((resolve, reject) => {
        const option = [...document.querySelectorAll<HTMLElement>('[role="option"]')].find((o) => o.textContent?.includes(profile));
        if (!option) return reject(new Error(`no profile option "${profile}"; options: ${[...document.querySelectorAll('[role="option"]')].map((o) => o.textContent).join(', ')}`));
        const t0 = performance.now();
        option.click();
        const check = () => {
          const footer = document.querySelector('.nodes-footer')?.textContent ?? '';
          if (document.querySelector('.node-scroller [role="row"]') && footer.includes(`of ${total}`)) resolve(performance.now() - t0);
          else if (performance.now() - t0 > limit) reject(new Error(`gave up waiting for rows and a footer "… of ${total}"; saw footer ${JSON.stringify(footer)}`));
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      }),
    { profile: PROFILE, total, limit: PAGE_WAIT_MS },
  );
  // The rows stream in before names and tags arrive; filtering is measured on the complete
  // listing (the footer shows "updated …" once it is), or prefixes would settle on counts of
  // a half-joined list and the timed keystrokes wait for a footer that never comes back.
  await pageWait(
    page,
    'the listing to complete (a footer with "updated")',
    page.waitForFunction(() => (document.querySelector('.nodes-footer')?.textContent ?? '').includes('updated'), undefined, { timeout: PAGE_WAIT_MS }),
    () => page.evaluate(footerText),
  );
  const bigHeap = await heapUsed(page);

  // Per keystroke: the settled count for each prefix first, then timed typing.
  const filter = page.getByRole('searchbox', { name: 'Filter nodes' });
  const queries = ['web-00', 'tag:Environment=prod', '10.1', 'status:online platform:linux db'];
  const keystrokes: Array<{ ms: number; changed: boolean }> = [];
  const profiles: unknown[] = [];
  // Where the keystrokes' time goes (Chromium's own counters, summed over the timed keys only).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const spent = { LayoutDuration: 0, RecalcStyleDuration: 0, ScriptDuration: 0, LayoutCount: 0 };
  if (CPU_PROFILE) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  }
  for (const query of queries) {
    const settled: string[] = [];
    for (let i = 1; i <= query.length; i++) {
      await filter.fill(query.slice(0, i));
      await page.waitForTimeout(150);
      settled.push(await page.evaluate(footerText));
    }
    await filter.fill('');
    await pageWait(
      page,
      `the footer "${total} of ${total}" after clearing the filter`,
      page.waitForFunction((t) => (document.querySelector('.nodes-footer')?.textContent ?? '').includes(`${t} of ${t}`), total, { timeout: PAGE_WAIT_MS }),
      () => page.evaluate(footerText),
    );
    await filter.focus();
    let previous = await page.evaluate(footerText);
    const before = await metrics();
    if (CPU_PROFILE) await cdp.send('Profiler.start');
    for (let i = 0; i < query.length; i++) {
      const target = settled[i];
      const waiting = page.evaluate(
        ({ target, limit }) =>
          new Promise<number>((resolve, reject) => {
            window.addEventListener(
              'keydown',
              (event) => {
                const t0 = performance.now();
                const check = () => {
                  const footer = (document.querySelector('.nodes-footer .node-count') ?? document.querySelector('.nodes-footer'))?.textContent ?? '';
                  if (footer === target) requestAnimationFrame(() => resolve(performance.now() - t0));
                  else if (performance.now() - t0 > limit) reject(new Error(`gave up ${limit} ms after the key "${event.key}" waiting for the footer ${JSON.stringify(target)}; saw ${JSON.stringify(footer)}`));
                  else requestAnimationFrame(check);
                };
                requestAnimationFrame(check);
              },
              { once: true, capture: true },
            );
          }),
        { target, limit: KEY_WAIT_MS },
      );
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(r))); // listener installed
      await page.keyboard.press(query[i]);
      keystrokes.push({ ms: await waiting, changed: target !== previous });
      previous = target;
    }
    const after = await metrics();
    if (CPU_PROFILE) profiles.push((await cdp.send('Profiler.stop')).profile);
    for (const key of Object.keys(spent) as Array<keyof typeof spent>) spent[key] += after[key] - before[key];
    await filter.fill('');
  }
  await cdp.detach();
  if (CPU_PROFILE) {
    // One profile per query; the last one's name is FILE, the others FILE.1, FILE.2 …
    profiles.forEach((profile, i) => writeFileSync(i === profiles.length - 1 ? CPU_PROFILE : `${CPU_PROFILE}.${i + 1}`, JSON.stringify(profile)));
    out(`  CPU profiles of the timed keystrokes: ${CPU_PROFILE} (+ .1 … .${profiles.length - 1})`);
  }
  const ms = keystrokes.map((k) => k.ms);
  const changed = keystrokes.filter((k) => k.changed).map((k) => k.ms);

  out(`nodes: ${expected.toLocaleString('en-US')} in us-east-1 (fleet of ${FLEET.toLocaleString('en-US')}), profile "${PROFILE}" with endpoint_url`);
  out(`  profile chosen → first rows on screen   ${fmt(firstRowsMs)}`);
  out(`  baseline: bare SDK listing (${sdk.count} nodes, 50/page) ${fmt(sdk.ms)}   ratio ${(firstRowsMs / sdk.ms).toFixed(2)}×`);
  out(`  filter, key → frame with new count     median ${fmt(median(ms))}, max ${fmt(max(ms))} over ${ms.length} keystrokes (${changed.length} changed the list: median ${fmt(median(changed))})`);
  const per = (seconds: number) => fmt((seconds * 1000) / keystrokes.length);
  out(`  per keystroke (mean, Chromium counters): layout ${per(spent.LayoutDuration)} in ${(spent.LayoutCount / keystrokes.length).toFixed(1)} passes, style ${per(spent.RecalcStyleDuration)}, script ${per(spent.ScriptDuration)}`);
  out(`  baseline: one frame at 60 Hz           16.7 ms   ratio ${(median(ms) / 16.7).toFixed(2)}× (median), ${(max(ms) / 16.7).toFixed(2)}× (max)`);
  out(`  renderer JS heap after GC              ${mib(bigHeap)} with 10,000 nodes vs ${mib(smallHeap)} with the Sandbox's 10: ${(bigHeap / smallHeap).toFixed(2)}×, ${((bigHeap - smallHeap) / expected / 1024).toFixed(2)} KiB per node`);
}

/** Choose the bench profile and wait for its listing to complete. */
async function chooseProfile(driver: Driver, sandbox: Sandbox): Promise<void> {
  const total = sandbox.fleet.nodes.filter((n) => n.region === 'us-east-1').length.toLocaleString('en-US');
  await waitIn(driver, `the profile option "${PROFILE}"`, (profile) => ([...document.querySelectorAll<HTMLElement>('[role="option"]')].some((o) => o.textContent?.includes(profile)) ? 'yes' : ''), PROFILE, () => document.body.innerText.slice(0, 300));
  await driver.evaluate((profile) => [...document.querySelectorAll<HTMLElement>('[role="option"]')].find((o) => o.textContent?.includes(profile))!.click(), PROFILE);
  await waitIn(
    driver,
    `the listing of ${total} nodes to complete (a footer "… of ${total}" with "updated")`,
    (t) => {
      const f = document.querySelector('.nodes-footer')?.textContent ?? '';
      return f.includes(`of ${t}`) && f.includes('updated') ? 'yes' : '';
    },
    total,
    () => document.querySelector('.nodes-footer')?.textContent ?? '',
  );
}

/**
 * What the terminal bench needs of a page. Two kinds: a Playwright page, and an
 * "unobserved" page Playwright never attaches to. Playwright enables CDP's Network domain on
 * its pages, so Chromium copies every WebSocket frame, base64-encoded, to the bench process
 * (page.on('websocket')): with 50 MB through Hatch's WebSocket that costs the renderer, the
 * browser process and this process seconds of CPU the baseline (no WebSocket) never pays and
 * no user's browser (nor the Electron app, which has no WebSocket) pays either.
 */
interface Driver {
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Text typed into the focused element (trusted input events). */
  insertText(text: string): Promise<void>;
  /** A trusted Enter key press on the focused element. */
  pressEnter(): Promise<void>;
  /** One CDP command on the page (Performance, Profiler). */
  send(method: string, params?: object): Promise<Record<string, unknown>>;
}

function playwrightDriver(page: Page): Driver {
  let cdp: Promise<import('playwright-core').CDPSession> | null = null;
  return {
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    insertText: (text) => page.keyboard.insertText(text),
    pressEnter: () => page.keyboard.press('Enter'),
    async send(method, params) {
      cdp ??= page.context().newCDPSession(page);
      return (await (await cdp).send(method as never, params as never)) as Record<string, unknown>;
    },
  };
}

/** A page in a browser context Playwright did not create (it detaches from such pages), driven over raw CDP. */
async function unobservedPage(browser: import('playwright-core').Browser, url: string): Promise<Driver> {
  const cdp = await browser.newBrowserCDPSession();
  const { browserContextId } = await cdp.send('Target.createBrowserContext', {});
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank', browserContextId });
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: false });
  let nextId = 1;
  const waiting = new Map<number, { resolve(v: Record<string, unknown>): void; reject(e: Error): void }>();
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    if (event.sessionId !== sessionId) return;
    const message = JSON.parse(event.message) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
    const w = message.id === undefined ? undefined : waiting.get(message.id);
    if (!w) return;
    waiting.delete(message.id!);
    if (message.error) w.reject(new Error(message.error.message));
    else w.resolve(message.result ?? {});
  });
  const send = (method: string, params: object = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
  const key = (type: string) => send('Input.dispatchKeyEvent', { type, key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, nativeVirtualKeyCode: 13, ...(type === 'keyDown' ? { text: '\r' } : {}) });
  const driver: Driver = {
    async evaluate(fn, arg) {
      const result = (await send('Runtime.evaluate', { expression: `(${fn.toString()})(${JSON.stringify(arg)})`, awaitPromise: true, returnByValue: true })) as {
        result: { value: never };
        exceptionDetails?: { exception?: { description?: string }; text: string };
      };
      if (result.exceptionDetails) throw new Error(result.exceptionDetails.exception?.description ?? result.exceptionDetails.text);
      return result.result.value;
    },
    insertText: async (text) => void (await send('Input.insertText', { text })),
    async pressEnter() {
      await key('keyDown');
      await key('keyUp');
    },
    send,
  };
  await send('Page.enable');
  // As Playwright sets up its pages: viewport, focus (a page that is not focused blinks no cursor), CSP bypass.
  await send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 800, deviceScaleFactor: 1, mobile: false });
  await send('Emulation.setFocusEmulationEnabled', { enabled: true });
  await send('Page.setBypassCSP', { enabled: true });
  await send('Page.addScriptToEvaluateOnNewDocument', { source: "globalThis.__name = (f) => f; try { localStorage.setItem('hatch.terminalRenderer', 'dom'); } catch {}" });
  await send('Page.navigate', { url });
  return driver;
}

/** Polls `check(arg)` in the page every frame until it returns a non-empty string (returned), or fails saying what it saw. */
async function waitIn<A>(driver: Driver, what: string, check: (arg: A) => string, arg: A, seen: () => string, limit = PAGE_WAIT_MS): Promise<string> {
  return driver.evaluate(
    ({ check, arg, what, seen, limit }) =>
      new Promise<string>((resolve, reject) => {
        const t0 = performance.now();
        const test = new Function('arg', `return (${check})(arg)`) as (a: unknown) => string;
        const saw = new Function(`return (${seen})()`) as () => string;
        const step = () => {
          let value = '';
          try {
            value = test(arg);
          } catch {
            // not there yet
          }
          if (value) resolve(value);
          else if (performance.now() - t0 > limit) reject(new Error(`gave up waiting for ${what}; saw ${saw()}`));
          else requestAnimationFrame(step);
        };
        step();
      }),
    { check: check.toString(), arg: arg as unknown, what, seen: seen.toString(), limit },
  );
}

/** Where a run's CPU went: the renderer (Chromium's counters), the host, this process (the sandbox), its children (Chromium, the shell), the machine. */
async function cpuDuring<T>(driver: Driver, hostPid: number, run: () => Promise<T>): Promise<{ result: T; line: string }> {
  await driver.send('Performance.enable');
  const metrics = async () => Object.fromEntries(((await driver.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> }).metrics.map((m) => [m.name, m.value]));
  const m0 = await metrics();
  const host0 = cpuSeconds(hostPid);
  const self0 = cpuSeconds(process.pid);
  const tree0 = cpuSeconds(process.pid, true);
  const all0 = machineBusySeconds();
  const t0 = performance.now();
  const result = await run();
  const wall = (performance.now() - t0) / 1000;
  const m1 = await metrics();
  const s = (x: number) => `${x.toFixed(1)} s`;
  let line =
    `renderer main thread ${s(m1.ThreadTime - m0.ThreadTime)} (script ${s(m1.ScriptDuration - m0.ScriptDuration)}, layout+style ${s(m1.LayoutDuration - m0.LayoutDuration + m1.RecalcStyleDuration - m0.RecalcStyleDuration)}, ${m1.LayoutCount - m0.LayoutCount} layouts), ` +
    `renderer process ${s(m1.ProcessTime - m0.ProcessTime)}, host ${s(cpuSeconds(hostPid) - host0)}, sandbox+bench ${s(cpuSeconds(process.pid) - self0)}, Chromium+shell ${s(cpuSeconds(process.pid, true) - tree0 - (cpuSeconds(process.pid) - self0))}, machine busy ${s(machineBusySeconds() - all0)} of ${s(wall)} wall × ${os.cpus().length} cores`;
  if (process.env.HATCH_BENCH_METRICS) line += `\n    ${Object.keys(m1).filter((k) => m1[k] !== m0[k]).map((k) => `${k} ${(m1[k] - m0[k]).toFixed(2)}`).join(', ')}`;
  return { result, line };
}

/** In the page: the Hatch terminal on screen's rows (its text), for `seen` reports. */
const screenText = () => JSON.stringify((document.querySelector('.tab-content:not([hidden]) .xterm-rows')?.textContent ?? '').slice(-300));

async function terminalBench(driver: Driver, hostPid: number, label: string): Promise<void> {
  const bytes = MB * 1024 * 1024;
  const line = 'hatch bench: the quick brown fox jumps over the lazy dog 0123456789';
  // Open a shell on web-0001: filter the table to it, select its row, Enter.
  await driver.evaluate(() => document.querySelector<HTMLInputElement>('input[aria-label="Filter nodes"]')!.select(), null);
  await driver.insertText('status:online platform:linux web-0001');
  await waitIn(driver, 'the row of web-0001 alone in the node table', () => (document.querySelectorAll('[role="grid"][aria-label="Managed nodes"] [role="row"]').length === 2 && document.querySelectorAll('[role="grid"][aria-label="Managed nodes"] [role="row"]')[1].textContent?.includes('web-0001') ? 'yes' : ''), null, () => document.querySelector('.nodes-footer')?.textContent ?? '');
  await driver.evaluate(() => {
    const grid = document.querySelector<HTMLElement>('[role="grid"][aria-label="Managed nodes"]')!;
    grid.querySelectorAll<HTMLElement>('[role="row"]')[1].click();
    grid.focus();
  }, null);
  await driver.pressEnter();
  await waitIn(driver, 'a shell prompt in the terminal', () => ([...document.querySelectorAll('.tab-content:not([hidden]) .xterm-rows > div')].some((row) => /[$#]\s*$/.test(row.textContent ?? '')) ? 'yes' : ''), null, screenText);
  await driver.evaluate(() => document.querySelector<HTMLTextAreaElement>('.tab-content:not([hidden]) .xterm-helper-textarea')!.focus(), null);
  await driver.insertText('clear');
  await driver.pressEnter();
  await new Promise((r) => setTimeout(r, 300));

  // The app: Enter → the marker after the output is on screen.
  const appRun = driver.evaluate(
    (limit) =>
      new Promise<number>((resolve, reject) => {
        const screen = document.querySelector('.tab-content:not([hidden]) .xterm-rows')!;
        const onKey = (e: KeyboardEvent) => {
          if (e.key !== 'Enter') return;
          window.removeEventListener('keydown', onKey, true);
          const t0 = performance.now();
          const check = () => {
            if (screen.textContent?.includes('END-42')) resolve(performance.now() - t0);
            else if (performance.now() - t0 > limit) reject(new Error(`gave up waiting for END-42 on the terminal's screen; saw ${JSON.stringify((screen.textContent ?? '').slice(-300))}`));
            else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        };
        window.addEventListener('keydown', onKey, true);
      }),
    PAGE_WAIT_MS * 5,
  );
  await driver.evaluate(() => new Promise((r) => requestAnimationFrame(r)), null);
  await driver.insertText(`yes '${line}' | head -c ${bytes}; echo END-$((40+2))`);
  const profiling = Boolean(TERMINAL_PROFILE);
  if (profiling) {
    await driver.send('Profiler.enable');
    await driver.send('Profiler.setSamplingInterval', { interval: 200 });
    await driver.send('Profiler.start');
  }
  const { result: app, line: appCpu } = await cpuDuring(driver, hostPid, async () => {
    await driver.pressEnter();
    return appRun;
  });
  if (profiling) {
    mkdirSync(TERMINAL_PROFILE!, { recursive: true });
    writeFileSync(path.join(TERMINAL_PROFILE!, `renderer-${label}.cpuprofile`), JSON.stringify((await driver.send('Profiler.stop')).profile));
  }

  // Baseline: a fresh xterm.js (same options, DOM renderer, same size) in the same page,
  // fed the same bytes (\n → \r\n as the pty does) in 64 KB writes, at most 2 MB ahead.
  // As a script element (what Playwright's addScriptTag does), so V8 compiles it as it would a page's script.
  await driver.evaluate((source) => {
    const script = document.createElement('script');
    script.textContent = source;
    document.head.append(script);
  }, readFileSync(require.resolve('@xterm/xterm/lib/xterm.js'), 'utf8'));
  const state = await driver.evaluate(() => `${document.visibilityState}, ${document.hasFocus() ? 'focused' : 'not focused'}`, null);
  if (profiling) await driver.send('Profiler.start');
  const { result: baseline, line: baselineCpu } = await cpuDuring(driver, hostPid, () => driver.evaluate(
    async ({ line, bytes, limit }) => {
      const host = document.querySelector<HTMLElement>('.tab-content:not([hidden]) .terminal-host')!;
      const rect = host.getBoundingClientRect();
      const box = document.createElement('div');
      Object.assign(box.style, { position: 'fixed', left: `${rect.left}px`, top: `${rect.top}px`, width: `${rect.width}px`, height: `${rect.height}px`, zIndex: '50', background: '#fff' });
      document.body.append(box);
      const { Terminal } = globalThis as unknown as { Terminal: new (options: object) => { open(el: HTMLElement): void; write(data: string, cb?: () => void): void; resize(c: number, r: number): void; dispose(): void } };
      const term = new Terminal({ fontFamily: "ui-monospace, 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', monospace", fontSize: 13, scrollback: 10_000 });
      term.open(box);
      const app = document.querySelector('.tab-content:not([hidden]) .xterm-rows')!;
      term.resize(Math.floor(rect.width / ((app.firstElementChild as HTMLElement | null)?.getBoundingClientRect().width || 1)) || 120, app.children.length);
      const unit = `${line}\r\n`;
      const chunk = unit.repeat(Math.ceil(65536 / unit.length));
      const t0 = performance.now();
      let written = 0;
      let last: Promise<void> = Promise.resolve();
      let sinceWait = 0;
      while (written < bytes) {
        const data = bytes - written >= chunk.length ? chunk : chunk.slice(0, bytes - written);
        written += data.length;
        sinceWait += data.length;
        last = new Promise<void>((resolve) => term.write(data, resolve));
        // Flow control as xterm.js asks for (it drops writes past 50 MB pending): wait for
        // the parser every 2 MB, a lighter watermark than the app's.
        if (sinceWait >= 2 * 1024 * 1024) {
          await last;
          sinceWait = 0;
        }
      }
      term.write('\r\nEND-42\r\n');
      await last;
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (box.textContent?.includes('END-42')) resolve();
          else if (performance.now() - t0 > limit) reject(new Error(`gave up waiting for END-42 in the baseline terminal; saw ${JSON.stringify((box.textContent ?? '').slice(-300))}`));
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      });
      const ms = performance.now() - t0;
      term.dispose();
      box.remove();
      return ms;
    },
    { line, bytes, limit: PAGE_WAIT_MS * 5 },
  ));

  if (profiling) writeFileSync(path.join(TERMINAL_PROFILE!, `baseline-${label}.cpuprofile`), JSON.stringify((await driver.send('Profiler.stop')).profile));
  out(`terminal: ${MB} MB of shell output (\`yes … | head -c\`), DOM renderer, ${label} (${state})`);
  out(`  Hatch (pty → sandbox agent → data channel → host → WebSocket → xterm)  ${fmt(app)}  ${(bytes / 1024 / 1024 / (app / 1000)).toFixed(1)} MB/s`);
  out(`  baseline: the same bytes written straight into xterm.js in this page  ${fmt(baseline)}  ${(bytes / 1024 / 1024 / (baseline / 1000)).toFixed(1)} MB/s`);
  out(`  ratio ${(app / baseline).toFixed(2)}×`);
  out(`  CPU, Hatch:    ${appCpu}`);
  out(`  CPU, baseline: ${baselineCpu}`);
  if (TERMINAL_PROFILE) out(`  CPU profiles of the Hatch run: ${path.resolve(TERMINAL_PROFILE)} (renderer-*.cpuprofile, and baseline-*.cpuprofile of the baseline runs; hatch-web's CPU.*.cpuprofile once it exits)`);
}

async function main(): Promise<void> {
  const sandbox = await startSandbox({ nodes: FLEET, agentPacing: false });
  const host = await startHost(sandbox);
  const browser = await chromium.launch({ executablePath: process.env.HATCH_CHROMIUM ?? '/usr/bin/chromium', args: config.use?.launchOptions?.args ?? [], headless: true });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    const page = await context.newPage();
    // tsx keeps function names with a __name() helper that page functions then call.
    await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
    await page.addInitScript(() => localStorage.setItem('hatch.terminalRenderer', 'dom'));
    await page.goto(host.url);
    if (DIST) out(`build: ${path.resolve(DIST)}`);
    if (!SKIP_NODES) await nodesBench(page, sandbox);
    if (!SKIP_TERMINAL) {
      const unobserved = await unobservedPage(browser, host.url);
      await chooseProfile(unobserved, sandbox);
      await terminalBench(unobserved, host.pid, 'in a page Playwright does not observe');
      if (OBSERVED) {
        if (SKIP_NODES) await chooseProfile(playwrightDriver(page), sandbox);
        await terminalBench(playwrightDriver(page), host.pid, "in Playwright's page (every WebSocket frame copied to Playwright)");
      }
    }
  } finally {
    await browser.close();
    await host.stop();
    await sandbox.close();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
