// bench/sessions.ts — the sessions service of main, through HatchHost, as a window drives
// it: control calls with host.call, each session's output on its own stream
// (host.openTerminal, the data path a window's transport uses):
//   1. memory (RSS, heap) and CPU of the main process with 50 idle shell sessions open;
//   2. output throughput of one session (`cat` of a 50 MB file) to a window that
//      acknowledges every batch at once, against the same bytes through a local node-pty
//      `cat` (no protocol, no Hatch) measured in the same run.
// The sandbox runs in its own process (hatch-sandbox via tsx), so main's figures are main's.
// Run: npm run bench -- sessions   Env: HATCH_BENCH_SESSIONS (50), HATCH_BENCH_MB (50),
// HATCH_BENCH_IDLE_S (3).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpuSeconds } from './_proc-cpu';
import { startSandboxProcess } from './_sandbox-process';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as pty from 'node-pty';
import { HatchHost } from '../src/main/host';
import type { CallResult, SessionInfo } from '../src/shared/contract';
import type { ManagedNode } from '../src/shared/domain/inventory';
import { tail, until, within } from './_deadline';

const SESSIONS = Number(process.env.HATCH_BENCH_SESSIONS ?? 50);
const MB = Number(process.env.HATCH_BENCH_MB ?? 50);
const IDLE_S = Number(process.env.HATCH_BENCH_IDLE_S ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** A HatchHost whose only profile points at the sandbox process by endpoint URL. */
function hostFor(env: Record<string, string>, home: string): { host: HatchHost; call: <T>(m: string, r?: unknown) => Promise<T> } {
  writeFileSync(path.join(home, 'config'), `[profile bench]\nregion = us-east-1\nendpoint_url = ${env.AWS_ENDPOINT_URL}\n`);
  writeFileSync(path.join(home, 'credentials'), `[bench]\naws_access_key_id = ${env.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${env.AWS_SECRET_ACCESS_KEY}\n`);
  const host = new HatchHost({
    host: 'web',
    dataDir: path.join(home, '.hatch'),
    env: { HOME: home, AWS_CONFIG_FILE: path.join(home, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials') },
    pluginCandidates: () => [],
    logError: (error, method) => process.stderr.write(`[bench] ${method}: ${String(error)}\n`),
  });
  const call = async <T>(method: string, request: unknown = {}): Promise<T> => {
    const result: CallResult = await host.call(method, request);
    if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
    return result.value as T;
  };
  return { host, call };
}

async function idleSessions(home: string): Promise<void> {
  const { child, env } = await startSandboxProcess(true);
  const { host, call } = hostFor(env, home);
  try {
    const { nodes } = await call<{ nodes: ManagedNode[] }>('inventory.list', { profile: 'bench', region: 'us-east-1' });
    const online = nodes.filter((n) => n.pingStatus === 'Online' && n.platformType === 'Linux');
    const live = new Set<string>();
    const prompted = new Set<string>();
    const shown = new Set<string>();
    host.subscribe((name, payload) => {
      if (name !== 'sessions.changed') return;
      const { session } = payload as { session: SessionInfo };
      if (session.state === 'live') live.add(session.id);
      if (shown.has(session.id)) return;
      // A window showing the session: its stream, acknowledged as xterm writes.
      shown.add(session.id);
      let written = 0;
      const stream = host.openTerminal(session.id, {
        output: (data) => {
          if (/[$#] $/m.test(data)) prompted.add(session.id);
          written += data.length;
          const total = written;
          setImmediate(() => stream.ack(total));
        },
        end: () => undefined,
      });
    });
    global.gc?.();
    const before = process.memoryUsage();
    const sessions: SessionInfo[] = [];
    for (let i = 0; i < SESSIONS; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(10, SESSIONS - i) }, (_, j) =>
          call<SessionInfo>('sessions.start', { profile: 'bench', region: 'us-east-1', target: online[(i + j) % online.length].id, cols: 120, rows: 40, engine: 'native' }),
        ),
      );
      sessions.push(...batch);
    }
    const ready = () => sessions.filter((s) => live.has(s.id) && prompted.has(s.id)).length;
    await until(`${SESSIONS} live shells with a prompt`, 60_000, () => ready() === sessions.length, () => `${ready()} ready (${live.size} live, ${prompted.size} with a prompt)`);
    await sleep(1000); // let start-up work settle
    global.gc?.();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(IDLE_S * 1000);
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    const after = process.memoryUsage();
    const cpuPct = ((cpu.user + cpu.system) / 1000 / wall) * 100;
    console.log(`idle sessions: ${ready()}/${SESSIONS} live shells (native engine, agent pacing on), main process only (sandbox in its own process)`);
    console.log(`  RSS        ${mib(after.rss)}  (before sessions ${mib(before.rss)}; +${mib(after.rss - before.rss)}, ${((after.rss - before.rss) / 1024 / SESSIONS).toFixed(0)} KiB/session)`);
    console.log(`  heap used  ${mib(after.heapUsed)}  (before ${mib(before.heapUsed)}; +${mib(after.heapUsed - before.heapUsed)}, ${((after.heapUsed - before.heapUsed) / 1024 / SESSIONS).toFixed(0)} KiB/session)`);
    console.log(`  CPU idle   ${cpuPct.toFixed(2)} % of one core over ${(wall / 1000).toFixed(1)} s (user ${(cpu.user / 1000).toFixed(0)} ms, system ${(cpu.system / 1000).toFixed(0)} ms)`);
    await Promise.all(sessions.map((s) => call('sessions.terminate', { sessionId: s.id }).catch(() => undefined)));
  } finally {
    await host.dispose();
    child.kill('SIGTERM');
  }
}

/** A file of `bytes` printable bytes: base64 of random data, 76 characters per line. */
function makeFile(dir: string, bytes: number): string {
  const file = path.join(dir, 'payload.txt');
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const line = randomBytes(57).toString('base64'); // 76 characters
    lines.push(line);
    size += line.length + 1;
  }
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function throughputHatch(home: string, file: string): Promise<{ ms: number; chars: number; batches: number; maxBuffered: number; mainCpu: number; sandboxCpu: number }> {
  const { child, env } = await startSandboxProcess(false);
  const { host, call } = hostFor(env, home);
  try {
    const { nodes } = await call<{ nodes: ManagedNode[] }>('inventory.list', { profile: 'bench', region: 'us-east-1' });
    const target = nodes.find((n) => n.pingStatus === 'Online' && n.platformType === 'Linux')!;
    let text = '';
    let chars = 0;
    let batches = 0;
    let counting = false;
    let done: (() => void) | null = null;
    let live = false;
    host.subscribe((name, payload) => {
      if (name === 'sessions.changed' && (payload as { session: SessionInfo }).session.state === 'live') live = true;
    });
    const session = await call<SessionInfo>('sessions.start', { profile: 'bench', region: 'us-east-1', target: target.id, cols: 200, rows: 50, engine: 'native' });
    let written = 0;
    const stream = host.openTerminal(session.id, {
      output: (data) => {
        // The window: write, then acknowledge the cumulative count (xterm's write callback is asynchronous).
        written += data.length;
        const total = written;
        setImmediate(() => stream.ack(total));
        if (counting) {
          chars += data.length;
          batches++;
          // Only the tail can hold the end marker (computed remotely, so not in the echo);
          // it is looked for before trimming, as the prompt may follow it in the same batch.
          const tailText = text + data.slice(-256);
          text = tailText.slice(-64);
          if (done && tailText.includes('BENCH-END-42')) done();
        } else text += data;
      },
      end: () => undefined,
    });
    await until('the session to be live with a prompt', 30_000, () => live && /[$#] $/m.test(text), () => `live=${live}, output ${tail(text)}`);
    stream.input('stty -echo\r');
    await sleep(300);
    let maxBuffered = 0;
    const sampler = setInterval(() => {
      void call<{ bufferedChars: number }>('sessions.stats', { sessionId: session.id }).then((s) => (maxBuffered = Math.max(maxBuffered, s.bufferedChars)));
    }, 50);
    const finished = new Promise<void>((resolve) => (done = resolve));
    text = '';
    counting = true;
    const cpu0 = process.cpuUsage();
    const sandbox0 = cpuSeconds(child.pid ?? -1, true);
    const t0 = performance.now();
    stream.input(`cat ${file}; echo BENCH-END-$((40+2))\r`);
    await within(`the end marker after ${MB} MB`, 600_000, finished, () => `${chars} chars in ${batches} batches, last ${tail(text, 64)}`);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const mainCpu = (cpu.user + cpu.system) / 1e6;
    const sandboxCpu = cpuSeconds(child.pid ?? -1, true) - sandbox0;
    clearInterval(sampler);
    await call('sessions.terminate', { sessionId: session.id });
    return { ms, chars, batches, maxBuffered, mainCpu, sandboxCpu };
  } finally {
    await host.dispose();
    child.kill('SIGTERM');
  }
}

function throughputLocal(file: string): Promise<{ ms: number; chars: number }> {
  let chars = 0;
  let child: pty.IPty | undefined;
  const run = new Promise<{ ms: number; chars: number }>((resolve) => {
    const t0 = performance.now();
    child = pty.spawn('cat', [file], { name: 'xterm-256color', cols: 200, rows: 50, env: { ...process.env } as Record<string, string> });
    child.onData((d) => (chars += d.length));
    child.onExit(() => resolve({ ms: performance.now() - t0, chars }));
  });
  return within(`a local cat of ${MB} MB to exit`, 300_000, run, () => `${chars} chars`).catch((error: unknown) => {
    child?.kill();
    throw error;
  });
}

async function main(): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'hatch-bench-sessions-'));
  const idleHome = path.join(home, 'idle');
  const throughputHome = path.join(home, 'throughput');
  mkdirSync(idleHome);
  mkdirSync(throughputHome);
  await idleSessions(idleHome);
  const file = makeFile(home, MB * 1_000_000);
  const local = await throughputLocal(file);
  const hatch = await throughputHatch(throughputHome, file);
  const rate = (chars: number, ms: number) => chars / 1e6 / (ms / 1000);
  console.log(`throughput: cat of a ${MB} MB file (base64 text) to a window acknowledging every batch (the machine may be shared: compare the ratio)`);
  console.log(`  baseline, local node-pty cat (no protocol):        ${rate(local.chars, local.ms).toFixed(1)} MB/s  (${(local.ms / 1000).toFixed(2)} s, ${local.chars} chars)`);
  console.log(
    `  Hatch, native engine, sandbox agent pacing OFF:    ${rate(hatch.chars, hatch.ms).toFixed(1)} MB/s  (${(hatch.ms / 1000).toFixed(2)} s, ${hatch.chars} chars in ${hatch.batches} batches, ` +
      `avg ${(hatch.chars / Math.max(1, hatch.batches) / 1024).toFixed(1)} KiB; main held ≤ ${hatch.maxBuffered} chars)`,
  );
  console.log(`  CPU during the Hatch run: main ${hatch.mainCpu.toFixed(2)} s, sandbox process tree (agent, shell, cat) ${hatch.sandboxCpu.toFixed(2)} s, over ${(hatch.ms / 1000).toFixed(2)} s`);
  console.log(`  ratio Hatch / baseline: ${(rate(hatch.chars, hatch.ms) / rate(local.chars, local.ms)).toFixed(2)}`);
  rmSync(home, { recursive: true, force: true });
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
