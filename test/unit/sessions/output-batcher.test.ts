import { describe, expect, it } from 'vitest';
import { OutputBatcher } from '../../../src/main/sessions/output-batcher';

/** A batcher on a fake clock: `advance(ms)` moves time, `fire()` runs the pending timer. */
function harness(overrides: Partial<ConstructorParameters<typeof OutputBatcher>[0]> = {}) {
  const sent: string[] = [];
  let timer: (() => void) | null = null;
  let now = 1000;
  const batcher = new OutputBatcher({
    send: (data) => sent.push(data),
    now: () => now,
    setTimer: (fn) => {
      timer = fn;
      return 1;
    },
    clearTimer: () => {
      timer = null;
    },
    ...overrides,
  });
  return {
    batcher,
    sent,
    fire: () => {
      const fn = timer;
      timer = null;
      fn?.();
    },
    advance: (ms: number) => (now += ms),
    pending: () => timer !== null,
  };
}

describe('OutputBatcher', () => {
  it('sends the first chunk after a quiet spell at once (a keystroke’s echo never waits)', () => {
    const { batcher, sent, pending } = harness();
    batcher.push(Buffer.from('a'));
    expect(sent).toEqual(['a']);
    expect(pending()).toBe(false);
  });

  it('coalesces a burst until the timer fires, one message per batch', () => {
    const { batcher, sent, fire, advance } = harness();
    batcher.push(Buffer.from('a'));
    advance(1);
    batcher.push(Buffer.from('b'));
    batcher.push(Buffer.from('c'));
    expect(sent).toEqual(['a']);
    fire();
    expect(sent).toEqual(['a', 'bc']);
    // After a quiet spell, the next chunk goes at once again.
    advance(50);
    batcher.push('d');
    expect(sent).toEqual(['a', 'bc', 'd']);
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

  it('takes text already decoded (node-pty’s) as it is', () => {
    const { batcher, sent, fire, advance } = harness();
    batcher.push('naïve ');
    advance(1);
    batcher.push('café');
    fire();
    expect(sent.join('')).toBe('naïve café');
  });

  it('ends with what the decoder holds (an incomplete sequence becomes U+FFFD)', () => {
    const { batcher, sent } = harness();
    batcher.push(Buffer.from([0x68, 0x69, 0xe2, 0x9c]));
    batcher.end();
    expect(sent.join('')).toBe('hi\ufffd');
    expect(batcher.pendingLength).toBe(0);
  });
});
