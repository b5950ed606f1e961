// Port forwarding end to end against the sandbox: through `aws ssm start-session` with
// hatch-ssm-plugin, and through the engine API (connectDataChannel + startPortSession),
// multiplexed (current agent) and basic (an agent older than 3.0.196.0).
// HATCH_PF_BYTES sets the bytes per direction per connection (default 100 MB, as the issue asks).
import { ResumeSessionCommand, SSMClient, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDataChannel, type DataChannelClient } from '../../src/protocol/client';
import { startPortSession, type PortSession } from '../../src/protocol/port-session';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';
import { awsCliEnvWithPlugin, ensurePluginBuilt } from '../helpers/built-bundle';

const BYTES = Number(process.env.HATCH_PF_BYTES ?? 100 * 1000 * 1000);


const sha = (b: Buffer | Buffer[]) => {
  const h = createHash('sha256');
  for (const x of Array.isArray(b) ? b : [b]) h.update(x);
  return h.digest('hex');
};

let sandbox: Sandbox;
let ssm: SSMClient;
let binDir: string;
let env: Record<string, string>;
let modernNode: string;
let oldNode: string;
let jumpNode: string;
let jumpHost: string;
let echoPort: number;
const servers: net.Server[] = [];

async function listen(handler: (s: net.Socket) => void): Promise<number> {
  const srv = net.createServer(handler);
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return (srv.address() as net.AddressInfo).port;
}

/** Deterministic download payload for the source server: seeded by the requested size. */
const sourceData = (n: number) => {
  const seed = createHash('sha256').update(String(n)).digest();
  const out = Buffer.allocUnsafe(n);
  for (let off = 0; off < n; off += seed.length) seed.copy(out, off, 0, Math.min(seed.length, n - off));
  return out;
};

beforeAll(async () => {
  await ensurePluginBuilt();
  sandbox = await startSandbox({ agentPacing: false });
  ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
  ({ binDir, env } = awsCliEnvWithPlugin(sandbox.env));
  const linux = sandbox.fleet.nodes.filter((n) => n.pingStatus === 'Online' && n.platformType === 'Linux' && n.region === sandbox.region);
  const cmp = (v: string) => v.split('.').map(Number);
  const isOld = (v: string) => {
    const [a, b, c] = cmp(v);
    return a < 3 || (a === 3 && b === 0 && c <= 196);
  };
  modernNode = linux.find((n) => !isOld(n.agentVersion))!.instanceId;
  oldNode = linux.find((n) => isOld(n.agentVersion))?.instanceId ?? '';
  if (!oldNode) throw new Error('the sandbox fleet has no node with an agent ≤ 3.0.196.0');
  const jump = linux.find((n) => !isOld(n.agentVersion) && Object.entries(n.hostMap ?? {}).some(([h, a]) => h !== 'localhost' && a === '127.0.0.1'));
  if (!jump) throw new Error('the sandbox fleet has no node with a remote host mapped to loopback');
  jumpNode = jump.instanceId;
  jumpHost = Object.entries(jump.hostMap ?? {}).find(([h, a]) => h !== 'localhost' && a === '127.0.0.1')![0];
  // One destination for every tunnel: the first line picks the behaviour.
  //   "E\n"   → echo every following byte back;
  //   "S <n>\n" → send n deterministic bytes, then close (a download).
  echoPort = await listen((s) => {
    s.on('error', () => undefined);
    let head = '';
    const onHead = (d: Buffer) => {
      head += d.toString('latin1');
      const nl = head.indexOf('\n');
      if (nl < 0) return;
      s.off('data', onHead);
      const line = head.slice(0, nl);
      const rest = Buffer.from(head.slice(nl + 1), 'latin1');
      if (line === 'E') {
        if (rest.length) s.write(rest);
        s.pipe(s);
      } else {
        s.end(sourceData(Number(line.slice(2))));
      }
    };
    s.on('data', onHead);
  });
});

afterAll(async () => {
  ssm?.destroy();
  for (const s of servers) s.close();
  await sandbox?.close();
  if (binDir) rmSync(binDir, { recursive: true, force: true });
});

/** Upload `n` random bytes through the tunnel to the echo server; both hashes must match. */
function echoThrough(port: number, n: number): Promise<{ sent: string; got: string }> {
  const data = randomBytes(n);
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const h = createHash('sha256');
    let got = 0;
    s.on('data', (d: Buffer) => {
      h.update(d);
      got += d.length;
      if (got >= n) {
        s.end();
        resolve({ sent: sha(data), got: h.digest('hex') });
      }
    });
    s.on('error', reject);
    s.on('close', () => got < n && reject(new Error(`connection closed after ${got} of ${n} bytes`)));
    s.write('E\n');
    s.write(data);
  });
}

