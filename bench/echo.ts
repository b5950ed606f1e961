// bench/echo.ts — keystroke echo latency (p50/p99): one key sent, time until the remote
// shell's echo of it arrives, through a native-engine shell session against the sandbox
// (agent pacing on and off), through `aws ssm start-session` with hatch-ssm-plugin in a real
// pty (agent pacing on), and through a minimal forwarder (bench/_forwarder.ts: stdin → one
// frame → socket) in a pty as that path's baseline; a local bash in a pty is the baseline of
// the whole run. AWS's own plugin is not installed here (and cannot be built without Go
// modules from the internet), so the plugin CLI is compared with the minimal forwarder.
// Run: npm run bench -- echo [--rounds N] [--only native,forwarder,plugin] [--baseline-checkout DIR]
// Env: HATCH_BENCH_KEYS (measured keys per path and round, default 1000), HATCH_BENCH_WARMUP (200).
import { SSMClient, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import * as pty from 'node-pty';
import { performance } from 'node:perf_hooks';
import { startShellSession } from '../src/protocol/shell-session';
import { startSandbox } from '../src/sandbox/index';
import { PtyInput } from '../src/runtime/pty-input';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { awsCliEnvWithPlugin, ensurePluginBuilt } from '../test/helpers/built-bundle';
import { tail, until, within } from './_deadline';

// 1000: a p99 over 300 keys is the third slowest key, which says more about the machine's worst moment than about the path.
const KEYS = Number(process.env.HATCH_BENCH_KEYS ?? 1000);
/**
 * Keys typed before the measured ones, not counted: a path is started fresh each round, and
 * its start-up garbage collections and the compiler's first optimisations would otherwise
 * land on the first keys, which is not what typing into a session that is open costs.
 */
const WARMUP = Number(process.env.HATCH_BENCH_WARMUP ?? 200);
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Something that takes keystrokes and reports output. */
interface Echoing {
  write(s: string): void;
  onData(cb: (s: string) => void): void;
}

/**
 * Types KEYS letters one at a time at a shell prompt, each after the previous one's echo;
 * clears the line (Ctrl-U) every 40 keys so readline never scrolls. Returns ms latencies.
 */
async function measure(t: Echoing): Promise<number[]> {
  let text = '';
  let waiter: { ch: string; from: number; resolve: () => void } | null = null;
  t.onData((d) => {
    text += d;
    if (waiter && text.indexOf(waiter.ch, waiter.from) >= 0) {
      const w = waiter;
      waiter = null;
      w.resolve();
    }
  });
  const waitFor = (ch: string, from: number) =>
    new Promise<void>((resolve) => {
      if (text.indexOf(ch, from) >= 0) resolve();
      else waiter = { ch, from, resolve };
    });
  // Prompt first.
  await until('a shell prompt', 30_000, () => /[$#] $/m.test(text), () => tail(text));
  for (let i = 0; i < WARMUP; i++) {
    if (i > 0 && i % 40 === 0) t.write('\x15');
    const ch = LETTERS[i % LETTERS.length];
    const from = text.length;
    t.write(ch);
    await within(`the echo of warm-up key ${i + 1} (${JSON.stringify(ch)})`, 10_000, waitFor(ch, from), () => tail(text.slice(from)));
  }
  t.write('\x15');
  await new Promise((r) => setTimeout(r, 20));
  const lat: number[] = [];
  for (let i = 0; i < KEYS; i++) {
    if (i > 0 && i % 40 === 0) {
      t.write('\x15'); // Ctrl-U: kill the typed line
      await new Promise((r) => setTimeout(r, 20));
    }
    const ch = LETTERS[i % LETTERS.length];
    const from = text.length;
    const t0 = performance.now();
    t.write(ch);
    await within(`the echo of key ${i + 1} (${JSON.stringify(ch)})`, 10_000, waitFor(ch, from), () => tail(text.slice(from)));
    lat.push(performance.now() - t0);
  }
  t.write('\x15');
  return lat;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function local(): Promise<number[]> {
  const p = pty.spawn('/bin/bash', ['--norc', '--noprofile', '-i'], { cols: 120, rows: 30, env: { ...process.env, PS1: '$ ' } as Record<string, string> });
  // Input through PtyInput, as the app writes to a pty: node-pty's own write queue reports
  // EBADF when the terminal is killed with a write under way.
  const input = new PtyInput(p);
  try {
    return await measure({ write: (s) => input.write(s), onData: (cb) => p.onData(cb) });
  } finally {
    input.end();
    p.kill();
  }
}

type StartShell = typeof startShellSession;

/**
 * The native engine's shell session (the protocol library's startShellSession, or another
 * checkout's with --baseline-checkout) against the sandbox of this checkout, in this process.
 */
async function remote(pacing: boolean, start: StartShell = startShellSession): Promise<number[]> {
  const sandbox = await startSandbox({ agentPacing: pacing });
  const ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
  try {
    const node = sandbox.fleet.nodes.find((n) => n.pingStatus === 'Online' && n.platformType === 'Linux' && n.region === sandbox.region)!;
    const st = await ssm.send(new StartSessionCommand({ Target: node.instanceId }));
    const shell = await start({ streamUrl: st.StreamUrl!, tokenValue: st.TokenValue!, sessionId: st.SessionId!, target: node.instanceId, cols: 120, rows: 30 });
    const lat = await measure({ write: (s) => void shell.write(s), onData: (cb) => void shell.onData((d) => cb(d.toString('utf8'))) });
    shell.close();
    await ssm.send(new TerminateSessionCommand({ SessionId: st.SessionId! })).catch(() => undefined);
    return lat;
  } finally {
    ssm.destroy();
    await sandbox.close();
  }
}

/**
 * startShellSession of another checkout of Hatch (e.g. `git worktree add /tmp/old <rev>` and
 * npm ci there): the protocol library moved from src/main/protocol to src/protocol in #14.
 */
async function checkoutShell(dir: string): Promise<StartShell> {
  const candidates = ['src/protocol/shell-session.ts', 'src/main/protocol/shell-session.ts'].map((f) => path.resolve(dir, f));
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error(`--baseline-checkout: no shell-session.ts in ${dir} (looked for ${candidates.join(', ')})`);
  const mod = (await import(file)) as { startShellSession?: StartShell };
  if (typeof mod.startShellSession !== 'function') throw new Error(`--baseline-checkout: ${file} exports no startShellSession`);
  return mod.startShellSession;
}

/** A program in a pty against a sandbox shell session (agent pacing on). */
async function inPty(kind: 'aws-cli' | 'forwarder'): Promise<number[]> {
  const sandbox = await startSandbox({ agentPacing: true });
  const ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
  const { env } = awsCliEnvWithPlugin(sandbox.env);
  try {
    const node = sandbox.fleet.nodes.find((n) => n.pingStatus === 'Online' && n.platformType === 'Linux' && n.region === sandbox.region)!;
    let p: pty.IPty;
    if (kind === 'aws-cli') {
      // --endpoint-url: AWS CLI v1 does not read AWS_ENDPOINT_URL.
      p = pty.spawn('/usr/bin/aws', ['ssm', 'start-session', '--target', node.instanceId, '--endpoint-url', sandbox.endpoint, '--region', sandbox.region], { cols: 120, rows: 30, env });
    } else {
      const st = await ssm.send(new StartSessionCommand({ Target: node.instanceId }));
      const tsx = path.join(__dirname, '../node_modules/.bin/tsx');
      p = pty.spawn(tsx, [path.join(__dirname, '_forwarder.ts')], { cols: 120, rows: 30, env: { ...env, HATCH_FWD_RESPONSE: JSON.stringify(st) } });
    }
    const input = new PtyInput(p);
    try {
      return await measure({ write: (s) => input.write(s), onData: (cb) => p.onData(cb) });
    } finally {
      input.end();
      p.kill();
    }
  } finally {
    ssm.destroy();
    await sandbox.close();
  }
}

/** The measured paths, in the order each round runs them. */
const PATHS: Array<{ key: string; name: string; run: () => Promise<number[]> }> = [
  { key: 'local', name: 'local bash in a pty (baseline)', run: local },
  { key: 'native', name: 'hatch native shell, agent pacing off', run: () => remote(false) },
  { key: 'native-paced', name: 'hatch native shell, agent pacing on', run: () => remote(true) },
  { key: 'forwarder', name: 'minimal forwarder in a pty, pacing on', run: () => inPty('forwarder') },
  { key: 'plugin', name: 'aws ssm start-session + hatch-ssm-plugin', run: () => inPty('aws-cli') },
];

/**
 * Usage: npm run bench -- echo [--rounds N] [--only key,key] [--baseline-checkout DIR]
 * Every round runs each path once (KEYS keys); paths alternate so load on a shared machine
 * falls on all of them alike. Reported: p50/p99 over all rounds' keys, and the median of the
 * rounds' p50s. --baseline-checkout adds the native path with another checkout's client (same
 * sandbox), e.g. the code before a change, so "not slower than before" is measured in one run.
 */
function args(): { rounds: number; only: Set<string> | null; baseline: string | undefined } {
  const a = process.argv.slice(2);
  const val = (flag: string) => {
    const i = a.indexOf(flag);
    return i >= 0 ? a[i + 1] : undefined;
  };
  const rounds = Number(val('--rounds') ?? 1);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds takes a whole number ≥ 1, not ${val('--rounds')}`);
  const only = val('--only');
  const keys = only ? new Set(only.split(',')) : null;
  for (const k of keys ?? []) if (!PATHS.some((p) => p.key === k)) throw new Error(`--only: unknown path ${k}; known: ${PATHS.map((p) => p.key).join(', ')}`);
  const baseline = val('--baseline-checkout');
  if (baseline !== undefined && !existsSync(baseline)) throw new Error(`--baseline-checkout: no such folder ${baseline}`);
  return { rounds, only: keys, baseline };
}

/** The short commit of a checkout, for the row's name. */
function revisionOf(dir: string): string {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return path.basename(dir);
  }
}

async function main(): Promise<void> {
  const { rounds, only, baseline } = args();
  await ensurePluginBuilt();
  const paths = PATHS.filter((p) => !only || only.has(p.key) || p.key === 'local');
  if (baseline) {
    const start = await checkoutShell(baseline);
    const at = paths.findIndex((p) => p.key === 'native');
    paths.splice(at < 0 ? 1 : at + 1, 0, { key: 'baseline', name: `native shell, client of ${revisionOf(baseline)}, pacing off`, run: () => remote(false, start) });
  }
  const lat = new Map<string, number[]>(paths.map((p) => [p.key, []]));
  const p50s = new Map<string, number[]>(paths.map((p) => [p.key, []]));
  for (let r = 0; r < rounds; r++) {
    // The first remote path of a run meets the protocol code before the compiler has seen it:
    // with a baseline checkout, it and the native path take turns at going first.
    const order = [...paths];
    const a = order.findIndex((p) => p.key === 'native');
    const b = order.findIndex((p) => p.key === 'baseline');
    if (r % 2 === 1 && a >= 0 && b >= 0) [order[a], order[b]] = [order[b], order[a]];
    for (const p of order) {
      const xs = await p.run();
      lat.get(p.key)!.push(...xs);
      p50s.get(p.key)!.push(pct(xs, 50));
    }
  }
  const base = lat.get('local')!;
  const b50 = pct(base, 50);
  const b99 = pct(base, 99);
  const median = (xs: number[]) => pct(xs, 50);
  process.stdout.write(`${'path'.padEnd(42)}${'keys'.padStart(6)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'p50/base'.padStart(10)}${'p99/base'.padStart(10)}  p50 per round\n`);
  for (const p of paths) {
    const xs = lat.get(p.key)!;
    const p50 = pct(xs, 50);
    const p99 = pct(xs, 99);
    process.stdout.write(
      `${p.name.padEnd(42)}${String(xs.length).padStart(6)}${p50.toFixed(2).padStart(9)}${p99.toFixed(2).padStart(9)}${(p50 / b50).toFixed(1).padStart(10)}${(p99 / b99).toFixed(1).padStart(10)}  ${p50s.get(p.key)!.map((x) => x.toFixed(2)).join(' ')}\n`,
    );
  }
  const old = lat.get('baseline');
  const now = lat.get('native');
  if (old?.length && now?.length) {
    process.stdout.write(`native / ${revisionOf(baseline!)} client: p50 ${(pct(now, 50) / pct(old, 50)).toFixed(2)}, p99 ${(pct(now, 99) / pct(old, 99)).toFixed(2)}\n`);
  }
  const fwd = p50s.get('forwarder');
  const plug = p50s.get('plugin');
  if (fwd?.length && plug?.length) {
    process.stdout.write(`plugin CLI p50 / minimal forwarder p50 (median of rounds): ${(median(plug) / median(fwd)).toFixed(2)}\n`);
  }
  process.stdout.write(`(${WARMUP} warm-up keys per path not counted; client and sandbox agent share this one process; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')})\n`);
  process.exit(0);
}

void main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
