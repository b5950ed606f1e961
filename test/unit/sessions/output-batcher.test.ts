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
    expect(sent).toEqual(['x'.repeat(12)]);
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
