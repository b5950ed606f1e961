// A destination slower than the tunnel, through real sockets: the client's local port, the
// native engine, the sandbox agent and a TCP server that first stops reading, then reads at a
// trickle. The agent must respect the destination socket's back-pressure: while a write says
// "full" it takes no more client data (messages wait unacknowledged in its 10,000-message
// receive buffer and the client's window fills), so what it holds stays bounded however much
// the client has to send, and every byte still arrives, in order.
// HATCH_SLOW_DEST_BYTES sets the upload (default 32 MB); HATCH_SLOW_DEST_PRINT=1 prints the peaks.
import { SSMClient } from '@aws-sdk/client-ssm';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, ssmSessionCalls } from '../../src/protocol/opener';
import { startPortSession } from '../../src/protocol/port-session';
import { AGENT_RECEIVE_BUFFER } from '../../src/sandbox/agent/session';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';

const BYTES = Number(process.env.HATCH_SLOW_DEST_BYTES ?? 32 * 1000 * 1000);
/** The destination reads nothing for this long after the first bytes arrive… */
const STALL_MS = 2000;
/** …then at most this many bytes per 50 ms slot (≈ 5 MB/s) until this many arrived, then at full speed. */
const TRICKLE_PER_SLOT = 256 * 1024;
const TRICKLE_UNTIL = 8 * 1000 * 1000;
/**
 * What the agent may hold for one connection: its receive buffer full of 1 KiB messages, plus
 * the plugin's own bounded buffers (smux: 1 MiB unread per stream and 64 KiB of wire input;
 * the destination socket's high-water mark and one frame beyond it).
 */
const BOUND = AGENT_RECEIVE_BUFFER * 1024 + 2 * 1024 * 1024;

let sandbox: Sandbox;
let ssm: SSMClient;
const nodes: Record<'multiplexed' | 'basic', string> = { multiplexed: '', basic: '' };

beforeAll(async () => {
  sandbox = await startSandbox({ agentPacing: false });
  ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
  const linux = sandbox.fleet.nodes.filter((n) => n.pingStatus === 'Online' && n.platformType === 'Linux' && n.region === sandbox.region);
  // Agents up to 3.0.196.0 forward one connection at a time (basic); later ones multiplex (smux).
  const isOld = (v: string) => {
    const [a, b, c] = v.split('.').map(Number);
    return a < 3 || (a === 3 && b === 0 && c <= 196);
  };
  nodes.multiplexed = linux.find((n) => !isOld(n.agentVersion))?.instanceId ?? '';
  nodes.basic = linux.find((n) => isOld(n.agentVersion))?.instanceId ?? '';
});

afterAll(async () => {
  ssm?.destroy();
  await sandbox?.close();
});

/** The uploaded bytes: a cheap pattern that shows a lost, doubled or misplaced piece. */
function piece(offset: number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i += 4) b.writeUInt32LE((offset + i) >>> 0, i);
  return b;
}

/** A server that stalls, then trickles; resolves with the SHA-256 of all it read once it has `n` bytes. */
async function slowDestination(n: number): Promise<{ port: number; received: Promise<string>; close: () => void }> {
  let done!: (digest: string) => void;
  const received = new Promise<string>((r) => (done = r));
  const srv = net.createServer((s) => {
    s.on('error', () => undefined);
    s.pause();
    const h = createHash('sha256');
    let got = 0;
    let slotLeft = TRICKLE_PER_SLOT;
    const nextSlot = () => {
      slotLeft = TRICKLE_PER_SLOT;
      s.resume();
    };
    s.on('data', (d: Buffer) => {
      h.update(d);
      got += d.length;
      if (got >= n) {
        done(h.digest('hex'));
        s.end();
        return;
      }
      slotLeft -= d.length;
      if (got < TRICKLE_UNTIL && slotLeft <= 0) {
        s.pause();
        setTimeout(nextSlot, 50);
      }
    });
    setTimeout(() => s.resume(), STALL_MS);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, received, close: () => srv.close() };
}

/** Rejects after `ms`, saying what it waited for and what it saw. */
function within<T>(what: string, ms: number, p: Promise<T>, seen: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up after ${ms / 1000} s waiting for ${what}; saw: ${seen()}`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

describe('a destination slower than the tunnel', () => {
  for (const mode of ['multiplexed', 'basic'] as const) {
    it(`${mode}: the agent takes no more than it can hold until the destination drains, and every byte arrives in order`, async () => {
      const target = nodes[mode];
      expect(target, `the sandbox fleet has a Linux node for ${mode} forwarding`).not.toBe('');
      const dest = await slowDestination(BYTES);
      const { client, terminate } = await openSession({
        calls: ssmSessionCalls(ssm),
        target,
        start: { Target: target, DocumentName: 'AWS-StartPortForwardingSession', Parameters: { portNumber: [String(dest.port)], localPortNumber: ['0'] } },
      });
      const ps = await startPortSession(client, { bindAddress: '127.0.0.1' });
      expect(ps.mode).toBe(mode);
      let peakHeld = 0;
      let peakInput = 0;
      let sawHold = false;
      let sent = 0;
      const sample = () => {
        const info = sandbox.agent.session(client.sessionId);
        if (!info) return;
        peakHeld = Math.max(peakHeld, info.inputBuffered + info.channel.parkedBytes);
        peakInput = Math.max(peakInput, info.inputBuffered);
        if (info.channel.readBlocked) sawHold = true;
      };
      const sampler = setInterval(sample, 20);
      const local = net.connect(ps.listenInfo!.port, '127.0.0.1');
      try {
        local.on('error', () => undefined);
        const want = createHash('sha256');
        const pump = () => {
          while (sent < BYTES) {
            const p = piece(sent, Math.min(64 * 1024, BYTES - sent));
            want.update(p);
            sent += p.length;
            if (!local.write(p)) return void local.once('drain', pump);
          }
        };
        pump();
        const got = await within(`the slow destination to receive ${BYTES} bytes`, 120_000, dest.received, () => `${sent} bytes written locally, agent holding at most ${peakHeld}`);
        sample();
        if (process.env.HATCH_SLOW_DEST_PRINT) process.stdout.write(`${mode}: peak held ${peakHeld}, peak plugin input ${peakInput}, bound ${BOUND}\n`);
        expect(got).toBe(want.digest('hex'));
        // The hold was used, and what the agent held never passed its receive buffer and the
        // plugin's own bounds (without it, the agent took the whole upload while the
        // destination stalled).
        expect(peakHeld).toBeLessThanOrEqual(BOUND);
        expect(peakInput).toBeLessThanOrEqual(2 * 1024 * 1024);
        expect(sawHold).toBe(true);
      } finally {
        clearInterval(sampler);
        local.destroy();
        await ps.close({ terminate: true });
        client.close();
        await terminate().catch(() => undefined);
        dest.close();
      }
    }, 150_000);
  }
});
