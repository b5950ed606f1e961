// Fault spec parsing: every option, its units and its errors. (What the data-channel
// faults do is exercised by the agent tests; throttle by sandbox-sdk.test.ts.)
import { describe, expect, it } from 'vitest';
import { dataChannelFaults, FAULT_HELP, noFaults, parseDuration, parseFaults, seededRandom } from '../../../src/sandbox/faults';

describe('parseFaults', () => {
  it('reads the documented example', () => {
    const f = parseFaults('drop=0.01,dup=0.01,reorder=0.01,delay=20ms,cut=10s,throttle=0.1');
    expect(f).toEqual({ drop: 0.01, dup: 0.01, reorder: 0.01, delayMs: 20, cutEveryMs: 10_000, throttle: 0.1, expireMs: 0, seed: 1 });
    expect(dataChannelFaults(f)).toEqual({ drop: 0.01, dup: 0.01, reorder: 0.01, delayMs: 20, cutEveryMs: 10_000, seed: 1 });
  });

  it('defaults to no faults', () => {
    expect(parseFaults(undefined)).toEqual(noFaults());
    expect(parseFaults('')).toEqual(noFaults());
  });

  it.each([
    ['drop=0.5', { drop: 0.5 }],
    ['dup=1', { dup: 1 }],
    ['reorder=0', { reorder: 0 }],
    ['delay=2s', { delayMs: 2000 }],
    ['delay=15', { delayMs: 15 }],
    ['cut=1.5m', { cutEveryMs: 90_000 }],
    ['throttle=0.25', { throttle: 0.25 }],
    ['expire=1h', { expireMs: 3_600_000 }],
    ['seed=99', { seed: 99 }],
    [' drop = 0.1 , delay = 5ms ', { drop: 0.1, delayMs: 5 }],
  ])('%s', (spec, expected) => {
    expect(parseFaults(spec)).toEqual({ ...noFaults(), ...expected });
  });

  it.each([
    ['drop=2', /between 0 and 1/],
    ['throttle=-0.1', /between 0 and 1/],
    ['dup=x', /between 0 and 1/],
    ['delay=fast', /invalid duration/],
    ['cut=10d', /invalid duration/],
    ['jitter=0.1', /unknown fault "jitter"/],
    ['drop', /KEY=VALUE/],
    ['seed=1.5', /integer/],
  ])('rejects %s', (spec, msg) => {
    expect(() => parseFaults(spec)).toThrow(msg);
  });

  it('documents every option in the help text', () => {
    for (const key of ['drop', 'dup', 'reorder', 'delay', 'cut', 'throttle', 'expire', 'seed']) expect(FAULT_HELP).toMatch(new RegExp(`^  ${key}=`, 'm'));
  });

  it('parses durations', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('3s')).toBe(3000);
    expect(parseDuration('2h')).toBe(7_200_000);
  });

  it('replays the same fault decisions for the same seed', () => {
    const a = seededRandom(5);
    const b = seededRandom(5);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const share = xs.filter((x) => x < 0.1).length / xs.length;
    expect(share).toBeGreaterThan(0.06);
    expect(share).toBeLessThan(0.14);
  });
});
