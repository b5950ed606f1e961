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
//   [--terminal-cpuprofile DIR]
//   --dist DIR runs DIR/host-web/cli.cjs (a build of another commit, for an A/B in one sitting);
//   DIR must lie inside this checkout (e.g. node_modules/.ab/base: cp -r dist there), as
//   the bundle loads its dependencies from node_modules.
//   --cpuprofile FILE writes a V8 CPU profile of the timed filter keystrokes (open it in
//   Chromium's DevTools; the renderer bundle has source maps).
//   --terminal-cpuprofile DIR writes CPU profiles of the terminal run: the renderer's
//   (renderer.cpuprofile) and the browser host's (hatch-web's node --cpu-prof, on exit).
//   --skip-nodes measures only the terminal (the node table is still listed, unmeasured).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/** Without the node bench: choose the bench profile and wait for its listing to complete. */
async function chooseProfile(page: Page, sandbox: Sandbox): Promise<void> {
  const total = sandbox.fleet.nodes.filter((n) => n.region === 'us-east-1').length.toLocaleString('en-US');
  const option = page.locator('[role="option"]', { hasText: PROFILE }).first();
  await pageWait(page, `the profile option "${PROFILE}"`, option.waitFor({ timeout: PAGE_WAIT_MS }), () => page.evaluate(() => document.body.innerText.slice(0, 300)));
  await option.click();
  await pageWait(
    page,
    `the listing of ${total} nodes to complete (a footer "… of ${total}" with "updated")`,
    page.waitForFunction((t) => { const f = document.querySelector('.nodes-footer')?.textContent ?? ''; return f.includes(`of ${t}`) && f.includes('updated'); }, total, { timeout: PAGE_WAIT_MS }),
    () => page.evaluate(footerText),
  );
}

/** CPU seconds a process (and, with `tree`, its descendants) has used, user + system, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number, tree = false): number {
  try {
    const stats = (tree ? readdirSync('/proc').filter((name) => /^\d+$/.test(name)) : [String(pid)])
      .map((name) => {
        try {
          const fields = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1].split(' ');
          return { pid: Number(name), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
        } catch {
          return null; // gone meanwhile
        }
      })
      .filter((x) => x !== null);
    const members = new Set([pid]);
    for (let grew = tree; grew; ) {
      grew = false;
      for (const p of stats) if (!members.has(p.pid) && members.has(p.ppid)) grew = Boolean(members.add(p.pid));
    }
    return stats.filter((p) => members.has(p.pid)).reduce((sum, p) => sum + p.ticks, 0) / 100; // USER_HZ 100
  } catch {
    return Number.NaN;
  }
}

/** Busy CPU seconds of the whole machine (every process, other users' included). */
function machineBusySeconds(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = ticks[3] + ticks[4];
  return (ticks.reduce((a, b) => a + b, 0) - idle) / 100;
}

/** Where a run's CPU went: the renderer (Chromium's task time), the host, this process (the sandbox), its children (Chromium, the shell), the machine. */
async function cpuDuring<T>(page: Page, hostPid: number, run: () => Promise<T>): Promise<{ result: T; line: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const m0 = await metrics();
  const host0 = cpuSeconds(hostPid);
  const self0 = cpuSeconds(process.pid);
  const tree0 = cpuSeconds(process.pid, true);
  const all0 = machineBusySeconds();
  const t0 = performance.now();
  const result = await run();
  const wall = (performance.now() - t0) / 1000;
  const m1 = await metrics();
  await cdp.detach();
  const s = (x: number) => `${x.toFixed(1)} s`;
  let line =
    `renderer task ${s(m1.TaskDuration - m0.TaskDuration)} (script ${s(m1.ScriptDuration - m0.ScriptDuration)}, layout+style ${s(m1.LayoutDuration - m0.LayoutDuration + m1.RecalcStyleDuration - m0.RecalcStyleDuration)}), ` +
    `host ${s(cpuSeconds(hostPid) - host0)}, sandbox+bench ${s(cpuSeconds(process.pid) - self0)}, Chromium+shell ${s(cpuSeconds(process.pid, true) - tree0 - (cpuSeconds(process.pid) - self0))}, machine busy ${s(machineBusySeconds() - all0)} of ${s(wall)} wall × ${os.cpus().length} cores`;
  if (process.env.HATCH_BENCH_METRICS) line += `\n    ${Object.keys(m1).filter((k) => m1[k] !== m0[k]).map((k) => `${k} ${(m1[k] - m0[k]).toFixed(2)}`).join(', ')}`;
  return { result, line };
}