/** Download `n` bytes through the tunnel from the source server. */
function downloadThrough(port: number, n: number): Promise<{ want: string; got: string; len: number }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    let len = 0;
    s.on('data', (d: Buffer) => {
      parts.push(d);
      len += d.length;
    });
    s.on('error', reject);
    s.on('end', () => resolve({ want: sha(sourceData(n)), got: sha(parts), len }));
    s.write(`S ${n}\n`);
  });
}

async function engineTunnel(target: string, remotePort: number): Promise<{ client: DataChannelClient; ps: PortSession; port: number }> {
  const started = await ssm.send(
    new StartSessionCommand({
      Target: target,
      DocumentName: 'AWS-StartPortForwardingSession',
      Parameters: { portNumber: [String(remotePort)], localPortNumber: ['0'] },
    }),
  );
  const sessionId = started.SessionId!;
  const client = await connectDataChannel({
    streamUrl: started.StreamUrl!,
    tokenValue: started.TokenValue!,
    sessionId,
    target,
    resume: async () => {
      const r = await ssm.send(new ResumeSessionCommand({ SessionId: sessionId }));
      return { tokenValue: r.TokenValue, streamUrl: r.StreamUrl };
    },
    terminateSession: async () => void (await ssm.send(new TerminateSessionCommand({ SessionId: sessionId }))),
  });
  const ps = await startPortSession(client, { bindAddress: '127.0.0.1' });
  return { client, ps, port: ps.listenInfo!.port };
}

async function closeTunnel(t: { client: DataChannelClient; ps: PortSession }): Promise<void> {
  const { flagSent } = await t.ps.close({ terminate: true });
  if (!flagSent) await t.client.terminate(3000);
  t.client.close();
}

describe('engine API port forwarding', () => {
  it('multiplexed: 3 concurrent connections, data each way with matching SHA-256, live counters', async () => {
    const t = await engineTunnel(modernNode, echoPort);
    try {
      expect(t.ps.mode).toBe('multiplexed');
      const [a, b, c] = await Promise.all([echoThrough(t.port, BYTES), echoThrough(t.port, BYTES >> 1), downloadThrough(t.port, BYTES)]);
      expect(a.got).toBe(a.sent);
      expect(b.got).toBe(b.sent);
      expect(c.len).toBe(BYTES);
      expect(c.got).toBe(c.want);
      expect(t.ps.stats.totalConnections).toBe(3);
      expect(t.ps.stats.bytesDown).toBeGreaterThanOrEqual(BYTES + (BYTES >> 1) + BYTES);
      expect(t.ps.stats.bytesUp).toBeGreaterThanOrEqual(BYTES + (BYTES >> 1));
    } finally {
      await closeTunnel(t);
    }
  });

  it('multiplexed: ConnectToPortError resets the local socket and names the refused port', async () => {
    const dead = await listen(() => undefined);
    servers.pop()?.close();
    await new Promise((r) => setImmediate(r));
    const t = await engineTunnel(modernNode, dead);
    try {
      const errP = new Promise<{ remotePort: string }>((r) => t.ps.once('connectToPortError', r));
      const sock = net.connect(t.port, '127.0.0.1');
      const closed = new Promise<{ code?: string; bytes: number }>((resolve) => {
        let bytes = 0;
        let code: string | undefined;
        sock.on('data', (d: Buffer) => (bytes += d.length));
        sock.on('error', (e: NodeJS.ErrnoException) => (code = e.code));
        sock.on('close', () => resolve({ code, bytes }));
      });
      sock.write('hello');
      expect((await errP).remotePort).toBe(String(dead));
      const c = await closed;
      expect(c.bytes).toBe(0);
      expect(c.code).toBe('ECONNRESET');
      // A refused stream does not end the session: the listener stays up.
      expect(t.ps.isClosed).toBe(false);
    } finally {
      await closeTunnel(t);
    }
  });

  it('basic mode against an old agent: 3 concurrent connections are served one at a time', async () => {
    const t = await engineTunnel(oldNode, echoPort);
    try {
      expect(t.ps.mode).toBe('basic');
      const n = Math.max(1024, BYTES >> 2);
      const rs = await Promise.all([echoThrough(t.port, n), echoThrough(t.port, n), echoThrough(t.port, n)]);
      for (const r of rs) expect(r.got).toBe(r.sent);
      expect(t.ps.stats.totalConnections).toBe(3);
    } finally {
      await closeTunnel(t);
    }
  });
});

