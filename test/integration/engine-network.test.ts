// The native engine on real-network conditions, against the sandbox through real sockets:
// a service that throttles (drops a growing share above a rate), a long round trip.
import { SSMClient } from '@aws-sdk/client-ssm';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openSession, ssmSessionCalls } from '../../src/protocol/opener';
import { startPortSession } from '../../src/protocol/port-session';
import { ShellSession } from '../../src/protocol/shell-session';
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

/** A shell through the opener with the given client options, on a sandbox with `timeScale`. */
async function shell(timeScale: number, options: Partial<Parameters<typeof openSession>[0]> = {}) {
  sandbox = await startSandbox({ agentPacing: false, timeScale });
  ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
  const node = sandbox.fleet.nodes.find((n) => n.pingStatus === 'Online' && n.platformType === 'Linux' && n.region === sandbox!.region)!;
  const events: string[] = [];
  const { client } = await openSession({
    calls: ssmSessionCalls(ssm),
    target: node.instanceId,
    start: { Target: node.instanceId },
    onClient: (c) => {
      c.on('resuming', () => events.push('resuming'));
      c.on('resumed', () => events.push('resumed'));
      c.on('retrying', (r) => events.push(`retrying ${r.attempt}`));
    },
    ...options,
  });
  const sh = new ShellSession(client, { cols: 100, rows: 30 });
  let text = '';
  sh.onData((d) => (text += d.toString('utf8')));
  const until = async (what: string, check: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what}; events: ${events.join(', ')}; output tail: ${JSON.stringify(text.slice(-200))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  await until('the prompt', () => /[$#] $/m.test(text), 15_000);
  return { client, sh, events, output: () => text, until };
}

describe('engine: dead links (half-open stalls)', () => {
  it('a stalled socket is noticed by keep-alive and the shell resumes within 10 s of the stall ending, nothing lost', async () => {
    const { client, sh, events, output, until } = await shell(1, { pingIntervalMs: 1000, pongTimeoutMs: 2000 });
    sh.write('echo before-$((1+1))\r');
    await until('the first echo', () => output().includes('before-2'), 10_000);
    const stallMs = 6000;
    sandbox!.agent.stall(stallMs, client.sessionId);
    const stallEnds = Date.now() + stallMs;
    // Typed while the network is gone: kept and delivered after the resume.
    sh.write('echo during-$((2+2))\r');
    await until('keep-alive to notice the silent connection', () => events.includes('resuming'), stallMs + 5000);
    await until('the resume after the stall ended (deadline: 10 s after it)', () => events.includes('resumed'), stallEnds + 10_000 - Date.now());
    await until('the keystrokes typed during the stall to run', () => output().includes('during-4'), 10_000);
    sh.write('echo after-$((3+3))\r');
    await until('a command after the resume', () => output().includes('after-6'), 10_000);
    expect(events.filter((e) => e.startsWith('retrying')).length).toBeGreaterThan(0);
    expect(sandbox!.agent.stats().stalledFrames).toBeGreaterThan(0);
    await sh.terminate(3000);
  });

  it('a stall of several minutes inside the idle timeout (time-compressed 30×) also resumes', async () => {
    // 30×: the 20-minute idle timeout passes in 40 s, a 4-minute stall in 8 s.
    const scale = 30;
    const idleMs = (20 * 60_000) / scale;
    const { client, sh, events, output, until } = await shell(scale, { pingIntervalMs: 1000, pongTimeoutMs: 2000, reconnect: { giveUpAfterMs: idleMs } });
    sh.write('export MARK=kept-$((20+1))\r');
    sh.write('echo set-$MARK\r');
    await until('the variable to be set', () => output().includes('set-kept-21'), 10_000);
    const stallMs = (4 * 60_000) / scale;
    sandbox!.agent.stall(4 * 60_000, client.sessionId);
    const stallEnds = Date.now() + stallMs;
    await until('keep-alive to notice', () => events.includes('resuming'), stallMs);
    await until('the resume (deadline: 10 s after the stall ended)', () => events.includes('resumed'), stallEnds + 10_000 - Date.now());
    // The same shell, its state intact.
    sh.write('echo again-$MARK\r');
    await until('the shell to answer after the long stall', () => output().includes('again-kept-21'), 10_000);
    await sh.terminate(3000);
  });

  it('gives up only when the idle timeout has passed, and says why', async () => {
    const { client, sh, until } = await shell(1, { pingIntervalMs: 500, pongTimeoutMs: 1000, reconnect: { giveUpAfterMs: 4000 } });
    sandbox!.agent.stall(60_000, client.sessionId);
    const end = await Promise.race([client.ended, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    expect(end).not.toBeNull();
    expect(end!.reason).toBe('connection-lost');
    expect(end!.message).toMatch(/could not be restored within the idle timeout \(4 s\)/);
    void until;
    sh.close();
  });
});
