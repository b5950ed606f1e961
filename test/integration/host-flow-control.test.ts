// Terminal flow control through HatchHost against the sandbox: a renderer that stops
// acknowledging output while `yes` runs remotely. Main's buffered output stays within the
// high-water mark plus one batch, the remote producer itself stops (the agent's window
// fills because acknowledgements are withheld), and once the renderer acknowledges again
// the output resumes with nothing lost or mangled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { DataChannel } from '../../src/protocol/channel';
import { HIGH_WATER_CHARS } from '../../src/main/sessions/session-output';
import { DEFAULT_MAX_BATCH_CHARS } from '../../src/main/sessions/output-batcher';
import { plainLines, startHostHarness, sleep, waitFor, waitForAsync, type HostHarness } from '../helpers/host-harness';

let h: HostHarness;

beforeAll(async () => {
  h = await startHostHarness({ sandbox: { agentPacing: false } });
});

afterAll(async () => {
  await h?.dispose();
});

// SessionOutput's and OutputBatcher's defaults.
const HIGH_WATER = HIGH_WATER_CHARS;
const BOUND = HIGH_WATER_CHARS + DEFAULT_MAX_BATCH_CHARS;

interface Stats {
  bufferedChars: number;
  outputPaused: boolean;
}

/** Bytes written so far by the local process running `yes <arg>` (the sandbox's shells are local). */
function bytesWrittenBy(arg: string): number | null {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv[0] === 'yes' && argv[1] === arg) return Number(/^wchar:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
    } catch {
      // the process went away while we looked
    }
  }
  return null;
}

describe('terminal flow control', () => {
  it('bounds what main holds while the renderer does not acknowledge, stops the remote producer, and resumes intact', async () => {
    const session = await h.shell('web-1', { autoAck: false });
    await h.ackAll(session.id); // the prompt
    const nonce = randomBytes(4).toString('hex');
    // The remote shell computes the line, so the echoed command never matches it.
    const line = `FLOW42MARK-${nonce}`;
    const lines = 600_000; // ≈ 12 MB of output: 20× what main may hold, more than the agent's window
    await h.call('sessions.write', { sessionId: session.id, data: `yes FLOW$((6*7))MARK-${nonce} | head -n ${lines}; echo FLOW-DONE-$((40+2))\r` });

    // Not acknowledging: flow control engages.
    const stats = () => h.call<Stats>('sessions.stats', { sessionId: session.id });
    const paused = await waitForAsync(async () => {
      const s = await stats();
      return s.outputPaused ? s : undefined;
    }, 20_000, 'output to pause');
    expect(paused.bufferedChars).toBeGreaterThan(HIGH_WATER);

    // The remote producer stops too, once the agent's window of unacknowledged messages is
    // full: `yes` stays alive, blocked on its pty. (Until then the agent keeps sending and
    // main's DataChannel parks what arrives: see the known defect below.)
    const marker = `FLOW42MARK-${nonce}`;
    const reads: number[] = [];
    const stopped = await waitForAsync(async () => {
      const written = bytesWrittenBy(marker);
      expect(written, '`yes` is running').not.toBeNull();
      reads.push(written!);
      await sleep(200);
      const last = reads.slice(-3);
      return last.length === 3 && last.every((r) => r === last[0]) ? last[0] : undefined;
    }, 20_000, 'the remote producer to stop');

    // While paused, sample main's buffered size and what the remote `yes` has written.
    const samples: number[] = [];
    const remote: Array<number | null> = [];
    for (let i = 0; i < 10; i++) {
      const now = await stats();
      samples.push(now.bufferedChars);
      expect(now.outputPaused).toBe(true);
      remote.push(bytesWrittenBy(marker));
      await sleep(50);
    }
    // THE BOUND: never more than the high-water mark plus one batch.
    expect(Math.max(...samples)).toBeLessThanOrEqual(BOUND);
    // Nothing is acknowledged, so everything the renderer received is still held by main.
    expect(h.output(session.id).length).toBeLessThanOrEqual(BOUND);
    expect(h.output(session.id).includes('FLOW-DONE-42')).toBe(false);
    // The producer stays stopped, short of the end.
    expect(remote).toEqual(remote.map(() => stopped));
    expect(stopped).toBeLessThan(lines * (line.length + 1));

    // The renderer acknowledges again, batch by batch: the rest arrives.
    h.autoAck(session.id, true);
    await waitFor(() => h.output(session.id).includes('FLOW-DONE-42'), 45_000, 'the flood to complete');
    const all = plainLines(h.output(session.id)).filter((l) => l.includes('FLOW42MARK'));
    expect(all.length).toBe(lines);
    expect(all.filter((l) => l !== line)).toEqual([]);
    await h.ackAll(session.id);
    const after = await waitForAsync(async () => {
      const s = await stats();
      return s.bufferedChars === 0 ? s : undefined;
    }, 5_000, 'everything acknowledged');
    expect(after.outputPaused).toBe(false);
    await h.call('sessions.terminate', { sessionId: session.id });
    await h.waitEnded(session.id);
  });
});

// Main's protocol layer while the renderer is behind. The agent's window is what stops the
// producer; while it is paused, DataChannel keeps at most 1 MiB of unacknowledged payload
// and leaves the rest with the agent (resent once acknowledgements flow again) — instead
// of parking the agent's whole window (16 MiB with the sandbox's unpaced 16 KiB messages).
describe('protocol layer while output is paused', () => {
  it('holds no more than 1 MiB of unacknowledged output in DataChannel', async () => {
    let peak = 0;
    const channels: DataChannel[] = [];
    const original = DataChannel.prototype.pauseReading;
    DataChannel.prototype.pauseReading = function (this: DataChannel) {
      if (this.role === 'client' && !channels.includes(this)) channels.push(this);
      original.call(this);
    };
    try {
      const session = await h.shell('web-2', { autoAck: false });
      await h.call('sessions.write', { sessionId: session.id, data: 'yes PARKED\r' });
      await waitFor(() => channels.length > 0, 20_000, 'flow control to pause the channel');
      for (let i = 0; i < 15; i++) {
        peak = Math.max(peak, channels[0].stats().parkedBytes);
        await sleep(100);
      }
      h.autoAck(session.id, true);
      await h.call('sessions.write', { sessionId: session.id, data: '\x03' });
      await h.call('sessions.terminate', { sessionId: session.id });
      await h.waitEnded(session.id);
    } finally {
      DataChannel.prototype.pauseReading = original;
    }
    // The budget, plus the next expected message, which is always kept.
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(1024 * 1024 + 16 * 1024);
  });
});