/** Runs `aws ssm start-session` for a port document in its own process group. */
function awsPortForward(target: string, remotePort: number, host?: string) {
  const child = spawn(
    '/usr/bin/aws',
    [
      'ssm',
      'start-session',
      '--target',
      target,
      '--document-name',
      host ? 'AWS-StartPortForwardingSessionToRemoteHost' : 'AWS-StartPortForwardingSession',
      '--parameters',
      `${host ? `host=${host},` : ''}portNumber=${remotePort},localPortNumber=0`,
      '--endpoint-url',
      sandbox.endpoint,
      '--region',
      sandbox.region,
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const port = new Promise<number>((resolve, reject) => {
    const check = () => {
      const m = /Port (\d+) opened for sessionId/.exec(out);
      if (m) {
        child.stdout.off('data', check);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', check);
    void exited.then(() => reject(new Error(`aws exited before the port opened:\n${out}`)));
  });
  return {
    port,
    exited,
    output: () => out,
    /** Ctrl-C the way a terminal does it: SIGINT to the whole process group. */
    interrupt: () => process.kill(-(child.pid as number), 'SIGINT'),
  };
}

describe('aws ssm start-session port forwarding through hatch-ssm-plugin', () => {
  it('multiplexed: prints the reference lines, forwards 3 concurrent connections, Ctrl-C ends cleanly', async () => {
    const run = awsPortForward(modernNode, echoPort);
    const port = await run.port;
    expect(run.output()).toMatch(/Port \d+ opened for sessionId \S+\.\nWaiting for connections\.\.\.\n/);
    const rs = await Promise.all([echoThrough(port, BYTES), echoThrough(port, 1), downloadThrough(port, BYTES)]);
    expect(rs[0].got).toBe(rs[0].sent);
    expect(rs[1].got).toBe(rs[1].sent);
    expect(rs[2].got).toBe((rs[2] as { want: string }).want);
    expect(run.output()).toMatch(/\nConnection accepted for session \[\S+\]\n/);
    run.interrupt();
    const code = await run.exited;
    expect(run.output()).toMatch(/Terminate signal received, exiting\.\n/);
    expect(run.output()).toMatch(/Exiting session with sessionId: \S+\./);
    expect(code).toBe(0);
  });

  it('AWS-StartPortForwardingSessionToRemoteHost reaches the remote host; an unknown host reports ConnectToPortError', async () => {
    const run = awsPortForward(jumpNode, echoPort, jumpHost);
    const port = await run.port;
    const r = await echoThrough(port, 100_000);
    expect(r.got).toBe(r.sent);
    run.interrupt();
    expect(await run.exited).toBe(0);

    const bad = awsPortForward(jumpNode, echoPort, 'no-such-host.invalid');
    const badPort = await bad.port;
    const closed = await new Promise<{ code?: string; bytes: number }>((resolve) => {
      const sock = net.connect(badPort, '127.0.0.1');
      let bytes = 0;
      let code: string | undefined;
      sock.on('data', (d: Buffer) => (bytes += d.length));
      sock.on('error', (e: NodeJS.ErrnoException) => (code = e.code));
      sock.on('close', () => resolve({ code, bytes }));
      sock.write('E\nhello');
    });
    expect(closed.bytes).toBe(0);
    expect(closed.code).toBe('ECONNRESET');
    while (!/Connection to destination port failed, check SSM Agent logs\./.test(bad.output())) await new Promise((r) => setTimeout(r, 20));
    bad.interrupt();
    expect(await bad.exited).toBe(0);
  });

  it('AWS-StartSSHSession (no type): stdio forwarding, stdin EOF ends the session', async () => {
    const child = spawn(
      '/usr/bin/aws',
      ['ssm', 'start-session', '--target', modernNode, '--document-name', 'AWS-StartSSHSession', '--parameters', `portNumber=${echoPort}`, '--endpoint-url', sandbox.endpoint, '--region', sandbox.region],
      { env, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = Buffer.alloc(0);
    const payload = randomBytes(300_000);
    const echoed = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out = Buffer.concat([out, d]);
        if (out.includes(payload)) resolve();
      });
    });
    child.stdin.write('E\n');
    child.stdin.write(payload);
    await echoed;
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(out.toString('latin1')).toMatch(/^\nStarting session with SessionId: /);
  });

  it('basic mode (old agent): per-connection lines and data intact', async () => {
    const run = awsPortForward(oldNode, echoPort);
    const port = await run.port;
    const n = Math.max(1024, BYTES >> 2);
    const rs = await Promise.all([echoThrough(port, n), echoThrough(port, n), echoThrough(port, n)]);
    for (const r of rs) expect(r.got).toBe(r.sent);
    expect(run.output().match(/Connection accepted for session \S+\.\n/g)?.length).toBe(3);
    run.interrupt();
    expect(await run.exited).toBe(0);
  });
});
