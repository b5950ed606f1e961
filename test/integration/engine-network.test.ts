// The native engine on real-network conditions, against the sandbox through real sockets:
// a service that throttles (drops a growing share above a rate), a long round trip.
import { SSMClient } from '@aws-sdk/client-ssm';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openSession, ssmSessionCalls } from '../../src/protocol/opener';
import { startPortSession } from '../../src/protocol/port-session';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';

let sandbox: Sandbox | undefined;
let ssm: SSMClient | undefined;
const servers: net.Server[] = [];
afterEach(async () => {
  ssm?.destroy();
  await sandbox?.close();
  for (const s of servers.splice(0)) s.close();
  sandbox = undefined;
  ssm = undefined;
});

/** A destination that hashes what it receives and answers with the SHA-256 once `n` bytes came. */
async function hashingServer(n: number): Promise<number> {
  const srv = net.createServer((s) => {
    const h = createHash('sha256');
    let got = 0;
    s.on('data', (d: Buffer) => {
      h.update(d);
      got += d.length;
      if (got >= n) s.end(h.digest('hex'));
    });
    s.on('error', () => undefined);
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return (srv.address() as net.AddressInfo).port;
}

async function tunnel(faults: string, destPort: number) {
  sandbox = await startSandbox({ agentPacing: true, faults });
  ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
  const node = sandbox.fleet.nodes.find((n) => n.pingStatus === 'Online' && n.platformType === 'Linux' && n.region === sandbox!.region)!;
  const { client } = await openSession({
    calls: ssmSessionCalls(ssm),
    target: node.instanceId,
    start: { Target: node.instanceId, DocumentName: 'AWS-StartPortForwardingSession', Parameters: { portNumber: [String(destPort)], localPortNumber: ['0'] } },
  });
  const port = await startPortSession(client, { bindAddress: '127.0.0.1' });
  return { client, port };
}

function send(port: number, data: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let answer = '';
    s.on('data', (d: Buffer) => (answer += d.toString()));
    s.on('end', () => resolve(answer));
    s.on('error', reject);
    s.write(data);
  });
}

describe('engine: adaptive window on a throttling service', () => {
  it('the window shrinks under a rate limit and the upload arrives byte-exact', async () => {
    const data = randomBytes(3_000_000);
    const destPort = await hashingServer(data.length);
    // 10 ms each way, and above 1 MB/s a growing share of frames is dropped.
    const { client, port } = await tunnel('delay=10ms,limit=1MB', destPort);
    let maxWindow = 0;
    const probe = setInterval(() => (maxWindow = Math.max(maxWindow, client.channel.stats().windowBytes)), 20);
    const digest = await send(port.listenInfo!.port, data);
    clearInterval(probe);
    expect(digest).toBe(createHash('sha256').update(data).digest('hex'));
    const st = client.channel.stats();
    expect(sandbox!.agent.stats().rateDropped).toBeGreaterThan(0);
    expect(st.congestion!.congestionEvents.loss).toBeGreaterThan(0);
    expect(st.windowBytes).toBeLessThan(maxWindow);
    await port.close({ terminate: true });
    client.close();
  });
});
