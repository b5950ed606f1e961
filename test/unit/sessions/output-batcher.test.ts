import { describe, expect, it } from 'vitest';
import { OutputBatcher } from '../../../src/main/sessions/output-batcher';

function harness(overrides: Partial<ConstructorParameters<typeof OutputBatcher>[0]> = {}) {
  const sent: string[] = [];
  const events: string[] = [];
  let timer: (() => void) | null = null;
  const batcher = new OutputBatcher({
    send: (data) => sent.push(data),
    pause: () => events.push('pause'),
    resume: () => events.push('resume'),
    setTimer: (fn) => {
      timer = fn;
      return 1;
    },
    clearTimer: () => {
      timer = null;
    },
    ...overrides,
  });
  return { batcher, sent, events, fire: () => timer?.() };
}

describe('OutputBatcher', () => {
  it('coalesces chunks until the timer fires, one message per batch', () => {
    const { batcher, sent, fire } = harness();
    batcher.push(Buffer.from('a'));
    batcher.push(Buffer.from('b'));
    batcher.push(Buffer.from('c'));
    expect(sent).toEqual([]);
    fire();
    expect(sent).toEqual(['abc']);
  });

  it('flushes at once when the size cap is reached', () => {
    const { batcher, sent } = harness({ maxBatchChars: 10 });
    batcher.push(Buffer.alloc(12, 'x'));
    // The cap is a cap: a larger chunk goes out as several batches, none above it.
    expect(sent).toEqual(['x'.repeat(10), 'xx']);
  });

  it('never ends a batch between the halves of a surrogate pair', () => {
    const { batcher, sent } = harness({ maxBatchChars: 4 });
    batcher.push(Buffer.from('abc🚀def🚀'));
    expect(sent.join('')).toBe('abc🚀def🚀');
    for (const batch of sent) {
      expect(batch.length).toBeLessThanOrEqual(4);
      expect(/[\ud800-\udbff]$/.test(batch)).toBe(false);
    }
  });

  it('holds at most the high-water mark plus the chunk that crossed it, however the renderer lags', () => {
    const { batcher, sent, events } = harness({ maxBatchChars: 1000, highWaterChars: 3000, lowWaterChars: 500 });
    let pushed = 0;
    // A producer that honours pause(): it stops pushing as soon as it is told to.
    while (!batcher.isPaused) {
      batcher.push(Buffer.alloc(700, 'y'));
      pushed += 700;
    }
    expect(events).toEqual(['pause']);
    expect(batcher.buffered).toBe(pushed);
    expect(batcher.buffered).toBeLessThanOrEqual(3000 + 700);
    expect(sent.every((b) => b.length <= 1000)).toBe(true);
    batcher.flush();
    batcher.ack(batcher.unacknowledged);
    expect(events).toEqual(['pause', 'resume']);
    expect(batcher.buffered).toBe(0);
    expect(sent.join('').length).toBe(pushed);
  });

  it('never splits a UTF-8 sequence across batches', () => {
    const { batcher, sent, fire } = harness();
    const bytes = Buffer.from('héllo ✓ 🚀');
    for (let i = 0; i < bytes.length; i++) {
      batcher.push(bytes.subarray(i, i + 1));
      fire();
    }
    expect(sent.join('')).toBe('héllo ✓ 🚀');
    expect(sent.join('')).not.toContain('\ufffd');
  });

  it('pauses the producer past the high-water mark and resumes below the low-water mark', () => {
    const { batcher, events } = harness({ maxBatchChars: 1000, highWaterChars: 3000, lowWaterChars: 500 });
    for (let i = 0; i < 3; i++) batcher.push(Buffer.alloc(1000, 'x'));
    expect(events).toEqual([]);
    batcher.push(Buffer.alloc(1000, 'x'));
    expect(events).toEqual(['pause']);
    expect(batcher.isPaused).toBe(true);
    batcher.ack(3000);
    expect(events).toEqual(['pause']);
    batcher.ack(600);
    expect(events).toEqual(['pause', 'resume']);
    expect(batcher.unacknowledged).toBe(400);
  });
});
