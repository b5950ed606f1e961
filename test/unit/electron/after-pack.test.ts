// The afterPack hook against a stand-in Electron binary: a file holding the fuse sentinel
// and a fuse wire laid out as Electron lays it out, so the real @electron/fuses code runs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const afterPack = require('../../../scripts/after-pack.cjs');
const { SENTINEL } = require('@electron/fuses/dist/constants');

const ON = 49;
const OFF = 48;
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function fakeElectron(file: string, wire: number[]): void {
  const junk = Buffer.alloc(4096, 0xab);
  writeFileSync(file, Buffer.concat([junk, Buffer.from(SENTINEL, 'ascii'), Buffer.from([1, wire.length, ...wire]), junk]));
}

function wireOf(file: string, length: number): number[] {
  const bytes = readFileSync(file);
  const at = bytes.indexOf(SENTINEL) + SENTINEL.length;
  return [...bytes.subarray(at + 2, at + 2 + length)];
}

const linuxContext = (appOutDir: string) => ({
  appOutDir,
  electronPlatformName: 'linux',
  arch: 1,
  packager: { executableName: 'hatch', appInfo: { productFilename: 'Hatch' } },
});

describe('after-pack fuses', () => {
  it('flips the fuses as configured and leaves unknown newer fuses alone', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hatch-fuses-'));
    const binary = path.join(dir, 'hatch');
    // Electron's defaults: RunAsNode on, cookie encryption off, NODE_OPTIONS on, inspect on,
    // asar integrity off, only-asar off, V8 snapshot off, file:// privileges on; plus a
    // ninth fuse this version of @electron/fuses does not know.
    fakeElectron(binary, [ON, OFF, ON, ON, OFF, OFF, OFF, ON, ON]);
    await afterPack(linuxContext(dir));
    expect(wireOf(binary, 9)).toEqual([OFF, ON, OFF, OFF, ON, ON, OFF, OFF, ON]);
  });

  it('names the binary each platform packs', () => {
    const base = linuxContext('/out');
    expect(afterPack.electronBinary(base)).toBe(path.join('/out', 'hatch'));
    expect(afterPack.electronBinary({ ...base, electronPlatformName: 'win32' })).toBe(path.join('/out', 'Hatch.exe'));
    expect(afterPack.electronBinary({ ...base, electronPlatformName: 'darwin' })).toBe(path.join('/out', 'Hatch.app'));
  });

  it('fails the build when the binary has no fuse wire', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hatch-fuses-'));
    writeFileSync(path.join(dir, 'hatch'), Buffer.alloc(1024));
    await expect(afterPack(linuxContext(dir))).rejects.toThrow(/sentinel/);
  });
});
