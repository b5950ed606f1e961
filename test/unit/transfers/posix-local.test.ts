// The POSIX node scripts against a real interactive bash in a local pty: the boot into
// raw mode, uploads and downloads byte-exact, hostile names, trees, resume and errors.
// (The same scripts through a sandbox session: test/integration/transfer-sandbox.test.ts.)
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { posixDialect } from '../../../src/main/transfers/posix';
import { powershellDialect } from '../../../src/main/transfers/powershell';
import { RemoteShell, TransferError } from '../../../src/main/transfers/remote-shell';
import { download, upload } from '../../../src/main/transfers/transfer';
import { localPtyChannel } from './local-pty';

let root: string;
let home: string;
let local: string;
const shells: RemoteShell[] = [];

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'hatch-transfer-local-'));
  home = path.join(root, 'home');
  local = path.join(root, 'local');
  mkdirSync(home);
  mkdirSync(local);
});

afterEach(async () => {
  await Promise.all(shells.splice(0).map((shell) => shell.close()));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

async function remoteShell(options: { compress?: boolean; env?: Record<string, string>; zstd?: boolean } = {}): Promise<RemoteShell> {
  const shell = new RemoteShell(localPtyChannel(home, options.env), posixDialect);
  shells.push(shell);
  await shell.start({ allowCompression: options.compress ?? true, localZstd: options.zstd ?? false, timeoutMs: 10_000 });
  return shell;
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A PATH folder with every tool of PATH except `without`. */
function pathWithout(without: string[]): string {
  const dir = mkdtempSync(path.join(root, 'bin-'));
  for (const folder of (process.env.PATH ?? '').split(':')) {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names) {
      if (without.includes(name)) continue;
      try {
        symlinkSync(path.join(folder, name), path.join(dir, name));
      } catch {
        /* first one on PATH wins */
      }
    }
  }
  return dir;
}

describe('POSIX scripts on a local shell', () => {
  it('boots into a quiet loop and probes the tools', async () => {
    const shell = await remoteShell();
    expect(shell.tools?.tools.has('base64')).toBe(true);
    expect(shell.wire).toEqual({ encode: 'base64', decode: 'base64', compress: 'gzip', z85: true });
  });

  it('downloads random data uncompressed as Z85 (every length mod 4, resumed too), text gzip-compressed', async () => {
    const shell = await remoteShell();
    for (const size of [0, 1, 2, 3, 4, 100_001, 100_002, 100_003, 1 << 20]) {
      const data = randomBytes(size);
      writeFileSync(path.join(home, `z${size}.bin`), data);
      const dst = path.join(local, `z${size}.bin`);
      const down = await download(shell, `~/z${size}.bin`, dst);
      expect(down.compressed).toBe(false); // the node's sample did not shrink: no gzip
      // Z85: 5 characters per 4 bytes (the newline after them ends the data).
      expect(down.wireBytes).toBe(Math.ceil(size / 4) * 5);
      expect(sha(readFileSync(dst))).toBe(sha(data));
    }
    const data = randomBytes(300_003);
    writeFileSync(path.join(home, 'zr.bin'), data);
    writeFileSync(path.join(local, '.zr.bin.hatch-part'), data.subarray(0, 77_777));
    const resumed = await download(shell, '~/zr.bin', path.join(local, 'zr.bin'));
    expect(resumed.resumed).toBe(77_777);
    expect(sha(readFileSync(path.join(local, 'zr.bin')))).toBe(sha(data));
    const text = Buffer.from('GET /index.html 200\n'.repeat(50_000));
    writeFileSync(path.join(home, 'z.log'), text);
    const log = await download(shell, '~/z.log', path.join(local, 'z.log'));
    expect(log.compressed).toBe(true);
    expect(log.wireBytes).toBeLessThan(text.length / 20);
    expect(sha(readFileSync(path.join(local, 'z.log')))).toBe(sha(text));
  });

  it('a shell that the platform calls PowerShell but that is sh is found out in one round trip and served in sh', async () => {
    const shell = new RemoteShell(localPtyChannel(home), powershellDialect);
    shells.push(shell);
    await shell.start({ allowCompression: true, localZstd: false, timeoutMs: 10_000 });
    expect(shell.dialect.kind).toBe('posix');
    const data = randomBytes(50_001);
    writeFileSync(path.join(local, 'win.bin'), data);
    await upload(shell, path.join(local, 'win.bin'), '~/win.bin');
    expect(sha(readFileSync(path.join(home, 'win.bin')))).toBe(sha(data));
  });

  it('a node without basenc downloads as base64', async () => {
    const shell = await remoteShell({ env: { PATH: pathWithout(['basenc']) } });
    expect(shell.wire).toEqual({ encode: 'base64', decode: 'base64', compress: 'gzip', z85: false });
    const data = randomBytes(200_001);
    writeFileSync(path.join(home, 'b64.bin'), data);
    const down = await download(shell, '~/b64.bin', path.join(local, 'b64.bin'));
    expect(down.compressed).toBe(false);
    expect(down.wireBytes).toBe(Math.ceil(200_001 / 3) * 4 + 1); // and the newline before END
    expect(sha(readFileSync(path.join(local, 'b64.bin')))).toBe(sha(data));
  });

  it('uploads and downloads a random file byte-exact, mode kept', async () => {
    const shell = await remoteShell();
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const src = path.join(local, 'random.bin');
    writeFileSync(src, data);
    chmodSync(src, 0o640);
    const up = await upload(shell, src, 'up.bin');
    expect(up.target).toBe(path.join(home, 'up.bin')); // relative paths start at the home directory
    expect(sha(readFileSync(path.join(home, 'up.bin')))).toBe(sha(data));
    expect(statSync(path.join(home, 'up.bin')).mode & 0o777).toBe(0o640);
    expect(readdirSync(home).filter((n) => n.includes('hatch-part'))).toEqual([]);

    const dst = path.join(local, 'back.bin');
    const down = await download(shell, '~/up.bin', dst);
    expect(down.target).toBe(dst);
    expect(sha(readFileSync(dst))).toBe(sha(data));
    expect(statSync(dst).mode & 0o777).toBe(0o640);
  });

  it('hostile names: spaces, quotes, $(), newlines, non-ASCII', async () => {
    const shell = await remoteShell();
    const names = ["a b 'c' \"d\"", 'x$(touch pwned)`touch pwned2`;rm -rf nope', 'line\nbreak\n', 'ünï çødé ✓', '-n', '%s%n\\x41\\'];
    for (const name of names) {
      const data = randomBytes(1000 + name.length);
      const src = path.join(local, 'src.bin');
      writeFileSync(src, data);
      await upload(shell, src, `~/${name}`);
      expect(sha(readFileSync(path.join(home, name)))).toBe(sha(data));
      const back = path.join(local, `back-${names.indexOf(name)}`);
      await download(shell, `~/${name}`, back);
      expect(sha(readFileSync(back))).toBe(sha(data));
    }
    expect(readdirSync(home)).not.toContain('pwned');
    expect(readdirSync(home)).not.toContain('pwned2');
  });

  it('directories with nested files, both ways', async () => {
    const shell = await remoteShell();
    const tree = path.join(local, 'tree');
    const files: Record<string, Buffer> = {
      'top.txt': Buffer.from('top\n'),
      'a/b/c/deep.bin': randomBytes(200_000),
      'a/empty.txt': Buffer.alloc(0),
      'sp ace/ünï.log': Buffer.from('line\n'.repeat(10_000)),
    };
    for (const [rel, data] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(tree, rel)), { recursive: true });
      writeFileSync(path.join(tree, rel), data);
    }
    mkdirSync(path.join(tree, 'empty-dir'));
    await expect(upload(shell, tree, '~/')).rejects.toThrow(/is a directory \(use -r/);
    const up = await upload(shell, tree, '~/', { recursive: true });
    expect(up.target).toBe(path.join(home, 'tree'));
    for (const [rel, data] of Object.entries(files)) expect(sha(readFileSync(path.join(home, 'tree', rel)))).toBe(sha(data));
    expect(statSync(path.join(home, 'tree', 'empty-dir')).isDirectory()).toBe(true);

    const back = path.join(local, 'tree-back');
    const down = await download(shell, '~/tree', back, { recursive: true });
    expect(down.target).toBe(back);
    for (const [rel, data] of Object.entries(files)) expect(sha(readFileSync(path.join(back, rel)))).toBe(sha(data));
    expect(statSync(path.join(back, 'empty-dir')).isDirectory()).toBe(true);
  });

  it('resumes an upload from the part left on the node', async () => {
    const shell = await remoteShell({ compress: false });
    const data = randomBytes(4 * 1024 * 1024);
    const src = path.join(local, 'resume.bin');
    writeFileSync(src, data);
    // What an interrupted upload leaves: the first 1.5 MiB under the part name.
    writeFileSync(path.join(home, '.resume.bin.hatch-part'), data.subarray(0, 1.5 * 1024 * 1024));
    const result = await upload(shell, src, '~/resume.bin');
    expect(result.resumed).toBe(1.5 * 1024 * 1024);
    expect(sha(readFileSync(path.join(home, 'resume.bin')))).toBe(sha(data));
    // A part that is not a prefix of the file is started over.
    writeFileSync(path.join(home, '.resume.bin.hatch-part'), randomBytes(1024));
    const again = await upload(shell, src, '~/resume.bin');
    expect(again.resumed).toBe(0);
    expect(sha(readFileSync(path.join(home, 'resume.bin')))).toBe(sha(data));
  });

  it('resumes a download from the local part', async () => {
    const shell = await remoteShell();
    const data = randomBytes(2 * 1024 * 1024);
    writeFileSync(path.join(home, 'big.bin'), data);
    const dst = path.join(local, 'big.bin');
    writeFileSync(path.join(local, '.big.bin.hatch-part'), data.subarray(0, 700_000));
    const result = await download(shell, '~/big.bin', local);
    expect(result.target).toBe(dst);
    expect(result.resumed).toBe(700_000);
    expect(sha(readFileSync(dst))).toBe(sha(data));
  });

  it('a node without gzip or base64 falls back to plain data and od/printf', async () => {
    const bin = pathWithout(['gzip', 'base64', 'basenc']);
    const shell = await remoteShell({ env: { PATH: bin } });
    expect(shell.wire).toEqual({ encode: 'hex', decode: 'printf', compress: null, z85: false });
    const data = randomBytes(100_000);
    const src = path.join(local, 'plain.bin');
    writeFileSync(src, data);
    await upload(shell, src, '~/plain.bin');
    expect(sha(readFileSync(path.join(home, 'plain.bin')))).toBe(sha(data));
    const dst = path.join(local, 'plain-back.bin');
    await download(shell, '~/plain.bin', dst);
    expect(sha(readFileSync(dst))).toBe(sha(data));
  });

  it('zstd when both ends have it: compressed both ways, byte-exact', async () => {
    // This end's zstd is Node's zlib (22.15+, Electron's Node); where this Node has none, the
    // zstd command stands in for it, so the node's zstd scripts are what is tested here.
    const z = zlib as unknown as Record<string, unknown>;
    const own = typeof z.createZstdCompress === 'function';
    if (!own && spawnSync('zstd', ['--version']).status !== 0) throw new Error('this test needs the zstd command (apt-get install zstd)');
    const viaCommand = (args: string[]) => () => {
      const child = spawn('zstd', args, { stdio: ['pipe', 'pipe', 'inherit'] });
      return Duplex.from({ writable: child.stdin, readable: child.stdout });
    };
    if (!own) Object.assign(z, { createZstdCompress: viaCommand(['-q', '-c', '-3']), createZstdDecompress: viaCommand(['-q', '-d', '-c']) });
    try {
      const shell = await remoteShell({ zstd: true });
      expect(shell.wire).toEqual({ encode: 'base64', decode: 'base64', compress: 'zstd', z85: true });
      const text = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `2026-12-06T02:00:${String(i % 60).padStart(2, '0')}Z INFO request ${i} served in ${i % 97} ms\n`).join(''));
      const src = path.join(local, 'zstd.log');
      writeFileSync(src, text);
      const up = await upload(shell, src, '~/zstd.log');
      expect(up.compressed).toBe(true);
      expect(up.wireBytes).toBeLessThan(text.length / 4);
      expect(sha(readFileSync(path.join(home, 'zstd.log')))).toBe(sha(text));
      const dst = path.join(local, 'zstd-back.log');
      const down = await download(shell, '~/zstd.log', dst);
      expect(down.compressed).toBe(true);
      expect(down.wireBytes).toBeLessThan(text.length / 4);
      expect(sha(readFileSync(dst))).toBe(sha(text));
    } finally {
      if (!own) {
        delete z.createZstdCompress;
        delete z.createZstdDecompress;
      }
    }
  });

  it('errors say what and where, and leave no part behind', async () => {
    const shell = await remoteShell();
    const src = path.join(local, 'small.txt');
    writeFileSync(src, 'hello\n');
    const fail = (promise: Promise<unknown>) => promise.then(() => null, (e: unknown) => e as TransferError);
    // /sys refuses new files even to root.
    const unwritable = await fail(upload(shell, src, '/sys/x.txt'));
    expect(unwritable?.message).toBe('/sys/x.txt: permission denied');
    const noDir = await fail(upload(shell, src, '~/missing/x.txt'));
    expect(noDir?.message).toBe('~/missing/x.txt: no such file or directory');
    const missing = await fail(download(shell, '~/nope.txt', path.join(local, 'nope.txt')));
    expect(missing?.message).toBe('~/nope.txt: no such file or directory');
    expect(readdirSync(local).filter((n) => n.includes('nope'))).toEqual([]);
    const missingLocal = await fail(upload(shell, path.join(local, 'absent.txt'), '~/x'));
    expect(missingLocal?.message).toBe(`${path.join(local, 'absent.txt')}: no such file or directory`);
    writeFileSync(path.join(home, 'data.txt'), 'data');
    const unwritableLocal = await fail(download(shell, '~/data.txt', '/sys/data.txt'));
    expect(unwritableLocal?.message).toBe('/sys/data.txt: permission denied');
    // The loop survives every error: one more round trip works.
    await upload(shell, src, '~/after-errors.txt');
    expect(readFileSync(path.join(home, 'after-errors.txt'), 'utf8')).toBe('hello\n');
  });
});