async function terminalBench(page: Page, hostPid: number): Promise<void> {
  const bytes = MB * 1024 * 1024;
  const line = 'hatch bench: the quick brown fox jumps over the lazy dog 0123456789';
  const grid = page.getByRole('grid', { name: 'Managed nodes' });
  await page.getByRole('searchbox', { name: 'Filter nodes' }).fill('status:online platform:linux web-0001');
  await grid.getByRole('row').nth(1).click();
  await grid.press('Enter');
  const rows = page.locator('.tab-content:not([hidden]) .xterm-rows');
  await pageWait(page, 'a shell prompt in the terminal', rows.getByText(/[$#] $/).first().waitFor({ timeout: PAGE_WAIT_MS }), async () => JSON.stringify(((await rows.textContent()) ?? '').slice(-300)));
  await page.keyboard.type('clear\n');
  await page.waitForTimeout(300);

  // The app: Enter → the marker after the output is on screen.
  const appRun = page.evaluate(
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
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
  await page.keyboard.type(`yes '${line}' | head -c ${bytes}; echo END-$((40+2))`);
  let rendererProfiler: import('playwright-core').CDPSession | null = null;
  if (TERMINAL_PROFILE) {
    rendererProfiler = await page.context().newCDPSession(page);
    await rendererProfiler.send('Profiler.enable');
    await rendererProfiler.send('Profiler.setSamplingInterval', { interval: 200 });
    await rendererProfiler.send('Profiler.start');
  }
  const { result: app, line: appCpu } = await cpuDuring(page, hostPid, async () => {
    await page.keyboard.press('Enter');
    return appRun;
  });
  if (rendererProfiler) {
    mkdirSync(TERMINAL_PROFILE!, { recursive: true });
    writeFileSync(path.join(TERMINAL_PROFILE!, 'renderer.cpuprofile'), JSON.stringify((await rendererProfiler.send('Profiler.stop')).profile));
  }

  // Baseline: a fresh xterm.js (same options, DOM renderer, same size) in the same page,
  // fed the same bytes (\n → \r\n as the pty does) in 64 KB writes, at most 2 MB ahead.
  await page.addScriptTag({ path: require.resolve('@xterm/xterm/lib/xterm.js') });
  if (rendererProfiler) {
    await rendererProfiler.send('Profiler.start');
  }
  const { result: baseline, line: baselineCpu } = await cpuDuring(page, hostPid, () => page.evaluate(
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

  if (rendererProfiler) {
    writeFileSync(path.join(TERMINAL_PROFILE!, 'baseline.cpuprofile'), JSON.stringify((await rendererProfiler.send('Profiler.stop')).profile));
    await rendererProfiler.detach();
  }
  out(`terminal: ${MB} MB of shell output (\`yes … | head -c\`), DOM renderer`);
  out(`  Hatch (pty → sandbox agent → data channel → host → WebSocket → xterm)  ${fmt(app)}  ${(bytes / 1024 / 1024 / (app / 1000)).toFixed(1)} MB/s`);
  out(`  baseline: the same bytes written straight into xterm.js in this page  ${fmt(baseline)}  ${(bytes / 1024 / 1024 / (baseline / 1000)).toFixed(1)} MB/s`);
  out(`  ratio ${(app / baseline).toFixed(2)}×`);
  out(`  CPU, Hatch:    ${appCpu}`);
  out(`  CPU, baseline: ${baselineCpu}`);
  if (TERMINAL_PROFILE) out(`  CPU profiles of the Hatch run: ${path.resolve(TERMINAL_PROFILE)} (renderer.cpuprofile, and baseline.cpuprofile of the baseline run; hatch-web's CPU.*.cpuprofile once it exits)`);
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
    if (SKIP_NODES) await chooseProfile(page, sandbox);
    else await nodesBench(page, sandbox);
    if (!SKIP_TERMINAL) await terminalBench(page, host.pid);
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
