// Files and directory trees to and from a node over a RemoteShell. Both ways write under a
// temporary name next to the target (`.<name>.hatch-part`) and rename it only when the
// SHA-256 computed on the node equals the one computed here. A part left by an interrupted
// transfer is resumed when its prefix still matches; an error (not an interruption)
// removes it, so a failed copy leaves nothing behind.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { PassThrough, Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { modeFromLs, type DataFormat, type RemotePath, type Wire } from './dialect';
import { fromHex, TransferError, type RemoteShell } from './remote-shell';
import { decodeZ85 } from './z85';

const HASH = 0x23; // '#': ends base64 and hex data
const NEWLINE = 0x0a; // ends Z85 data (its alphabet has '#')

export interface TransferProgress {
  /** Bytes of file content done so far in this job (resumed bytes count as done). */
  bytes: number;
  /** Bytes of the whole job (all files of a tree). */
  total: number;
  /** Bytes that were already there when the job started (resumed parts). */
  resumed: number;
  /** The file being copied (local path). */
  file: string;
  filesDone: number;
  files: number;
}

export interface TransferOptions {
  /** Use gzip/zstd when both ends have it (default true). */
  compress?: boolean;
  signal?: AbortSignal;
  /**
   * What a cancelled transfer leaves: `keep` its part files (the next run resumes; Ctrl-C in
   * the CLI, an app closing), or `discard` them (the user cancelled it).
   */
  onAbort?: 'keep' | 'discard';
  onProgress?: (progress: TransferProgress) => void;
  /** Compress an upload only if a sample shrinks below this ratio (default 0.9). */
  compressibleBelow?: number;
}

export interface TransferResult {
  /** Where the copy landed (local path for downloads; the node's path as text for uploads). */
  target: string;
  files: number;
  bytes: number;
  /** Bytes that did not travel because a part was resumed. */
  resumed: number;
  /** Bytes that travelled on the wire for data (encoded, compressed), for the figures. */
  wireBytes: number;
  compressed: boolean;
  /** Names skipped in a tree (symlinks to directories, devices, sockets). */
  skipped: string[];
}

/** Upload data lines above this size go through prepare first, so a part can be resumed. */
const RESUMABLE_BYTES = 1 << 20;

type ZstdZlib = typeof zlib & { createZstdCompress?: () => Transform; createZstdDecompress?: () => Transform };
/** This end can (de)compress zstd (Node 22.15+ / 23.8+). */
export const localZstd = typeof (zlib as ZstdZlib).createZstdDecompress === 'function';

function compressor(wire: Wire): Transform {
  if (wire.compress === 'zstd') return (zlib as ZstdZlib).createZstdCompress!();
  return zlib.createGzip({ level: 6 });
}

function decompressor(wire: Wire): Transform {
  if (wire.compress === 'zstd') return (zlib as ZstdZlib).createZstdDecompress!();
  return zlib.createGunzip();
}

