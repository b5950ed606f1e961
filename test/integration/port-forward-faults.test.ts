// A tunnel over a bad network: the sandbox drops, duplicates and reorders 1% of the
// data-channel messages each, and the WebSocket is cut in the middle of the transfer.
// Bytes must still arrive complete and in order, each way (SHA-256 compared), through
// retransmission, the out-of-order buffer, duplicate suppression and ResumeSession.
// HATCH_FAULT_BYTES sets the size per direction (default 100 MB, as the issue asks).
import { ResumeSessionCommand, SSMClient, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectDataChannel } from '../../src/protocol/client';
import { startPortSession } from '../../src/protocol/port-session';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';

const BYTES = Number(process.env.HATCH_FAULT_BYTES ?? 100 * 1000 * 1000);
const CHUNK = 1 << 20;

let sandbox: Sandbox;
let ssm: SSMClient;
let server: net.Server;
let serverPort: number;

/** A deterministic stream of bytes: chunk i is filled from SHA-256(i). */
function chunkAt(i: number, size: number): Buffer {
  const seed = createHash('sha256').update(String(i)).digest();
  const out = Buffer.allocUnsafe(size);
  for (let off = 0; off < size; off += seed.length) seed.copy(out, off, 0, Math.min(seed.length, size - off));
  return out;
}

function expectedHash(n: number): string {
  const h = createHash('sha256');
  for (let i = 0, off = 0; off < n; i++, off += CHUNK) h.update(chunkAt(i, Math.min(CHUNK, n - off)));
  return h.digest('hex');
}

/** Write n bytes to a socket with back-pressure. */
async function pump(socket: net.Socket, n: number): Promise<void> {
  for (let i = 0, off = 0; off < n; i++, off += CHUNK) {
    if (!socket.write(chunkAt(i, Math.min(CHUNK, n - off)))) await new Promise((r) => socket.once('drain', r));
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ agentPacing: false, faults: 'drop=0.01,dup=0.01,reorder=0.01,seed=7' });
  ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
  // "U": hash what is uploaded and answer with the hash; "D": send BYTES.
  server = net.createServer((s) => {
    s.once('data', (first: Buffer) => {
      const mode = first.subarray(0, 1).toString();
      if (mode === 'D') return void pump(s, BYTES).then(() => s.end());
      const h = createHash('sha256');
      let got = first.length - 1;
      h.update(first.subarray(1));
      s.on('data', (d: Buffer) => {
        h.update(d);
        got += d.length;
        if (got >= BYTES) s.end(h.digest('hex'));
      });
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  serverPort = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  server?.close();
  ssm?.destroy();
  await sandbox?.close();
});

it(`moves ${BYTES} bytes each way byte-exact through drops, duplicates, reordering and a cut`, async () => {
  const node = sandbox.fleet.nodes.find((n) => n.name === 'db-jump')!;
  const started = await ssm.send(
    new StartSessionCommand({ Target: node.instanceId, DocumentName: 'AWS-StartPortForwardingSession', Parameters: { portNumber: [String(serverPort)], localPortNumber: ['0'] } }),
  );
  const sessionId = started.SessionId!;
  let resumes = 0;
  const client = await connectDataChannel({
    streamUrl: started.StreamUrl!,
    tokenValue: started.TokenValue!,
    sessionId,
    target: node.instanceId,
    resume: async () => {
      resumes++;
      const r = await ssm.send(new ResumeSessionCommand({ SessionId: sessionId }));
      return { tokenValue: r.TokenValue, streamUrl: r.StreamUrl };
    },
    terminateSession: async () => void (await ssm.send(new TerminateSessionCommand({ SessionId: sessionId }))),
  });
  const ps = await startPortSession(client, { bindAddress: '127.0.0.1' });
  const port = ps.listenInfo!.port;
  const want = expectedHash(BYTES);

  // Upload: the far end answers with the hash of what it received.
  const upload = new Promise<string>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write('U');
      void pump(s, BYTES);
    });
    let answer = '';
    s.on('data', (d: Buffer) => (answer += d.toString()));
    s.on('end', () => resolve(answer));
    s.on('error', reject);
  });
  // Download: hash what arrives.
  let downloaded = 0;
  const download = new Promise<string>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write('D'));
    const h = createHash('sha256');
    s.on('data', (d: Buffer) => {
      h.update(d);
      downloaded += d.length;
    });
    s.on('end', () => resolve(h.digest('hex')));
    s.on('error', reject);
  });
  // Cut the data channel once the transfer is well under way.
  const cut = (async () => {
    while (downloaded < BYTES / 3) await new Promise((r) => setTimeout(r, 20));
    sandbox.agent.cutAll();
  })();

  const [up, down] = await Promise.all([upload, download, cut]);
  expect(down).toBe(want);
  expect(downloaded).toBe(BYTES);
  expect(up).toBe(want);
  expect(resumes).toBeGreaterThanOrEqual(1);
  const stats = sandbox.agent.stats();
  expect(stats.dropped).toBeGreaterThan(0);
  expect(stats.duplicated).toBeGreaterThan(0);
  expect(stats.reordered).toBeGreaterThan(0);
  await ps.close({ terminate: true });
  client.close();
}, 300_000);
