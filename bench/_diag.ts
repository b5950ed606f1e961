// temporary diagnostics (deleted before hand-off)
import { SSMClient, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import net from 'node:net';
import { performance, monitorEventLoopDelay } from 'node:perf_hooks';
import { connectDataChannel } from '../src/main/protocol/client';
import { startPortSession } from '../src/main/protocol/port-session';
import { startSandbox } from '../src/sandbox/index';
import { RtoEstimator, DataChannel } from '../src/main/protocol/channel';

const MB = 1_000_000;
const SIZE = Number(process.env.HATCH_BENCH_MB ?? 20) * MB;
const CHUNK = Buffer.alloc(64 * 1024, 0x5a);
const samples: number[] = [];
const rtos: number[] = [];
const origSample = RtoEstimator.prototype.sample;
RtoEstimator.prototype.sample = function (this: RtoEstimator, r: number) {
  samples.push(r);
  origSample.call(this, r);
  rtos.push(this.rtoMs);
};
const resendAges: number[] = [];
const proto = DataChannel.prototype as unknown as { transmit: (o: { lastSent: number; seq: number }, re: boolean) => void };
const origTx = proto.transmit;
proto.transmit = function (this: DataChannel, o, re) {
  if (re) resendAges.push(Date.now() - o.lastSent);
  origTx.call(this, o, re);
};

async function destination(): Promise<{ port: number; close: () => void }> {
  const srv = net.createServer((s) => {
    let got = -1;
    s.on('data', (d: Buffer) => {
      if (got < 0) got = d.length - d.indexOf(10) - 1;
      else got += d.length;
      if (got >= SIZE) s.end('ok\n');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, close: () => srv.close() };
}
function upload(port: number, n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = net.connect(port, '127.0.0.1');
    s.on('error', reject);
    s.on('data', () => { resolve((performance.now() - t0) / 1000); s.destroy(); });
    s.write(`U ${n}\n`);
    let left = n;
    const pump = () => {
      while (left > 0) {
        const piece = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
        left -= piece.length;
        if (!s.write(piece)) return void s.once('drain', pump);
      }
    };
    pump();
  });
}
function pct(a: number[], p: number) { const s = [...a].sort((x, y) => x - y); return s[Math.floor((s.length - 1) * p)] ?? NaN; }
async function main() {
  const pacing = process.env.PACING === '1';
  const dest = await destination();
  const sandbox = await startSandbox({ agentPacing: pacing });
  const ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
  const node = sandbox.fleet.nodes.find((n) => n.pingStatus === 'Online' && n.platformType === 'Linux' && n.region === sandbox.region)!;
  const started = await ssm.send(new StartSessionCommand({ Target: node.instanceId, DocumentName: 'AWS-StartPortForwardingSession', Parameters: { portNumber: [String(dest.port)], localPortNumber: ['0'] } }));
  const client = await connectDataChannel({ streamUrl: started.StreamUrl!, tokenValue: started.TokenValue!, sessionId: started.SessionId!, target: node.instanceId, maxMessageSize: 1024, window: process.env.WINDOW ? Number(process.env.WINDOW) : undefined });
  const ps = await startPortSession(client, { bindAddress: '127.0.0.1' });
  samples.length = 0; rtos.length = 0; resendAges.length = 0;
  const sockAny = (client.channel as unknown as { socket: { send: (f: Buffer) => void } }).socket;
  const origSend = sockAny.send.bind(sockAny);
  let sends = 0, batches = 0, inBatch = false;
  const batchSizes: number[] = [];
  let cur = 0;
  sockAny.send = (f: Buffer) => { sends++; cur++; if (!inBatch) { inBatch = true; batches++; process.nextTick(() => { inBatch = false; batchSizes.push(cur); cur = 0; }); } origSend(f); };
  const inflight: number[] = []; const queued: number[] = [];
  const iv = setInterval(() => { const st = client.channel.stats(); inflight.push(st.inFlight); queued.push(st.queuedMessages); }, 1);
  const h = monitorEventLoopDelay({ resolution: 1 }); h.enable();
  const t = await upload(ps.listenInfo!.port, SIZE);
  h.disable(); clearInterval(iv);
  console.log(`sends=${sends} batches=${batches} avg=${(sends / batches).toFixed(1)} p50=${pct(batchSizes, 0.5)} p90=${pct(batchSizes, 0.9)}`);
  console.log(`inflight p50=${pct(inflight, 0.5)} p90=${pct(inflight, 0.9)} max=${Math.max(...inflight)}; queued p50=${pct(queued, 0.5)} p90=${pct(queued, 0.9)}`);
  const st = client.channel.stats();
  console.log(`up ${(SIZE / MB / t).toFixed(1)} MB/s  retx=${st.retransmissions} srtt=${st.srttMs.toFixed(1)} rto=${st.rtoMs.toFixed(1)}`);
  console.log(`samples n=${samples.length} p10=${pct(samples, 0.1)} p50=${pct(samples, 0.5)} p90=${pct(samples, 0.9)} p99=${pct(samples, 0.99)} max=${Math.max(...samples)}`);
  console.log(`rto p10=${pct(rtos, 0.1).toFixed(1)} p50=${pct(rtos, 0.5).toFixed(1)} p90=${pct(rtos, 0.9).toFixed(1)}`);
  console.log(`resend ages n=${resendAges.length} p50=${pct(resendAges, 0.5)} max=${Math.max(...resendAges)}`);
  console.log(`loop delay p50=${(h.percentile(50) / 1e6).toFixed(1)} p99=${(h.percentile(99) / 1e6).toFixed(1)} max=${(h.max / 1e6).toFixed(1)} ms`);
  await ps.close({ terminate: true });
  client.close();
  await ssm.send(new TerminateSessionCommand({ SessionId: started.SessionId! })).catch(() => undefined);
  ssm.destroy();
  await sandbox.close();
  dest.close();
  process.exit(0);
}
void main();
