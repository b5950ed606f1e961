// Back-pressure from a paused client to the remote shell, through the native engine's
// ShellSession (what hatch-ssm-plugin does when its stdout is slow) against the sandbox agent.
// While the client withholds acknowledgements, the agent's window fills, its output queue
// passes its high-water mark and it stops reading the shell's pty: the producer itself is
// blocked. The client keeps at most 1 MiB of unacknowledged output; what the agent sent
// beyond that stays with the agent and is resent. Once the client reads again, every line
// arrives, in order, nothing lost.
import { SSMClient, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShellSession } from '../../src/protocol/shell-session';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';

let sandbox: Sandbox;
let ssm: SSMClient;
let target: string;

beforeAll(async () => {
  sandbox = await startSandbox({ agentPacing: false });
  ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
  const node = sandbox.fleet.nodes.find((n) => n.pingStatus === 'Online' && n.platformType === 'Linux' && n.region === sandbox.region);
  if (!node) throw new Error('sandbox fleet has no online Linux node');
  target = node.instanceId;
});

afterAll(async () => {
  ssm?.destroy();
  await sandbox?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until check() returns a value; fails saying what it waited for and what it saw. */
async function waitFor<T>(what: string, ms: number, check: () => T | undefined, seen: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`gave up after ${ms / 1000} s waiting for ${what}; saw: ${seen()}`);
    await sleep(100);
  }
}

/** Bytes written so far by the local process with exactly this argv (the sandbox's shells are local). */
function bytesWrittenBy(argv: string[]): number | undefined {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
      if (cmd.length === argv.length && cmd.every((a, i) => a === argv[i])) return Number(/^wchar:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
    } catch {
      /* gone meanwhile */
    }
  }
  return undefined;
}

describe('a paused shell client applies back-pressure to the remote shell', () => {
  it('stops the producer while paused, parks at most 1 MiB, and delivers every line once resumed', async () => {
    const N = 3_000_017; // ≈ 24 MB of output: more than the agent's window (1024 × 16 KiB) and both 1 MiB buffers
    const started = await ssm.send(new StartSessionCommand({ Target: target }));
    const shell = await startShellSession({ streamUrl: started.StreamUrl!, tokenValue: started.TokenValue!, sessionId: started.SessionId!, target, cols: 200, rows: 50 });
    const chunks: Buffer[] = [];
    let size = 0;
    let tail = '';
    shell.onData((d) => {
      chunks.push(d);
      size += d.length;
      tail = (tail + d.toString('latin1')).slice(-200);
    });
    try {
      await waitFor('the shell prompt', 30_000, () => (/[$#] $/.test(tail) ? true : undefined), () => JSON.stringify(tail));
      shell.pauseOutput();
      shell.write(`seq 1 ${N}; echo SEQ-DONE-$((40+2))\r`);

      // The producer stops: what it has written no longer grows.
      const argv = ['seq', '1', String(N)];
      const reads: number[] = [];
      const stoppedAt = await waitFor(
        '`seq` to block on its pty',
        60_000,
        () => {
          const w = bytesWrittenBy(argv);
          if (w === undefined) return undefined;
          reads.push(w);
          const last = reads.slice(-5);
          return last.length === 5 && last.every((r) => r === last[0]) ? last[0] : undefined;
        },
        () => `bytes written by seq: ${reads.slice(-5).join(', ') || 'no seq process'}`,
      );
      let expectedBytes = 0;
      for (let i = 1; i <= N; i++) expectedBytes += String(i).length + 1;
      expect(stoppedAt).toBeLessThan(expectedBytes);
      const parked = shell.client.channel.stats().parkedBytes;
      expect(parked).toBeLessThanOrEqual(1024 * 1024 + 16 * 1024);
      expect(tail.includes('SEQ-DONE-42')).toBe(false);
      // Still stopped a while later (back-pressure holds, nothing is produced into the void).
      await sleep(1000);
      expect(bytesWrittenBy(argv)).toBe(stoppedAt);

      shell.resumeOutput();
      await waitFor('SEQ-DONE-42 after resuming', 120_000, () => (tail.includes('SEQ-DONE-42') ? true : undefined), () => `${size} bytes, ending ${JSON.stringify(tail.slice(-80))}`);
      // Terminal control (bracketed paste off and a carriage return before the command runs) is not part of a line.
      const lines = Buffer.concat(chunks)
        .toString('latin1')
        .split('\r\n')
        // eslint-disable-next-line no-control-regex -- terminal escapes are stripped from the lines
        .map((l) => l.replace(/\x1b\[[0-9;?]*[A-Za-z]|\r/g, ''));
      const numbers = lines.filter((l) => /^\d+$/.test(l));
      let firstWrong = -1;
      for (let i = 0; i < numbers.length && firstWrong < 0; i++) if (numbers[i] !== String(i + 1)) firstWrong = i;
      const at = firstWrong < 0 ? '' : lines.slice(Math.max(0, lines.indexOf(numbers[firstWrong]) - 3), lines.indexOf(numbers[firstWrong]) + 2).join(' | ');
      expect(firstWrong, `line ${firstWrong + 1} is ${numbers[firstWrong]}: ${at}`).toBe(-1);
      expect(numbers.length).toBe(N);
    } finally {
      shell.close();
      await ssm.send(new TerminateSessionCommand({ SessionId: started.SessionId! })).catch(() => undefined);
    }
  }, 240_000);
});
