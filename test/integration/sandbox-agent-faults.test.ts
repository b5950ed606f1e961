// Data-channel fault injection in the sandbox agent: each fault visibly happens, and the
// protocol (acks, retransmission, reordering, resume) still delivers every byte exactly once.
import { afterEach, describe, expect, it } from 'vitest';
import type { DataChannelFaults } from '../../src/sandbox/agent-api';
import { NO_FAULTS, ReliableClient, spec, startHarness, type Harness } from '../unit/sandbox-agent/harness';

const LINES = 6000;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Runs `seq 1 LINES` in a shell and checks every line arrived once, in order. */
async function transfer(
  faults: Partial<DataChannelFaults>,
  opts: { timeScale?: number; beforeRun?: (c: ReliableClient) => Promise<void>; afterRun?: (c: ReliableClient, sessionId: string) => Promise<void> } = {},
) {
  h = await startHarness({ faults: { ...NO_FAULTS, ...faults }, timeScale: opts.timeScale ?? 1 });
  const s = spec('Standard_Stream');
  h.agent.register(s);
  const c = new ReliableClient(h.url(s.sessionId));
  c.autoResume(h, s.sessionId);
  await c.connect(s.tokenValue);
  await c.waitPrompt();
  await opts.beforeRun?.(c);
  c.send(`seq 1 ${LINES}; echo fin-$((2*3))\r`);
  const text = await c.waitText('fin-6\r\n', 'end of transfer');
  const lines = [...text.matchAll(/(?<=\n|\r)(\d+)\r\n/g)].map((m) => Number(m[1]));
  expect(lines).toEqual(Array.from({ length: LINES }, (_, i) => i + 1));
  await opts.afterRun?.(c, s.sessionId);
  const info = h.agent.session(s.sessionId);
  h.agent.terminate(s.sessionId);
  await c.waitClosed();
  c.close();
  return { c, info: info!, stats: h.agent.stats() };
}

describe('sandbox agent: data-channel faults', () => {
  it('drop: frames are lost both ways, retransmission still completes the transfer', async () => {
    // A dropped data frame is resent before the transfer completes; a dropped ack makes its
    // sender resend once its timer (≥ 200 ms) expires, which may be after the last line.
    const resent = (c: ReliableClient, id: string) => (h!.agent.session(id)?.channel.retransmissions ?? 0) + c.channel.stats().retransmissions;
    const { stats, info, c } = await transfer(
      { drop: 0.15 },
      {
        afterRun: async (c, id) => {
          for (let i = 0; i < 100 && resent(c, id) === 0; i++) await new Promise((r) => setTimeout(r, 50));
        },
      },
    );
    expect(stats.dropped).toBeGreaterThan(0);
    expect(info.channel.retransmissions + c.channel.stats().retransmissions).toBeGreaterThan(0);
  });

  it('dup: frames arrive twice, each is delivered once and re-acknowledged', async () => {
    const { stats, c } = await transfer({ dup: 0.3 });
    expect(stats.duplicated).toBeGreaterThan(0);
    expect(c.channel.stats().duplicatesReceived).toBeGreaterThan(0);
  });

  it('reorder: frames overtake each other, the receiver restores the order', async () => {
    const { stats, c } = await transfer({ reorder: 0.3, seed: 3 });
    expect(stats.reordered).toBeGreaterThan(0);
    // Some data frame arrived after a later-numbered one.
    const inverted = c.arrivals.some((seq, i) => i > 0 && seq < Math.max(...c.arrivals.slice(0, i)));
    expect(inverted).toBe(true);
  });

  it('delay: every frame is held back, which the round-trip estimate shows', async () => {
    const { stats, info } = await transfer({ delayMs: 25 });
    expect(stats.delayed).toBeGreaterThan(0);
    // Output and its acknowledgement are each delayed 25 ms, so every RTT sample is ≥ 50 ms.
    expect(info.channel.srttMs).toBeGreaterThanOrEqual(50);
  });

  it('cut: sockets are cut every cutEveryMs of sandbox time; the client resumes and loses nothing', async () => {
    // 6 sandbox seconds at timeScale 60 = a cut every 100 ms of real time.
    const { stats, info } = await transfer(
      { cutEveryMs: 6000 },
      {
        timeScale: 60,
        beforeRun: async (c) => {
          await c.waiters.until(() => c.socketCloses >= 2 || undefined, 'two cuts');
        },
      },
    );
    expect(stats.cuts).toBeGreaterThanOrEqual(2);
    expect(info.connections).toBeGreaterThanOrEqual(3);
  });
});
