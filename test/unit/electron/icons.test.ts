// The committed icons (scripts/make-icons.mjs) are read back with an independent decoder:
// the containers are well-formed, each entry is the size it claims, and nothing is blank.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const assets = path.resolve(__dirname, '../../../assets');

/** Decode an 8-bit RGBA, non-interlaced PNG (what Chromium writes) to its pixels. */
function decodePng(png: Buffer): { width: number; height: number; pixel(x: number, y: number): number[] } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  expect([png[24], png[25], png[28]]).toEqual([8, 6, 0]); // depth 8, RGBA, not interlaced
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i];
      const a = i >= 4 ? out[y * stride + i - 4] : 0;
      const b = y > 0 ? out[(y - 1) * stride + i] : 0;
      const c = i >= 4 && y > 0 ? out[(y - 1) * stride + i - 4] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter];
      out[y * stride + i] = (x + predictor) & 0xff;
    }
  }
  return { width, height, pixel: (x, y) => [...out.subarray(y * stride + x * 4, y * stride + x * 4 + 4)] };
}

function expectIcon(png: Buffer, size: number, opts: { cornerTransparent: boolean }) {
  const image = decodePng(png);
  expect([image.width, image.height]).toEqual([size, size]);
  // The centre is the opaque blue dot; the corner is outside the rounded square.
  const centre = image.pixel(size >> 1, size >> 1);
  expect(centre[3]).toBe(255);
  expect(centre[2]).toBeGreaterThan(centre[0]);
  if (opts.cornerTransparent) expect(image.pixel(0, 0)[3]).toBe(0);
}

describe('app icons', () => {
  it.each([16, 24, 32, 48, 64, 128, 256, 512, 1024])('assets/icons/%ix%i.png (Linux, tray, window)', (size) => {
    expectIcon(readFileSync(path.join(assets, 'icons', `${size}x${size}.png`)), size, { cornerTransparent: size >= 32 });
  });

  it('icon.ico holds PNG entries 16…256 with matching directory sizes', () => {
    const ico = readFileSync(path.join(assets, 'icon.ico'));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const entry = 6 + 16 * i;
      const size = ico[entry] || 256;
      const length = ico.readUInt32LE(entry + 8);
      const offset = ico.readUInt32LE(entry + 12);
      expect(ico.readUInt16LE(entry + 6)).toBe(32);
      expectIcon(ico.subarray(offset, offset + length), size, { cornerTransparent: size >= 32 });
      sizes.push(size);
    }
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });

  it('icon.icns holds PNG entries icp4–icp6 and ic07–ic14 of the right sizes', () => {
    const icns = readFileSync(path.join(assets, 'icon.icns'));
    expect(icns.toString('ascii', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const expected: Record<string, number> = { icp4: 16, icp5: 32, icp6: 64, ic07: 128, ic08: 256, ic09: 512, ic10: 1024, ic11: 32, ic12: 64, ic13: 256, ic14: 512 };
    const seen: string[] = [];
    for (let at = 8; at < icns.length; ) {
      const type = icns.toString('ascii', at, at + 4);
      const length = icns.readUInt32BE(at + 4);
      expect(expected[type], type).toBeDefined();
      expectIcon(icns.subarray(at + 8, at + length), expected[type], { cornerTransparent: true });
      seen.push(type);
      at += length;
    }
    expect(seen.sort()).toEqual(Object.keys(expected).sort());
  });
});
