// Pure parts of the sandbox agent: UTF-8 cutting, version switches, destination policy, fault pipe.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveDestination, isLoopback } from '../../../src/sandbox/agent/destination';
import { emptyFaultStats, FaultyPipe } from '../../../src/sandbox/agent/faults';
import { seededRandom } from '../../../src/sandbox/faults';
import { completeUtf8Length, splitUtf8 } from '../../../src/sandbox/agent/utf8';
import { compareVersions, smuxKeepAliveEnabled, usesSmux } from '../../../src/sandbox/agent/versions';
import { NO_FAULTS, node } from './harness';

describe('utf8 cutting', () => {
  it('never ends a piece inside a character and loses nothing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'é', '€', '😀', '\n', '中'), { maxLength: 300 }).map((a) => a.join('')),
        fc.integer({ min: 4, max: 64 }),
        (text, max) => {
        const buf = Buffer.from(text, 'utf8');
        const parts = splitUtf8(buf, max);
        expect(Buffer.concat(parts).equals(buf)).toBe(true);
        for (const p of parts) {
          expect(p.length).toBeLessThanOrEqual(max);
          expect(Buffer.from(p.toString('utf8'), 'utf8').equals(p)).toBe(true);
        }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('holds back an incomplete trailing sequence', () => {
    const euro = Buffer.from('€'); // e2 82 ac
    expect(completeUtf8Length(Buffer.concat([Buffer.from('ab'), euro.subarray(0, 2)]))).toBe(2);
    expect(completeUtf8Length(Buffer.concat([Buffer.from('ab'), euro]))).toBe(5);
    expect(completeUtf8Length(Buffer.from([0x61, 0xf0, 0x9f, 0x98]))).toBe(1);
  });
});

describe('version switches (spec 6.5, 9.1)', () => {
  it('compares part-wise, shorter lower, non-numeric unknown', () => {
    expect(compareVersions('1.1.70', '1.1.70')).toBe(0);
    expect(compareVersions('1.1.70.0', '1.1.70')).toBe(1);
    expect(compareVersions('1.2.10', '1.10.0')).toBe(-1);
    expect(compareVersions('', '1.0')).toBeNull();
    expect(compareVersions('1.x', '1.0')).toBeNull();
  });

  it('multiplexes only for LocalPortForwarding, agent > 3.0.196.0 and client ≥ 1.1.70', () => {
    expect(usesSmux('LocalPortForwarding', '3.3.987.0', '1.2.677.0')).toBe(true);
    expect(usesSmux('LocalPortForwarding', '3.3.987.0', '1.1.70')).toBe(true);
    expect(usesSmux('LocalPortForwarding', '3.3.987.0', '1.1.69.0')).toBe(false);
    expect(usesSmux('LocalPortForwarding', '3.0.196.0', '1.2.677.0')).toBe(false);
    expect(usesSmux('LocalPortForwarding', '3.3.987.0', '')).toBe(false);
    expect(usesSmux(undefined, '3.3.987.0', '1.2.677.0')).toBe(false);
  });

  it('keeps smux keep-alive only for clients ≤ 1.2.331.0', () => {
    expect(smuxKeepAliveEnabled('1.2.331.0')).toBe(true);
    expect(smuxKeepAliveEnabled('1.2.332.0')).toBe(false);
    expect(smuxKeepAliveEnabled('1.2.677.0')).toBe(false);
  });
});

describe('destination policy: loopback only', () => {
  const n = node({ hostMap: { db: '127.0.0.5', bad: '192.168.1.1', v6: '::1' } });
  it('maps hosts to loopback and refuses everything else', () => {
    expect(resolveDestination(n, { portNumber: '22' })).toEqual({ ok: true, host: '127.0.0.1', port: 22 });
    expect(resolveDestination(n, { host: 'db', portNumber: '5432' })).toEqual({ ok: true, host: '127.0.0.5', port: 5432 });
    expect(resolveDestination(n, { host: 'v6', portNumber: '1' })).toEqual({ ok: true, host: '::1', port: 1 });
    expect(resolveDestination(n, { host: 'LOCALHOST', portNumber: '80' })).toEqual({ ok: true, host: '127.0.0.1', port: 80 });
    expect(resolveDestination(n, { host: '127.9.9.9', portNumber: '80' })).toEqual({ ok: true, host: '127.9.9.9', port: 80 });
    for (const host of ['bad', 'example.com', '10.0.0.1', '0.0.0.0', '::', 'localhost.evil.com', '127.0.0.1.nip.io']) {
      const d = resolveDestination(n, { host, portNumber: '80' });
      expect(d.ok, host).toBe(false);
    }
    expect(resolveDestination(n, { portNumber: '70000' }).ok).toBe(false);
    expect(resolveDestination(n, { portNumber: 'abc' }).ok).toBe(false);
  });

  it('every accepted destination is a loopback address', () => {
    fc.assert(
      fc.property(fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6(), fc.constantFrom('db', 'bad', 'localhost')), (host) => {
        const d = resolveDestination(n, { host, portNumber: '80' });
        if (d.ok) expect(isLoopback(d.host)).toBe(true);
      }),
    );
  });
});

describe('FaultyPipe', () => {
  const frames = (k: number) => Array.from({ length: k }, (_, i) => Buffer.from([i]));

  it('drop removes, dup repeats, reorder swaps with the next frame', () => {
    const run = (f: Partial<typeof NO_FAULTS>, rnd: number[]) => {
      const out: number[] = [];
      const stats = emptyFaultStats();
      let i = 0;
      const p = new FaultyPipe(() => ({ ...NO_FAULTS, ...f }), stats, (b) => out.push(b[0]), () => rnd[i++ % rnd.length]);
      for (const b of frames(4)) p.push(b);
      p.dispose();
      return { out, stats };
    };
    expect(run({ drop: 0.5 }, [0.9, 0.1, 0.9, 0.1])).toEqual({ out: [0, 2], stats: { ...emptyFaultStats(), dropped: 2 } });
    expect(run({ dup: 0.5 }, [0.1, 0.9, 0.9, 0.9])).toMatchObject({ out: [0, 0, 1, 2, 3], stats: { duplicated: 1 } });
    expect(run({ reorder: 0.5 }, [0.1, 0.9, 0.9, 0.9])).toMatchObject({ out: [1, 0, 2, 3], stats: { reordered: 1 } });
  });

  it('seeded randomness replays the same decisions', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });
});
