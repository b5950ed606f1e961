import { DataChannel } from '../src/main/protocol/channel';
import { socketPair } from '../test/unit/protocol/fake-link';
const [a, b] = socketPair();
// async delivery in batches like a real socket
for (const [s, peer] of [[a, b], [b, a]] as const) {
  let q: Buffer[] = [];
  s.intercept = (f) => { if (q.length === 0) setImmediate(() => { const x = q; q = []; for (const y of x) peer.deliver(y); }); q.push(f); };
}
const client = new DataChannel({ role: 'client', resendTickMs: 0, window: Number(process.env.WINDOW ?? 1024) });
const agent = new DataChannel({ role: 'agent', resendTickMs: 0 });
client.attach(a); agent.attach(b);
const N = 40_000_000; let got = 0; const t0 = performance.now();
agent.on('data', (m) => { got += m.payload.length; if (got >= N) { console.log(`${(N / 1e6 / ((performance.now() - t0) / 1000)).toFixed(1)} MB/s`); process.exit(0); } });
const chunk = Buffer.alloc(64 * 1024, 1); let sent = 0;
const pump = () => { while (sent < N) { sent += chunk.length; if (!client.sendOutput(chunk)) return; } };
client.on('drain', pump); pump();
