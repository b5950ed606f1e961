// smux v1 against the reference client's frames (vectors/smux.json) and the session logic.
import { describe, expect, it } from 'vitest';
import { loadVectors } from '../../helpers/vectors';
import {
  SmuxCmd,
  SmuxFrameReader,
  SmuxProtocolError,
  SmuxSession,
  decodeSmuxFrames,
  encodeSmuxFrame,
  encodeSmuxHeader,
  type SmuxFrame,
} from '../../../src/protocol/smux';

interface SmuxVector {
  name: string;
  version: number;
  cmd: number;
  cmdName: string;
  length: number;
  streamId: number;
  headerHex: string;
  dataHex?: string;
  dataText?: string;
  hex?: string;
}

const vectors = loadVectors<SmuxVector>('smux.json');
const byName = (n: string) => vectors.find((v) => v.name === n) as SmuxVector;

/** Collects everything a session writes to the wire until the current ticks settle. */
async function drainWire(s: SmuxSession): Promise<Buffer> {
  await new Promise((r) => setImmediate(r));
  const parts: Buffer[] = [];
  let c: Buffer | null;
  while ((c = s.read() as Buffer | null) !== null) parts.push(c);
  return Buffer.concat(parts);
}

describe('smux frame codec (vectors/smux.json)', () => {
  it('has the expected cases', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(8);
  });

  for (const v of vectors) {
    it(`encodes ${v.name}`, () => {
      expect(encodeSmuxHeader(v.cmd as SmuxCmd, v.streamId, v.length).toString('hex')).toBe(v.headerHex);
      if (v.hex) {
        const data = v.dataHex ? Buffer.from(v.dataHex, 'hex') : undefined;
        expect(encodeSmuxFrame(v.cmd as SmuxCmd, v.streamId, data).toString('hex')).toBe(v.hex);
      }
    });
    if (v.hex) {
      it(`decodes ${v.name}`, () => {
        const frames = decodeSmuxFrames(Buffer.from(v.hex as string, 'hex'));
        expect(frames).toHaveLength(1);
        expect(frames[0].version).toBe(v.version);
        expect(frames[0].cmd).toBe(v.cmd);
        expect(frames[0].streamId).toBe(v.streamId);
        expect(frames[0].data.toString('hex')).toBe(v.dataHex ?? '');
        if (v.dataText) expect(frames[0].data.toString('utf8')).toBe(v.dataText);
      });
    }
  }

  it('reassembles the whole vector stream cut at every possible point', () => {
    const whole = Buffer.concat(vectors.filter((v) => v.hex).map((v) => Buffer.from(v.hex as string, 'hex')));
    const expected = decodeSmuxFrames(whole);
    expect(expected.length).toBe(vectors.filter((v) => v.hex).length);
    for (let cut1 = 0; cut1 <= whole.length; cut1++) {
      for (const step of [1, 3, 7]) {
        const got: SmuxFrame[] = [];
        const r = new SmuxFrameReader((f) => got.push({ ...f, data: Buffer.from(f.data) }));
        r.push(whole.subarray(0, cut1));
        for (let off = cut1; off < whole.length; off += step) r.push(whole.subarray(off, off + step));
        expect(got).toEqual(expected);
      }
    }
  });

  it('rejects a wrong version and an unknown or v2-only command', () => {
    expect(() => decodeSmuxFrames(Buffer.from('0203000000000000', 'hex'))).toThrow(SmuxProtocolError);
    expect(() => decodeSmuxFrames(Buffer.from('0104080003000000', 'hex'))).toThrow(SmuxProtocolError);
    expect(() => decodeSmuxFrames(Buffer.from('0109000003000000', 'hex'))).toThrow(/unknown command/);
  });

  it('refuses a frame length above 16 bits', () => {
    expect(() => encodeSmuxHeader(SmuxCmd.PSH, 3, 65_536)).toThrow(RangeError);
  });
});

describe('smux client session wire output matches the reference', () => {
  it('SYN 3, PSH, SYN 5, 40 000-byte write split 32 768 + 7 232, FIN both', async () => {
    const c = new SmuxSession({ role: 'client' });
    const s3 = c.openStream();
    expect(s3.id).toBe(3);
    s3.write(Buffer.from(byName('PSH').dataText as string));
    let wire = await drainWire(c);
    expect(wire.toString('hex')).toBe(byName('SYN-first-stream').hex! + byName('PSH').hex!);

    const s5 = c.openStream();
    expect(s5.id).toBe(5);
    const big = Buffer.alloc(40_000);
    for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
    s5.write(big);
    wire = await drainWire(c);
    const frames = decodeSmuxFrames(wire);
    expect(frames.map((f) => encodeSmuxHeader(f.cmd, f.streamId, f.data.length).toString('hex'))).toEqual([
      byName('SYN-second-stream').headerHex,
      byName('PSH-split').headerHex,
      byName('PSH-split-2').headerHex,
    ]);
    expect(Buffer.concat(frames.slice(1).map((f) => f.data)).equals(big)).toBe(true);

    s3.end();
    s5.end();
    wire = await drainWire(c);
    expect(wire.toString('hex')).toBe(byName('FIN').hex! + byName('FIN-second').hex!);
  });

  it('coalesces many small writes made in one I/O round into one wire chunk', async () => {
    const c = new SmuxSession({ role: 'client' });
    const chunks: Buffer[] = [];
    c.on('data', (d: Buffer) => chunks.push(d));
    const st = c.openStream();
    for (let i = 0; i < 100; i++) st.write(Buffer.from(`k${i};`));
    await new Promise((r) => setImmediate(r));
    expect(chunks).toHaveLength(1);
    const frames = decodeSmuxFrames(chunks[0]);
    expect(frames[0].cmd).toBe(SmuxCmd.SYN);
    expect(Buffer.concat(frames.slice(1).map((f) => f.data)).toString()).toBe(Array.from({ length: 100 }, (_, i) => `k${i};`).join(''));
  });

  it('a server session opens even stream ids', () => {
    const s = new SmuxSession({ role: 'server' });
    expect([s.openStream().id, s.openStream().id]).toEqual([2, 4]);
  });

  it('sends NOP keep-alives and gives up when nothing arrives', async () => {
    const c = new SmuxSession({ role: 'client', keepAlive: true, keepAliveIntervalMs: 5, keepAliveTimeoutMs: 40 });
    const closed = new Promise<Error | null>((r) => c.once('sessionClosed', r));
    c.on('error', () => {});
    const chunks: Buffer[] = [];
    c.on('data', (d: Buffer) => chunks.push(d));
    const err = await closed;
    expect(err?.message).toMatch(/keep-alive/);
    const frames = decodeSmuxFrames(Buffer.concat(chunks));
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((f) => f.cmd === SmuxCmd.NOP && f.streamId === 0)).toBe(true);
  });
});
