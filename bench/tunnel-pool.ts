// bench/tunnel-pool.ts — aggregate download MB/s of 8 parallel connections through one
// Hatch tunnel (TunnelService, native engine) backed by a pool of 1, 2, 4 and 8 port
// sessions, against the sandbox with the real agent's pacing ON (≤ 1024-byte messages,
// 1 ms apart ⇒ ~1 MB/s per session, spec 9.6), and the ratio to the single-session tunnel.
// The sandbox (service + agent) runs in a child process, as the agent runs elsewhere in
// reality: in one process, eight pacing timers and the client share one event loop and
// the agent's 1 ms pauses stretch, which understates the pool.
// Run: npm run bench -- tunnel-pool   Env: HATCH_BENCH_POOL_MB (MB per connection, default 2),
// HATCH_BENCH_POOL_CONNS (parallel connections, default 8).
import { SSMClient } from '@aws-sdk/client-ssm';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { TunnelService } from '../src/main/tunnels/tunnel-service';
import { within } from './_deadline';
import { onlineLinuxNode, startSandboxProcess, type SandboxProcess } from './_sandbox-process';

const MB = 1_000_000;
const PER_CONN = Math.round(Number(process.env.HATCH_BENCH_POOL_MB ?? 2) * MB);
const CONNS = Number(process.env.HATCH_BENCH_POOL_CONNS ?? 8);
const POOLS = [1, 2, 4, 8];

/** Deterministic payload, so every download is checked byte for byte. */
const PAYLOAD = (() => {
  const out = Buffer.allocUnsafe(PER_CONN);
  let block = createHash('sha256').update('hatch-pool').digest();
  for (let off = 0; off < PER_CONN; off += block.length) {
    block.copy(out, off, 0, Math.min(block.length, PER_CONN - off));
    block = createHash('sha256').update(block).digest();
  }
  return out;
})();
const PAYLOAD_SHA = createHash('sha256').update(PAYLOAD).digest('hex');

async function source(): Promise<{ port: number; close: () => void }> {
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    s.once('data', () => s.end(PAYLOAD));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

function download(port: number): Promise<void> {
  let got = 0;
  let s: net.Socket | undefined;
  const run = new Promise<void>((resolve, reject) => {
    s = net.connect(port, '127.0.0.1');
    const hash = createHash('sha256');
    s.on('error', reject);
    s.on('data', (d: Buffer) => {
      got += d.length;
      hash.update(d);
    });
    s.on('end', () => {
      const sha = hash.digest('hex');
      if (got === PER_CONN && sha === PAYLOAD_SHA) resolve();
      else reject(new Error(`got ${got} of ${PER_CONN} bytes${got === PER_CONN ? ', wrong content' : ''}`));
    });
    s.write('go\n');
  });
  // Paced at ≈1 MB/s per session: minutes are plenty.
  return within(`a ${PER_CONN}-byte download through port ${port}`, 300_000, run, () => `${got} bytes received`).finally(() => s?.destroy());
}

interface Row {
  pool: number;
  mode: string;
  seconds: number;
  mbps: number;
  perSession: string;
  /** Event-loop utilisation of this process (the Hatch client and the source) during the downloads. */
  loop: number;
}

async function run(pool: number, sourcePort: number, sandbox: SandboxProcess & { nodeId: string }): Promise<Row> {
  const ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
  let last: { sessions: Array<{ totalConnections: number }> } | undefined;
  const service = new TunnelService({
    ssm: async () => ssm,
    emit: (name, payload) => {
      if (name === 'tunnels.stats') last = (payload as { stats: Array<{ sessions: Array<{ totalConnections: number }> }> }).stats[0];
    },
    statsIntervalMs: 200,
  });
  try {
    const tunnel = await service.start({
      profile: 'bench',
      region: sandbox.region,
      target: sandbox.nodeId,
      remotePort: sourcePort,
      localPort: 0,
      bindAddress: '127.0.0.1',
      poolSize: pool,
    });
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONNS }, () => download(tunnel.localPort)));
    const seconds = (performance.now() - t0) / 1000;
    const loop = performance.eventLoopUtilization(elu0).utilization;
    await new Promise((r) => setTimeout(r, 300)); // one more stats tick
    const row: Row = {
      pool,
      mode: tunnel.mode ?? '-',
      seconds,
      mbps: (CONNS * PER_CONN) / MB / seconds,
      loop,
      perSession: (last?.sessions ?? []).map((s) => s.totalConnections).join('/'),
    };
    await service.stop(tunnel.id);
    return row;
  } finally {
    await service.dispose();
    ssm.destroy();
  }
}

async function main(): Promise<void> {
  const src = await source();
  const sandbox = await startSandboxProcess(true);
  const nodeId = await onlineLinuxNode(sandbox);
  const rows: Row[] = [];
  for (const pool of POOLS) rows.push(await run(pool, src.port, { ...sandbox, nodeId }));
  sandbox.stop();
  src.close();
  const single = rows[0].mbps;
  process.stdout.write(`${CONNS} parallel downloads × ${PER_CONN / MB} MB through one local port, sandbox agent pacing ON (~1 MB/s per session)\n`);
  process.stdout.write(`${'tunnel'.padEnd(26)}${'mode'.padEnd(13)}${'seconds'.padStart(9)}${'MB/s'.padStart(8)}${'× single'.padStart(10)}${'loop busy'.padStart(11)}  conns per session\n`);
  for (const r of rows) {
    const name = r.pool === 1 ? 'single session (pool 1)' : `pool of ${r.pool} sessions`;
    process.stdout.write(
      `${name.padEnd(26)}${r.mode.padEnd(13)}${r.seconds.toFixed(2).padStart(9)}${r.mbps.toFixed(2).padStart(8)}${(r.mbps / single).toFixed(2).padStart(10)}${`${Math.round(r.loop * 100)} %`.padStart(11)}  ${r.perSession}\n`,
    );
  }
  const by = (n: number) => rows.find((r) => r.pool === n)!.mbps;
  process.stdout.write(`ratio pool 8 / single: ${(by(8) / single).toFixed(2)}   pool 4 / single: ${(by(4) / single).toFixed(2)}\n`);
  process.stdout.write('(sandbox service + paced agent in a child process; loop busy = this process: Hatch client + source server.\n' + ' The reference plugin gets one paced session per local port.)\n');
  process.exit(0);
}

void main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
