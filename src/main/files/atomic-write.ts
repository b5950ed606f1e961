// The one way Hatch replaces a file: a temporary file in the same directory, written and
// fsynced, then renamed over the target, then the directory fsynced. A crash leaves the old
// file or the new one, never half of one. Used for settings, the SSO token cache and the
// AWS config/credentials files.
//
// - A symlink is followed: the file it points to is replaced, the link stays a link
//   (dotfile managers keep ~/.aws/config in a repository).
// - The file keeps its permission bits (0600 stays 0600); a new file gets `mode` (0600).
// - `expect` guards against a concurrent writer: the target's size, mtime and SHA-256 are
//   checked right before the rename, and the write is refused if the file changed.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** The file operations a write uses; tests pass a recording or failing wrapper. */
export type AtomicFs = Pick<typeof fs, 'mkdir' | 'open' | 'rename' | 'rm'>;

/** What a file was when it was read: enough to tell that someone else changed it since. */
interface FileStamp {
  size: number;
  mtimeMs: number;
  sha256: string;
}

export interface FileRead {
  /** The file actually read (a symlink's final target). */
  target: string;
  /** undefined when the file does not exist. */
  text: string | undefined;
  /** null when the file does not exist. */
  stamp: FileStamp | null;
  /** Permission bits, when it exists. */
  mode: number | null;
}

interface AtomicWriteOptions {
  /** Permission bits of a new file (an existing one keeps its own, unless keepMode is false). Default 0600. */
  mode?: number;
  /** false: give the file `mode` even if it exists (a backup takes the mode of what it backs up). */
  keepMode?: boolean;
  /** Refuse unless the target is still what was read (null: it must still not exist). */
  expect?: FileStamp | null;
  io?: AtomicFs;
}

/** The file changed (or appeared, or vanished) since it was read; nothing was written. */
export class FileChangedError extends Error {
  constructor(readonly file: string) {
    super(`${file} was changed by another program while Hatch was saving it; nothing was written.`);
    this.name = 'FileChangedError';
  }
}

/** Where a write to `file` must land: the file, or the final target of its symlinks. */
async function writeTarget(file: string): Promise<string> {
  let current = path.resolve(file);
  for (let hops = 0; hops < 40; hops++) {
    const info = await fs.lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (!info?.isSymbolicLink()) return current;
    // Resolve one link at a time, so a link to a file that does not exist yet works too.
    current = path.resolve(path.dirname(current), await fs.readlink(current));
  }
  throw Object.assign(new Error(`${file}: too many levels of symbolic links.`), { code: 'ELOOP' });
}

/** Reads a file (through its symlinks) with the stamp a later write can be checked against. */
export async function readForWrite(file: string): Promise<FileRead> {
  const target = await writeTarget(file);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { target, text: undefined, stamp: null, mode: null };
    throw error;
  }
  const info = await fs.stat(target);
  return { target, text: bytes.toString('utf8'), stamp: stampOf(bytes, info), mode: info.mode & 0o7777 };
}

function stampOf(bytes: Buffer, info: { size: number; mtimeMs: number }): FileStamp {
  return { size: info.size, mtimeMs: info.mtimeMs, sha256: createHash('sha256').update(bytes).digest('hex') };
}

async function currentStamp(target: string): Promise<FileStamp | null> {
  try {
    const info = await fs.stat(target);
    return stampOf(await fs.readFile(target), info);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function sameStamp(a: FileStamp | null, b: FileStamp | null): boolean {
  if (a === null || b === null) return a === b;
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.sha256 === b.sha256;
}

/** Replace `file` (or its symlink's target) with `data`, atomically and durably. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const io = options.io ?? fs;
  const target = await writeTarget(file);
  const dir = path.dirname(target);
  await io.mkdir(dir, { recursive: true, mode: 0o700 });
  const existing = options.keepMode === false ? null : await fs.stat(target).catch(() => null);
  const mode = existing ? existing.mode & 0o7777 : (options.mode ?? 0o600);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await io.open(tmp, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(data);
      // Exactly the old bits, whatever the umask.
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.expect !== undefined && !sameStamp(options.expect, await currentStamp(target))) throw new FileChangedError(file);
    await renameWithRetry(io, tmp, target);
  } catch (error) {
    await io.rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDir(io, dir);
}

// Windows: an antivirus or indexer holding the target briefly makes rename fail with EPERM/EBUSY.
async function renameWithRetry(io: AtomicFs, from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await io.rename(from, to);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= 4 || (code !== 'EPERM' && code !== 'EBUSY' && code !== 'EACCES')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
    }
  }
}

async function syncDir(io: AtomicFs, dir: string): Promise<void> {
  // Makes the rename itself durable; directories cannot be opened for fsync on Windows.
  const handle = await io.open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}

/** Delete a file Hatch created (rolling back a transaction); a missing file is fine. */
export async function removeFile(file: string, io: AtomicFs = fs): Promise<void> {
  await io.rm(await writeTarget(file), { force: true });
}
