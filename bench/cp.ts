// bench/cp.ts — `hatch cp`'s engine against the sandbox with the agent's pacing ON (as on
// AWS): upload MB/s of incompressible data through Hatch's window and through the plugin's
// pacing (1 KiB + 1 ms) in the same run, download MB/s of random data (the agent's 1 KiB
// per ≥ 1 ms is the ceiling; the text costs 5/4 of it as Z85 where the node has basenc, 4/3
// as base64), and effective download MB/s of log-like text (gzip on the node). Every copy
// is checked (SHA-256 of the result against the source).
//
//   npm run bench -- cp [--repeat N]
//
// Env: HATCH_BENCH_CP_UP_MB (default 32), HATCH_BENCH_CP_PACED_MB (4),
//      HATCH_BENCH_CP_DOWN_MB (8, random), HATCH_BENCH_CP_LOG_MB (48, text).
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SSMClient } from '@aws-sdk/client-ssm';
import { openSession, ssmSessionCalls } from '../src/protocol/opener';
import { ShellSession } from '../src/protocol/shell-session';
import { startSandbox, type Sandbox } from '../src/sandbox/index';
import { download, localZstd, posixDialect, RemoteShell, shellChannel, upload } from '../src/main/transfers';
import { within } from './_deadline';

const MB = 1_000_000;
const args = process.argv.slice(2);
const repeat = Math.max(1, Number(args[args.indexOf('--repeat') + 1] ?? 1) || 1);
const UP = Number(process.env.HATCH_BENCH_CP_UP_MB ?? 32) * MB;
const PACED = Number(process.env.HATCH_BENCH_CP_PACED_MB ?? 4) * MB;
const DOWN = Number(process.env.HATCH_BENCH_CP_DOWN_MB ?? 8) * MB;
const LOG = Number(process.env.HATCH_BENCH_CP_LOG_MB ?? 48) * MB;

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function logText(bytes: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  const paths = ['/api/orders', '/api/users/42', '/health', '/static/app.js', '/api/search?q=shoes'];
  for (let i = 0; size < bytes; i++) {
    const line = `2026-12-05T10:${String(Math.floor(i / 6000) % 60).padStart(2, '0')}:${String(Math.floor(i / 100) % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z INFO  [http-nio-8080-exec-${i % 16}] c.e.web.RequestLog - ${['GET', 'POST'][i % 2]} ${paths[i % paths.length]} status=${[200, 200, 200, 404, 500][i % 5]} bytes=${(i * 7919) % 50000} duration_ms=${(i * 31) % 900} request_id=${(i * 2654435761 >>> 0).toString(16)}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, bytes);
}

async function remote(sandbox: Sandbox, target: string, pacing: 'adaptive' | 'aws'): Promise<RemoteShell> {
  const ssm = new SSMClient({ region: sandbox.region, endpoint: sandbox.endpoint, credentials: sandbox.credentials });
  const { client } = await openSession({ calls: ssmSessionCalls(ssm), target, start: { Target: target }, pacing });
  const shell = new RemoteShell(shellChannel(new ShellSession(client, { cols: 200, rows: 50 })), posixDialect);
  await within('the node shell to boot', 30_000, shell.start({ allowCompression: true, localZstd }));
  return shell;
}

async function timed<T>(what: string, run: () => Promise<T>): Promise<number> {
  const start = performance.now();
  await within(what, 15 * 60_000, run());
  return (performance.now() - start) / 1000;
}

async function main(): Promise<void> {
  const sandbox = await startSandbox(); // agent pacing on, as on AWS
  const work = mkdtempSync(path.join(os.tmpdir(), 'hatch-bench-cp-'));
  try {
    const node = sandbox.fleet.nodes.find((n) => n.pingStatus === 'Online' && n.platformType === 'Linux' && n.region === sandbox.region)!;
    const home = path.join(sandbox.dataDir, 'homes', node.instanceId);
    mkdirSync(home, { recursive: true });
    const random = randomBytes(Math.max(UP, DOWN));
    const up = random.subarray(0, UP);
    const paced = random.subarray(0, PACED);
    const down = random.subarray(0, DOWN);
    const log = logText(LOG);
    writeFileSync(path.join(work, 'up.bin'), up);
    writeFileSync(path.join(work, 'paced.bin'), paced);
    writeFileSync(path.join(home, 'down.bin'), down);
    writeFileSync(path.join(home, 'app.log'), log);
    const check = (file: string, data: Buffer) => {
      if (sha(readFileSync(file)) !== sha(data)) throw new Error(`${file} differs from its source`);
    };

    const rows = { hatchUp: [] as number[], pacedUp: [] as number[], down: [] as number[], log: [] as number[], logWire: [] as number[] };
    for (let run = 0; run < repeat; run++) {
      const hatch = await remote(sandbox, node.instanceId, 'adaptive');
      const s1 = await timed('the upload', () => upload(hatch, path.join(work, 'up.bin'), '~/up.bin'));
      check(path.join(home, 'up.bin'), up);
      rows.hatchUp.push(UP / MB / s1);
      const s3 = await timed('the random download', () => download(hatch, '~/down.bin', path.join(work, 'down.bin')));
      check(path.join(work, 'down.bin'), down);
      rows.down.push(DOWN / MB / s3);
      let wire = 0;
      const s4 = await timed('the log download', async () => {
        wire = (await download(hatch, '~/app.log', path.join(work, 'app.log'))).wireBytes;
      });
      check(path.join(work, 'app.log'), log);
      rows.log.push(LOG / MB / s4);
      rows.logWire.push(wire / MB / s4);
      await hatch.close();

      const plugin = await remote(sandbox, node.instanceId, 'aws');
      const s2 = await timed('the paced upload', () => upload(plugin, path.join(work, 'paced.bin'), '~/paced.bin'));
      check(path.join(home, 'paced.bin'), paced);
      rows.pacedUp.push(PACED / MB / s2);
      await plugin.close();
      rmSync(path.join(work, 'down.bin'), { force: true });
      rmSync(path.join(work, 'app.log'), { force: true });
    }

    const out = (s: string) => process.stdout.write(`${s}\n`);
    out(`hatch cp against the sandbox, agent pacing on (1 KiB + 1 ms per message down); medians of ${repeat} run(s); shared machine (2 cores)`);
    out(`${'measure'.padEnd(52)}${'MB/s'.padStart(8)}${'goal'.padStart(10)}`);
    const hatchUp = median(rows.hatchUp);
    const pacedUp = median(rows.pacedUp);
    out(`${`upload ${UP / MB} MB random, Hatch window`.padEnd(52)}${hatchUp.toFixed(2).padStart(8)}`);
    out(`${`upload ${PACED / MB} MB random, plugin pacing (1 KiB + 1 ms)`.padEnd(52)}${pacedUp.toFixed(2).padStart(8)}`);
    out(`${'upload ratio Hatch / plugin pacing'.padEnd(52)}${`${(hatchUp / pacedUp).toFixed(1)}x`.padStart(8)}${'>= 10x'.padStart(10)}`);
    out(`${`download ${DOWN / MB} MB random`.padEnd(52)}${median(rows.down).toFixed(2).padStart(8)}${'>= 0.7'.padStart(10)}`);
    out(`${`download ${LOG / MB} MB log text, effective (file bytes)`.padEnd(52)}${median(rows.log).toFixed(2).padStart(8)}${'>= 4'.padStart(10)}`);
    out(`${'  of which on the wire (base64 of gzip)'.padEnd(52)}${median(rows.logWire).toFixed(2).padStart(8)}`);
    if (repeat > 1) out(`runs: up ${rows.hatchUp.map((x) => x.toFixed(1)).join(', ')}; paced ${rows.pacedUp.map((x) => x.toFixed(2)).join(', ')}; down ${rows.down.map((x) => x.toFixed(2)).join(', ')}; log ${rows.log.map((x) => x.toFixed(1)).join(', ')}`);
  } finally {
    await sandbox.close();
    rmSync(work, { recursive: true, force: true });
  }
  process.exit(0);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
