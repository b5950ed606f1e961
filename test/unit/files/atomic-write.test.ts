// The one atomic write: temp file + fsync + rename + directory fsync; symlinks followed,
// modes kept, a concurrent change detected.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileChangedError, readForWrite, writeFileAtomic, type AtomicFs } from '../../../src/main/files/atomic-write';

let dir: string;
const file = () => path.join(dir, 'settings.json');
const readJson = async () => JSON.parse(await fs.readFile(file(), 'utf8'));

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hatch-atomic-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes a temp file in the same directory, fsyncs it, then renames it over the target', async () => {
    const calls: string[] = [];
    const io: AtomicFs = {
      mkdir: fs.mkdir,
      rm: fs.rm,
      rename: async (from, to) => {
        calls.push(`rename ${path.dirname(String(from)) === dir ? 'same-dir' : 'elsewhere'} -> ${path.basename(String(to))}`);
        return fs.rename(from, to);
      },
      open: (async (target: string, flags?: string, mode?: number) => {
        const handle = await fs.open(target, flags, mode);
        const name = target.endsWith('.tmp') ? 'tmp' : target === dir ? 'dir' : target;
        const sync = handle.sync.bind(handle);
        handle.sync = async () => {
          calls.push(`sync ${name}`);
          return sync();
        };
        return handle;
      }) as AtomicFs['open'],
    };
    await writeFileAtomic(file(), '{"a":1}', { io });
    expect(calls).toEqual(['sync tmp', 'rename same-dir -> settings.json', 'sync dir']);
    expect(await readJson()).toEqual({ a: 1 });
  });

  it('leaves the old file intact and no temp file behind when the rename fails', async () => {
    await fs.writeFile(file(), '{"old":true}');
    const io: AtomicFs = { mkdir: fs.mkdir, open: fs.open, rm: fs.rm, rename: async () => Promise.reject(Object.assign(new Error('disk on fire'), { code: 'EIO' })) };
    await expect(writeFileAtomic(file(), '{"new":true}', { io })).rejects.toThrow('disk on fire');
    expect(await readJson()).toEqual({ old: true });
    expect((await fs.readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('retries a rename that Windows refuses for a moment (EPERM)', async () => {
    let failures = 2;
    const io: AtomicFs = {
      mkdir: fs.mkdir,
      open: fs.open,
      rm: fs.rm,
      rename: async (from, to) => (failures-- > 0 ? Promise.reject(Object.assign(new Error('busy'), { code: 'EPERM' })) : fs.rename(from, to)),
    };
    await writeFileAtomic(file(), '{"ok":1}', { io });
    expect(await readJson()).toEqual({ ok: 1 });
  });

  it('keeps the permission bits of the file it replaces, whatever the umask; new files get 0600', async () => {
    await fs.writeFile(file(), 'x');
    await fs.chmod(file(), 0o640);
    await writeFileAtomic(file(), 'y');
    expect((await fs.stat(file())).mode & 0o777).toBe(0o640);
    await writeFileAtomic(path.join(dir, 'new'), 'z');
    expect((await fs.stat(path.join(dir, 'new'))).mode & 0o777).toBe(0o600);
  });

  it('writes through a chain of symlinks (relative and absolute, to a file not created yet): the links stay links', async () => {
    await fs.mkdir(path.join(dir, 'real'));
    await fs.symlink('real/target', path.join(dir, 'hop'));
    await fs.symlink(path.join(dir, 'hop'), file());
    await writeFileAtomic(file(), 'first');
    expect(await fs.readFile(path.join(dir, 'real/target'), 'utf8')).toBe('first');
    await writeFileAtomic(file(), 'second');
    expect((await fs.lstat(file())).isSymbolicLink()).toBe(true);
    expect((await fs.lstat(path.join(dir, 'hop'))).isSymbolicLink()).toBe(true);
    expect(await fs.readFile(path.join(dir, 'real/target'), 'utf8')).toBe('second');
  });

  it('refuses to replace a file that changed since it was read, and writes nothing', async () => {
    await fs.writeFile(file(), 'one');
    const read = await readForWrite(file());
    await fs.writeFile(file(), 'two, by someone else');
    await expect(writeFileAtomic(file(), 'three', { expect: read.stamp })).rejects.toBeInstanceOf(FileChangedError);
    expect(await fs.readFile(file(), 'utf8')).toBe('two, by someone else');
    // A file that appeared since it was read as missing is refused too.
    const missing = await readForWrite(path.join(dir, 'later'));
    await fs.writeFile(path.join(dir, 'later'), 'appeared');
    await expect(writeFileAtomic(path.join(dir, 'later'), 'mine', { expect: missing.stamp })).rejects.toBeInstanceOf(FileChangedError);
    expect((await fs.readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
