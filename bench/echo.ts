// bench/echo.ts — keystroke echo latency (p50/p99): one key sent, time until the remote
// shell's echo of it arrives, through a native-engine shell session against the sandbox
// (agent pacing on and off), through `aws ssm start-session` with hatch-ssm-plugin in a real
// pty (agent pacing on), and through a minimal forwarder (bench/_forwarder.ts: stdin → one
// frame → socket) in a pty as that path's baseline; a local bash in a pty is the baseline of
// the whole run. AWS's own plugin is not installed here (and cannot be built without Go
// modules from the internet), so the plugin CLI is compared with the minimal forwarder.
// Run: npm run bench -- echo   Env: HATCH_BENCH_KEYS (default 300).
import { SSMClient, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import * as pty from 'node-pty';
import { performance } from 'node:perf_hooks';
import { startShellSession } from '../src/protocol/shell-session';
import { startSandbox } from '../src/sandbox/index';
import path from 'node:path';
import { awsCliEnvWithPlugin, ensurePluginBuilt } from '../test/helpers/built-bundle';
import { tail, until, within } from './_deadline';

const KEYS = Number(process.env.HATCH_BENCH_KEYS ?? 300);
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
  try {
    return await measure({ write: (s) => p.write(s), onData: (cb) => p.onData(cb) });
  } finally {
    p.kill();
  }
}

async function remote(pacing: boolean): Promise<number[]> {
  const sandbox = await startSandbox({ agentPacing: pacing });
  const ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
  try {
    const node = sandbox.fleet.nodes.find((n) => n.pingStatus === 'Online' && n.platformType === 'Linux' && n.region === sandbox.region)!;
    const st = await ssm.send(new StartSessionCommand({ Target: node.instanceId }));
    const shell = await startShellSession({ streamUrl: st.StreamUrl!, tokenValue: st.TokenValue!, sessionId: st.SessionId!, target: node.instanceId, cols: 120, rows: 30 });
    const lat = await measure({ write: (s) => void shell.write(s), onData: (cb) => void shell.onData((d) => cb(d.toString('utf8'))) });
    shell.close();
    await ssm.send(new TerminateSessionCommand({ SessionId: st.SessionId! })).catch(() => undefined);
    return lat;
  } finally {
    ssm.destroy();
    await sandbox.close();
  }
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
      p = pty.spawn('/usr/bin/aws', ['ssm', 'start-session', '--target', node.instanceId], { cols: 120, rows: 30, env });
    } else {
      const st = await ssm.send(new StartSessionCommand({ Target: node.instanceId }));
      const tsx = path.join(__dirname, '../node_modules/.bin/tsx');
      p = pty.spawn(tsx, [path.join(__dirname, '_forwarder.ts')], { cols: 120, rows: 30, env: { ...env, HATCH_FWD_RESPONSE: JSON.stringify(st) } });
    }
    try {
      return await measure({ write: (s) => p.write(s), onData: (cb) => p.onData(cb) });
    } finally {
      p.kill();
    }
  } finally {
    ssm.destroy();
    await sandbox.close();
  }
}

async function main(): Promise<void> {
  await ensurePluginBuilt();
  const base = await local();
  const rows: Array<[string, number[]]> = [
    ['local bash in a pty (baseline)', base],
    ['hatch shell, agent pacing off', await remote(false)],
    ['hatch shell, agent pacing on', await remote(true)],
    ['minimal forwarder in a pty, pacing on', await inPty('forwarder')],
    ['aws ssm start-session + hatch-ssm-plugin', await inPty('aws-cli')],
  ];
  const b50 = pct(base, 50);
  const b99 = pct(base, 99);
  process.stdout.write(`${'path'.padEnd(42)}${'keys'.padStart(6)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'p50/base'.padStart(10)}${'p99/base'.padStart(10)}\n`);
  for (const [name, lat] of rows) {
    const p50 = pct(lat, 50);
    const p99 = pct(lat, 99);
    process.stdout.write(
      `${name.padEnd(42)}${String(lat.length).padStart(6)}${p50.toFixed(2).padStart(9)}${p99.toFixed(2).padStart(9)}${(p50 / b50).toFixed(1).padStart(10)}${(p99 / b99).toFixed(1).padStart(10)}\n`,
    );
  }
  process.stdout.write('(client and sandbox agent share this one process)\n');
  process.exit(0);
}

void main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