export function partName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.hatch-part`);
}

/** The last name of a remote path as typed (`/var/log/` → `log`). */
function remoteBaseName(remote: string): string {
  const trimmed = remote.replace(/\/+$/, '');
  const base = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return base === '~' || base === '' ? '' : base;
}

function remoteJoin(root: Buffer, rel: Buffer): Buffer {
  const slash = root.length > 0 && root[root.length - 1] === 0x2f ? Buffer.alloc(0) : Buffer.from('/');
  return Buffer.concat([root, slash, rel]);
}

function display(remote: RemotePath): string {
  return typeof remote === 'string' ? remote : remote.toString('utf8');
}

/** Messages for the node's error codes: what happened, to which path. */
export function remoteError(code: string, where: string, extra = ''): TransferError {
  const detail = extra ? ` (${extra})` : '';
  switch (code) {
    case 'ENOENT':
      return new TransferError(`${where}: no such file or directory${detail}`, code, 'remote');
    case 'EACCES':
      return new TransferError(`${where}: permission denied${detail}`, code, 'remote');
    case 'EISDIR':
      return new TransferError(`${where} is a directory${detail}`, code, 'remote');
    case 'ENOTDIR':
      return new TransferError(`${where} is not a directory${detail}`, code, 'remote');
    case 'ENOTFILE':
      return new TransferError(`${where} is not a regular file${detail}`, code, 'remote');
    case 'EIO':
      return new TransferError(`${where}: the node could not write it${detail}`, code, 'remote');
    case 'EHASH':
      return new TransferError(`${where}: the SHA-256 on the node does not match${detail}; nothing was kept, try again`, code, 'remote');
    default:
      return new TransferError(`${where}: ${code}${detail}`, code, 'remote');
  }
}

function expectWord(reply: { word: string; fields: string[] }, words: string[], where: string): void {
  if (reply.word === 'ERR') throw remoteError(reply.fields[0] ?? 'EIO', where, reply.fields.slice(1).join(' '));
  if (!words.includes(reply.word)) throw new TransferError(`unexpected answer ${reply.word} from the node`, 'PROTOCOL');
}

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function abortError(): TransferError {
  return new TransferError('cancelled', 'ABORTED');
}

/** SHA-256 of a local file, and of its first `prefix` bytes on the way (one read). */
async function hashLocal(file: string, prefix = 0): Promise<{ full: string; prefix: string | null }> {
  const full = createHash('sha256');
  let prefixHash: string | null = null;
  let seen = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (prefix > 0 && prefixHash === null && seen + chunk.length >= prefix) {
      full.update(chunk.subarray(0, prefix - seen));
      prefixHash = full.copy().digest('hex');
      full.update(chunk.subarray(prefix - seen));
    } else full.update(chunk);
    seen += chunk.length;
  }
  return { full: full.digest('hex'), prefix: prefixHash };
}

/** Does a sample of the file shrink enough to be worth compressing on the way up? */
async function compressible(file: string, offset: number, below: number): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const sample = Buffer.alloc(256 * 1024);
    const { bytesRead } = await handle.read(sample, 0, sample.length, offset);
    if (bytesRead < 1024) return false;
    return zlib.gzipSync(sample.subarray(0, bytesRead), { level: 1 }).length < bytesRead * below;
  } finally {
    await handle.close();
  }
}

/** Cuts a byte stream into data lines of exactly `size` bytes (the last one shorter). */
function lines(size: number): Transform {
  let held: Buffer[] = [];
  let heldBytes = 0;
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, callback) {
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes >= size) {
        let all = Buffer.concat(held);
        while (all.length >= size) {
          this.push(all.subarray(0, size));
          all = all.subarray(size);
        }
        held = all.length ? [all] : [];
        heldBytes = all.length;
      }
      callback();
    },
    flush(callback) {
      if (heldBytes > 0) this.push(Buffer.concat(held));
      callback();
    },
  });
}

interface Job {
  shell: RemoteShell;
  wire: Wire;
  options: TransferOptions;
  progress: TransferProgress;
  wireBytes: number;
  compressed: boolean;
}

function report(job: Job): void {
  job.options.onProgress?.({ ...job.progress });
}

// ── Upload ─────────────────────────────────────────────────────────────────────────

/** Upload a file or (recursive) a directory tree to `remote` on the node. */
export async function upload(shell: RemoteShell, local: string, remote: string, options: TransferOptions & { recursive?: boolean } = {}): Promise<TransferResult> {
  const wire = shell.wire;
  if (!wire) throw new Error('the remote shell is not started');
  let stats: Stats;
  try {
    stats = await fs.stat(local);
  } catch (error) {
    throw localError(error, local);
  }
  const job: Job = {
    shell,
    wire,
    options,
    progress: { bytes: 0, total: 0, resumed: 0, file: local, filesDone: 0, files: 0 },
    wireBytes: 0,
    compressed: false,
  };
  if (stats.isDirectory()) {
    if (!options.recursive) throw new TransferError(`${local} is a directory (use -r to copy a directory)`, 'EISDIR');
    return uploadTree(job, local, remote);
  }
  if (!stats.isFile()) throw new TransferError(`${local} is not a regular file`, 'ENOTFILE');
  job.progress.total = stats.size;
  job.progress.files = 1;
  const prepared = await shell.command(shell.dialect.uploadPrepare(remote, path.basename(local)));
  expectWord(prepared, ['PART'], remote);
  const target = fromHex(prepared.fields[2] ?? '');
  await uploadOne(job, local, stats, target, { bytes: Number(prepared.fields[0]), sha: prepared.fields[1] ?? '-' });
  return result(job, target.toString('utf8'), []);
}

function result(job: Job, target: string, skipped: string[]): TransferResult {
  return {
    target,
    files: job.progress.filesDone,
    bytes: job.progress.total,
    resumed: job.progress.resumed,
    wireBytes: job.wireBytes,
    compressed: job.compressed,
    skipped,
  };
}

async function uploadOne(job: Job, local: string, stats: Stats, target: Buffer, part: { bytes: number; sha: string } | null): Promise<void> {
  const { shell, wire, options } = job;
  const keep = part && part.bytes > 0 && part.bytes <= stats.size ? part.bytes : 0;
  const hashes = await hashLocal(local, keep);
  const offset = keep > 0 && hashes.prefix === part?.sha ? keep : 0;
  const compress = options.compress !== false && wire.compress !== null && (await compressible(local, offset, options.compressibleBelow ?? 0.9));
  if (compress) job.compressed = true;
  job.progress.file = local;
  job.progress.bytes += offset;
  job.progress.resumed += offset;
  report(job);

  const where = target.toString('utf8');
  const ready = await shell.command(
    shell.dialect.uploadReceive({ path: target, offset, sha256: hashes.full, mode: stats.mode & 0o777, compressed: compress }, wire),
  );
  expectWord(ready, ['READY'], where);

  const source = createReadStream(local, { start: offset, highWaterMark: 256 * 1024 });
  let lastRead = 0;
  source.on('data', () => {
    job.progress.bytes += source.bytesRead - lastRead;
    lastRead = source.bytesRead;
  });
  const stages: Array<Readable | Transform> = [source];
  if (compress) stages.push(compressor(wire));
  const cutter = lines(shell.dialect.lineBytes(wire));
  const flowing = pipeline([...stages, cutter] as unknown as [Readable, Transform]).catch((error: unknown) => {
    throw localError(error, local);
  });
  // A cancel stops reading mid-file: the pipeline then rejects with nobody awaiting it.
  flowing.catch(() => undefined);
  let cancelled = false;
  try {
    for await (const chunk of cutter as AsyncIterable<Buffer>) {
      if (aborted(options.signal)) {
        cancelled = true;
        break;
      }
      const line = Buffer.from(`${shell.dialect.encodeLine(chunk, wire)}\n`, 'latin1');
      job.wireBytes += line.length;
      if (!shell.send(line)) await shell.drain();
      report(job);
    }
    if (!cancelled) await flowing;
  } catch (error) {
    // This side failed mid-file (the file could not be read): the data is ended anyway, so
    // the node's checksum fails and it removes the part and its lock — a failure leaves
    // nothing behind. (When the session itself ended, there is no one to tell: the part
    // stays for a resume, and the node's loop removed its lock as it was hung up.)
    await endData(shell);
    throw error;
  } finally {
    source.destroy();
  }
  if (cancelled && options.onAbort !== 'discard') throw abortError();
  // The end of the data (after a cut line when cancelling: the checksum fails and the node
  // removes the part).
  shell.send(Buffer.from('\n.\n', 'latin1'));
  const done = await shell.next(0);
  if (cancelled) throw abortError();
  expectWord(done, ['OK'], where);
  job.progress.filesDone++;
  report(job);
}

/** Ends an upload's data early and waits for the node's verdict (which is then a failure). */
async function endData(shell: RemoteShell): Promise<void> {
  if (shell.ended !== null) return;
  try {
    shell.send(Buffer.from('\n.\n', 'latin1'));
    await shell.next(30_000, 'the node to drop the part of a failed upload');
  } catch {
    /* the session is gone: nothing more can be done on the node from here */
  }
}

async function uploadTree(job: Job, local: string, remote: string): Promise<TransferResult> {
  const { shell } = job;
  const walk = await walkLocal(local);
  job.progress.total = walk.files.reduce((sum, file) => sum + file.stats.size, 0);
  job.progress.files = walk.files.length;
  const at = await shell.command(shell.dialect.treeTarget(remote, path.basename(path.resolve(local))));
  expectWord(at, ['DIRAT'], remote);
  const root = fromHex(at.fields[0] ?? '');
  for (let i = 0; i < walk.dirs.length; i += 64) {
    const batch = walk.dirs.slice(i, i + 64).map((rel) => remoteJoin(root, Buffer.from(rel, 'utf8')));
    const made = await shell.command(shell.dialect.makeDirs(batch));
    expectWord(made, ['OK'], made.fields[1] !== undefined ? display(batch[Number(made.fields[1])] ?? root) : display(root));
  }
  report(job);
  for (const file of walk.files) {
    if (aborted(job.options.signal)) throw abortError();
    const target = remoteJoin(root, Buffer.from(file.rel, 'utf8'));
    let part: { bytes: number; sha: string } | null = null;
    if (file.stats.size >= RESUMABLE_BYTES) {
      const prepared = await shell.command(shell.dialect.uploadPrepare(target, path.basename(file.rel)));
      expectWord(prepared, ['PART'], display(target));
      part = { bytes: Number(prepared.fields[0]), sha: prepared.fields[1] ?? '-' };
    }
    await uploadOne(job, path.join(local, file.rel), file.stats, target, part);
  }
  return result(job, root.toString('utf8'), walk.skipped);
}

interface LocalTree {
  dirs: string[];
  files: Array<{ rel: string; stats: Stats }>;
  skipped: string[];
}

/** Directories (parents first) and regular files under `root`, with POSIX separators. */
async function walkLocal(root: string): Promise<LocalTree> {
  const tree: LocalTree = { dirs: [], files: [], skipped: [] };
  const visit = async (rel: string): Promise<void> => {
    const dir = path.join(root, rel);
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      throw localError(error, dir);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const full = path.join(root, childRel);
      if (entry.isDirectory()) {
        tree.dirs.push(childRel);
        await visit(childRel);
      } else if (entry.isFile()) {
        tree.files.push({ rel: childRel, stats: await fs.stat(full) });
      } else if (entry.isSymbolicLink()) {
        // A link to a file is copied as the file (as scp does); links to directories are skipped (no loops).
        const target = await fs.stat(full).catch(() => null);
        if (target?.isFile()) tree.files.push({ rel: childRel, stats: target });
        else tree.skipped.push(childRel);
      } else tree.skipped.push(childRel);
    }
  };
  await visit('');
  return tree;
}

// ── Download ───────────────────────────────────────────────────────────────────────

/** Download a file or (recursive) a directory tree from `remote` on the node to `local`. */
export async function download(shell: RemoteShell, remote: string, local: string, options: TransferOptions & { recursive?: boolean } = {}): Promise<TransferResult> {
  const wire = shell.wire;
  if (!wire) throw new Error('the remote shell is not started');
  const job: Job = {
    shell,
    wire,
    options,
    progress: { bytes: 0, total: 0, resumed: 0, file: local, filesDone: 0, files: 0 },
    wireBytes: 0,
    compressed: false,
  };
  const localStats = await fs.stat(local).catch(() => null);
  const intoDir = localStats?.isDirectory() === true;
  const base = remoteBaseName(remote);
  const target = intoDir ? path.join(local, base || 'download') : local;

  // A first look without a part offset: is it a file or a directory?
  const part = partName(target);
  const partSize = (await fs.stat(part).catch(() => null))?.size ?? 0;
  const stat = await shell.command(shell.dialect.downloadStat(remote, partSize));
  expectWord(stat, ['FILE', 'DIR'], remote);
  if (stat.word === 'DIR') {
    if (!options.recursive) throw new TransferError(`${remote} is a directory (use -r to copy a directory)`, 'EISDIR', 'remote');
    return downloadTree(job, remote, target);
  }
  await checkLocalParent(target, false);
  job.progress.total = Number(stat.fields[0]);
  job.progress.files = 1;
  await downloadOne(job, remote, target, stat.fields);
  return result(job, target, []);
}

/** The target's folder exists; a file target is not a directory, a tree target not a file. */
async function checkLocalParent(target: string, tree: boolean): Promise<void> {
  const dir = path.dirname(target);
  const stats = await fs.stat(dir).catch((error: unknown) => {
    throw localError(error, dir);
  });
  if (!stats.isDirectory()) throw new TransferError(`${dir} is not a directory`, 'ENOTDIR');
  const existing = await fs.stat(target).catch(() => null);
  if (!tree && existing?.isDirectory()) throw new TransferError(`${target} is a directory`, 'EISDIR');
  if (tree && existing && !existing.isDirectory()) throw new TransferError(`${target} is not a directory`, 'ENOTDIR');
}

/** `FILE size mode sha keptOffset keptSha` → the file, resumed from its part when the prefix matches. */
async function downloadOne(job: Job, remote: RemotePath, target: string, fields: string[]): Promise<void> {
  const { wire, options } = job;
  const size = Number(fields[0]);
  const mode = modeFromLs(fields[1] ?? '');
  const sha = fields[2] ?? '';
  const kept = Number(fields[3] ?? 0);
  const keptSha = fields[4] ?? '-';
  const part = partName(target);
  if (!Number.isSafeInteger(size) || !/^[0-9a-f]{64}$/.test(sha)) throw new TransferError(`the node's answer about ${display(remote)} is malformed`, 'PROTOCOL');

  // The running hash starts with the kept prefix, when it is the node's prefix.
  let hash = createHash('sha256');
  let offset = 0;
  if (kept > 0) {
    try {
      for await (const chunk of createReadStream(part) as AsyncIterable<Buffer>) hash.update(chunk);
      if (hash.copy().digest('hex') === keptSha) offset = kept;
    } catch {
      /* unreadable part: start over */
    }
    if (offset === 0) hash = createHash('sha256');
  }
  let out: Writable;
  try {
    const handle = await fs.open(part, offset > 0 ? 'a' : 'w', (mode ?? 0o644) | 0o600);
    out = handle.createWriteStream();
  } catch (error) {
    throw localError(error, target);
  }
  job.progress.file = target;
  job.progress.bytes += offset;
  job.progress.resumed += offset;
  report(job);

  const mayCompress = options.compress !== false && wire.compress !== null && size - offset > 0;
  try {
    await receiveData(job, { path: remote, offset, size, mayCompress }, out, hash);
  } catch (error) {
    // An interruption keeps the part for the next run; a failure (or a cancel) removes it.
    const code = error instanceof TransferError ? error.code : '';
    const interrupted = code === 'ENDED' || code === 'TIMEOUT' || (code === 'ABORTED' && options.onAbort !== 'discard');
    if (!interrupted) await fs.rm(part, { force: true });
    throw error;
  }
  const got = hash.digest('hex');
  const written = (await fs.stat(part)).size;
  if (got !== sha || written !== size) {
    await fs.rm(part, { force: true });
    throw remoteError('EHASH', display(remote), written !== size ? `got ${written} of ${size} bytes` : 'it may have changed while it was copied');
  }
  if (mode !== null) await fs.chmod(part, mode).catch(() => undefined);
  await fs.rename(part, target).catch(async (error: unknown) => {
    await fs.rm(part, { force: true });
    throw localError(error, target);
  });
  job.progress.filesDone++;
  report(job);
}

