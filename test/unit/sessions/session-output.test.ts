// SessionOutput and its ring: replay for a window that attaches, output only to attached
// windows, cumulative acknowledgements checked, and flow control that pauses the producer
// when the slowest window is behind or, with none attached, when the ring is full of output
// no window has shown (bounded memory, nothing lost).
import { describe, expect, it } from 'vitest';
import { OutputRing } from '../../../src/main/sessions/output-ring';
import { SessionOutput } from '../../../src/main/sessions/session-output';

function viewer() {
  const out: string[] = [];
  const ends: string[] = [];
  return { out, ends, text: () => out.join(''), sink: { output: (d: string) => void out.push(d), end: (r: string) => void ends.push(r) } };
}

function output(options: { ring?: number; high?: number; low?: number } = {}) {
  const events: string[] = [];
  const recorded: string[] = [];
  const session = new SessionOutput({
    ringChars: options.ring ?? 1000,
    highWaterChars: options.high ?? 500,
    lowWaterChars: options.low ?? 100,
    record: (data) => void recorded.push(data),
    batcher: { flushAfterMs: 0, maxBatchChars: 100 },
  });
  session.bind({ pause: () => void events.push('pause'), resume: () => void events.push('resume') });
  return { session, events, recorded };
}

describe('OutputRing', () => {
  it('keeps the last `capacity` characters, with absolute positions', () => {
    const ring = new OutputRing(10);
    ring.append('0123456789');
    ring.append('abcde');
    expect(ring.start).toBe(5);
    expect(ring.end).toBe(15);
    expect(ring.since(0).join('')).toBe('56789abcde');
    expect(ring.since(12).join('')).toBe('cde');
    expect(ring.since(15)).toEqual([]);
  });

  it('never drops what has not been shown (keepFrom), so it can outgrow its capacity', () => {
    const ring = new OutputRing(10);
    ring.append('0123456789', 0);
    ring.append('abcde', 0);
    expect(ring.length).toBe(15);
    ring.append('f', 12);
    expect(ring.start).toBe(6);
    expect(ring.since(0).join('')).toBe('6789abcdef');
  });

  it('replays from a line start once older output was dropped mid-line, never skipping unseen output', () => {
    const ring = new OutputRing(12);
    ring.append('first line\r\nsecond\r\n');
    expect(ring.start).toBe(8);
    expect(ring.since(ring.replayStart()).join('')).toBe('second\r\n');
    // What no window has shown is replayed even from the middle of a line.
    expect(ring.replayStart(10)).toBe(8);
    // Dropped exactly at a line end: nothing to skip.
    const lines = new OutputRing(8);
    lines.append('aaaa\n');
    lines.append('bbbbbbb\n');
    expect(lines.start).toBe(5);
    expect(lines.replayStart()).toBe(5);
  });

  it('stays compact over many small chunks', () => {
    const ring = new OutputRing(100);
    for (let i = 0; i < 10_000; i++) ring.append(`${i % 10}`);
    expect(ring.length).toBe(100);
    expect(ring.since(ring.start).join('')).toBe('0123456789'.repeat(10));
  });
});

describe('SessionOutput', () => {
  it('replays recent output to a window that attaches, then sends it live output', () => {
    const { session, recorded } = output();
    session.push('before\r\n');
    const a = viewer();
    session.attach(a.sink);
    session.push(Buffer.from('after'));
    expect(a.text()).toBe('before\r\nafter');
    expect(recorded.join('')).toBe('before\r\nafter');
  });

  it('sends a session’s output only to the windows attached to it', () => {
    const { session } = output();
    const shown = viewer();
    const other = viewer();
    const view = session.attach(shown.sink);
    session.push('one');
    const late = session.attach(other.sink);
    late.close();
    session.push('two');
    expect(shown.text()).toBe('onetwo');
    expect(other.text()).toBe('one'); // its replay, and nothing after it detached
    expect(view.reattached).toBe(false);
    expect(late.reattached).toBe(true);
    expect(session.attachedWindows).toBe(1);
  });

  it('takes cumulative acknowledgements and refuses impossible ones without closing', () => {
    const { session } = output();
    const a = viewer();
    const view = session.attach(a.sink);
    session.push('x'.repeat(50));
    expect(session.buffered).toBe(50);
    expect(view.ack(20)).toBe(true);
    expect(session.buffered).toBe(30);
    for (const bad of [10, 51, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(view.ack(bad), String(bad)).toBe(false);
    expect(view.ack(50)).toBe(true);
    expect(session.buffered).toBe(0);
  });

  it('pauses the producer when the slowest window is behind, and resumes when it catches up', () => {
    const { session, events } = output({ high: 300, low: 100 });
    const fast = viewer();
    const slow = viewer();
    const f = session.attach(fast.sink);
    const s = session.attach(slow.sink);
    for (let i = 0; i < 3; i++) {
      session.push('y'.repeat(100));
      f.ack(fast.text().length);
    }
    expect(events).toEqual(['pause']);
    s.ack(150);
    expect(events).toEqual(['pause']);
    s.ack(250);
    expect(events).toEqual(['pause', 'resume']);
    // A window going away no longer holds the others back.
    session.push('z'.repeat(300));
    expect(events).toEqual(['pause', 'resume', 'pause']);
    s.close();
    f.ack(fast.text().length);
    expect(events).toEqual(['pause', 'resume', 'pause', 'resume']);
  });

  it('with no window attached, keeps output until the ring is full of unseen output, then pauses: bounded, nothing lost', () => {
    const { session, events } = output({ ring: 1000 });
    const a = viewer();
    const view = session.attach(a.sink);
    session.push('seen:' + 'a'.repeat(95));
    view.ack(100);
    view.close();
    // A producer that honours pause(): it stops as soon as it is told to.
    let produced = 0;
    while (!session.isPaused) {
      session.push('b'.repeat(70));
      produced += 70;
    }
    expect(events).toEqual(['pause']);
    expect(produced).toBeGreaterThanOrEqual(1000);
    expect(session.held).toBeLessThanOrEqual(1000 + 70);
    // A window that attaches gets everything it has not seen, and the producer resumes once it catches up.
    const b = viewer();
    const again = session.attach(b.sink);
    expect(again.reattached).toBe(true);
    expect(b.text().endsWith('b'.repeat(produced))).toBe(true);
    again.ack(b.text().length);
    expect(events).toEqual(['pause', 'resume']);
  });

  it('a producer bound while paused (a restart in the same tab) starts paused', () => {
    const { session } = output({ ring: 100 });
    session.push('q'.repeat(150));
    expect(session.isPaused).toBe(true);
    const calls: string[] = [];
    session.bind({ pause: () => void calls.push('pause'), resume: () => void calls.push('resume') });
    expect(calls).toEqual(['pause']);
  });

  it('ends every window’s stream when told to', () => {
    const { session } = output();
    const a = viewer();
    session.attach(a.sink);
    session.endViewers('Hatch is shutting down.');
    expect(a.ends).toEqual(['Hatch is shutting down.']);
    expect(session.attachedWindows).toBe(0);
  });
});
