// Writes that never leave a half-written AWS config behind: a temp file in the same
// directory, fsync, then rename over the original, with the previous version kept as
// `<file>.bak`. Edits are applied to what is on disk right before the rename, so a
// concurrent change by the CLI or an editor is not silently overwritten.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Replace `file` with `transform(current)`. `current` is undefined when the file does not
 * exist; returning undefined (or the same text) writes nothing. Retries when the file changes between reading and renaming.
 */
export async function editFileAtomic(
  file: string,
  transform: (current: string | undefined) => string | undefined,
  options: { mode?: number; backup?: boolean } = {},
): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  for (let attempt = 0; ; attempt++) {
    const before = await readTextIfExists(file);
    const next = transform(before);
    if (next === undefined || next === before) return;
    const mode = (await fs.stat(file).catch(() => undefined))?.mode ?? options.mode ?? 0o600;
    const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const handle = await fs.open(tmp, 'wx', mode & 0o777);
    try {
      await handle.writeFile(next, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      const now = await readTextIfExists(file);
      if (now !== before) {
        if (attempt < 3) continue;
        throw new Error(`${file} keeps changing while Hatch saves it; try again.`);
      }
      if (before !== undefined && options.backup !== false) {
        const backup = `${file}.bak`;
        await fs.writeFile(backup, before, { mode: mode & 0o777 });
        await fs.chmod(backup, mode & 0o777);
      }
      await fs.rename(tmp, file);
    } finally {
      await fs.rm(tmp, { force: true });
    }
    await syncDir(dir);
    return;
  }
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable; not supported everywhere (Windows), hence best effort.
  const handle = await fs.open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}