/** Runs downloadSend and writes what arrives (decoded, decompressed, hashed) to `out`. */
async function receiveData(job: Job, step: { path: RemotePath; offset: number; size: number; mayCompress: boolean }, out: Writable, hash: Hash): Promise<void> {
  const { shell, wire, options } = job;
  const decoded = new PassThrough({ highWaterMark: 1 << 20 });
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      job.progress.bytes += chunk.length;
      report(job);
      callback(null, chunk);
    },
  });
  let written: Promise<void> | null = null;
  // Set from START: how the node sends the data (it decides on compression from a sample).
  let format: DataFormat | null = null;
  let failure: TransferError | null = null;
  // Uncompressed data is cut at the count (Z85 pads the last group with NULs).
  let left = Math.max(0, step.size - step.offset);

  // Decoding: whitespace out, whole groups (4 base64 chars / 2 hex digits / 5 Z85 chars) at a time.
  let group = 4;
  let carry = '';
  let paused = false;
  decoded.on('drain', () => {
    if (paused) {
      paused = false;
      shell.channel.resumeOutput();
    }
  });
  shell.expectData({
    start: (fields) => {
      const compressed = fields[0] === 'z';
      const encoding = fields[1];
      if ((encoding !== 'base64' && encoding !== 'hex' && encoding !== 'z85') || (compressed && (!step.mayCompress || !wire.compress))) {
        failure = new TransferError(`unexpected START ${fields.join(' ')} from the node`, 'PROTOCOL');
        return HASH;
      }
      format = { compressed, encoding };
      if (compressed) job.compressed = true;
      group = encoding === 'z85' ? 5 : encoding === 'hex' ? 2 : 4;
      const stages: Array<PassThrough | Transform | Writable> = [decoded];
      if (compressed) stages.push(decompressor(wire));
      stages.push(hashing, out);
      written = pipeline(stages as unknown as [PassThrough, Writable]);
      written.catch(() => undefined);
      return encoding === 'z85' ? NEWLINE : HASH;
    },
    data: (chunk) => {
      if (!format || failure) return;
      job.wireBytes += chunk.length;
      let text = carry + chunk.toString('latin1');
      if (/\s/.test(text)) text = text.replace(/\s+/g, '');
      const whole = text.length - (text.length % group);
      carry = text.slice(whole);
      if (whole === 0) return;
      let bytes: Buffer;
      try {
        bytes = format.encoding === 'z85' ? decodeZ85(text.slice(0, whole)) : Buffer.from(text.slice(0, whole), format.encoding);
      } catch (error) {
        failure = error instanceof TransferError ? error : new TransferError(String(error), 'PROTOCOL');
        return;
      }
      if (!format.compressed) {
        if (bytes.length > left) bytes = bytes.subarray(0, left);
        left -= bytes.length;
      }
      if (!decoded.write(bytes) && !paused) {
        paused = true;
        shell.channel.pauseOutput();
      }
    },
  });
  const onAbort = () => void shell.channel.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const start = await shell.command(shell.dialect.downloadSend({ path: step.path, offset: step.offset, size: step.size, mayCompress: step.mayCompress }, wire));
    expectWord(start, ['START'], display(step.path));
    const end = await shell.next(0);
    expectWord(end, ['END'], display(step.path));
    if (failure) throw failure;
    if (carry.length > 0 || !written) throw new TransferError(`the data from the node ended mid-group`, 'PROTOCOL');
    decoded.end();
    await written;
  } catch (error) {
    decoded.destroy();
    if (aborted(options.signal)) throw abortError();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (paused) shell.channel.resumeOutput();
  }
}

async function downloadTree(job: Job, remote: string, target: string): Promise<TransferResult> {
  const { shell } = job;
  const listing = await shell.command(shell.dialect.listTree(remote));
  expectWord(listing, ['TREE'], remote);
  const entries = fromHex(listing.fields[0] ?? '')
    .toString('latin1')
    .split('\0')
    .filter(Boolean)
    .map((entry) => ({ kind: entry[0], rel: Buffer.from(entry.slice(1), 'latin1') }));
  const skipped: string[] = [];
  const dirs: Buffer[] = [];
  const files: Buffer[] = [];
  for (const entry of entries) {
    const rel = entry.rel.subarray(entry.rel.indexOf(0x2f) + 1); // drop "./"
    if (entry.rel.equals(Buffer.from('.'))) continue;
    const name = rel.toString('utf8');
    if (!safeRelative(name)) {
      skipped.push(name);
      continue;
    }
    (entry.kind === 'd' ? dirs : files).push(rel);
  }
  await checkLocalParent(target, true);
  await fs.mkdir(target, { recursive: true }).catch((error: unknown) => {
    throw localError(error, target);
  });
  for (const dir of dirs) {
    const at = path.join(target, ...dir.toString('utf8').split('/'));
    await fs.mkdir(at, { recursive: true }).catch((error: unknown) => {
      throw localError(error, at);
    });
  }
  // Sizes come with each file's stat; the total grows as the files are looked at.
  job.progress.files = files.length;
  const stats: Array<{ rel: Buffer; fields: string[]; local: string; remote: RemotePath }> = [];
  for (const rel of files) {
    if (aborted(job.options.signal)) throw abortError();
    const local = path.join(target, ...rel.toString('utf8').split('/'));
    const remotePath = remotePathJoin(remote, rel);
    const partSize = (await fs.stat(partName(local)).catch(() => null))?.size ?? 0;
    const stat = await shell.command(shell.dialect.downloadStat(remotePath, partSize));
    if (stat.word === 'ERR') {
      skipped.push(rel.toString('utf8'));
      continue;
    }
    expectWord(stat, ['FILE'], display(remotePath));
    job.progress.total += Number(stat.fields[0]);
    stats.push({ rel, fields: stat.fields, local, remote: remotePath });
  }
  report(job);
  for (const file of stats) {
    if (aborted(job.options.signal)) throw abortError();
    await downloadOne(job, file.remote, file.local, file.fields);
  }
  return result(job, target, skipped);
}

function remotePathJoin(root: string, rel: Buffer): RemotePath {
  if (root === '~' || root.startsWith('~/')) {
    // Keep ~ for the node to expand: text in, text out (names from the listing are UTF-8 here).
    return `${root.replace(/\/+$/, '')}/${rel.toString('utf8')}`;
  }
  return remoteJoin(Buffer.from(root, 'utf8'), rel);
}

/** A name from a node's listing that stays inside the target directory on this machine. */
function safeRelative(name: string): boolean {
  if (name.length === 0 || name.includes('\0')) return false;
  const parts = name.split('/');
  if (parts.some((part) => part === '' || part === '.' || part === '..')) return false;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what Windows refuses in names
  if (process.platform === 'win32' && parts.some((part) => /[<>:"\\|?*\x00-\x1f]/.test(part))) return false;
  return true;
}

/** A local filesystem error as one line. */
export function localError(error: unknown, where: string): TransferError {
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return new TransferError(`${where}: no such file or directory`, 'ENOENT', 'local');
    case 'EACCES':
    case 'EPERM':
      return new TransferError(`${where}: permission denied`, 'EACCES', 'local');
    case 'EISDIR':
      return new TransferError(`${where} is a directory`, 'EISDIR', 'local');
    case 'ENOTDIR':
      return new TransferError(`${where}: a part of the path is not a directory`, 'ENOTDIR', 'local');
    case 'ENOSPC':
      return new TransferError(`${where}: no space left on the device`, 'EIO', 'local');
    default:
      if (error instanceof TransferError) return error;
      return new TransferError(`${where}: ${(error as Error)?.message ?? String(error)}`, code ?? 'EIO', 'local');
  }
}
