// TransferService: the app's uploads and downloads, each over a session of its own on the
// node (the engine `hatch cp` uses). Uploads are staged first: their bytes come from the
// renderer in chunks (the browser host has no file paths), into a file under Hatch's data
// folder, then go to the node. Downloads land in the downloads folder under a free name.
// A failed or cancelled transfer can be retried; its part files make the retry resume.
import { randomUUID } from 'node:crypto';
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import path from 'node:path';
import { DescribeInstanceInformationCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { KMSClient } from '@aws-sdk/client-kms';
import { HatchError, type EventName, type EventPayload } from '../../shared/contract';
import type { TransferInfo } from '../../shared/contract-transfers';
import { openSession, ssmSessionCalls } from '../../protocol/opener';
import { ShellSession } from '../../protocol/shell-session';
import { describeAwsError } from '../sessions/aws-errors';
import { RemoteShell, TransferError } from './remote-shell';
import { shellChannel } from './shell-channel';
import { download, localZstd, upload, type TransferProgress } from './transfer';
import { dialectFor } from './index';

interface TransferServiceOptions {
  ssm(profile: string, region: string): Promise<SSMClient>;
  kms(profile: string, region: string): Promise<KMSClient>;
  emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  /** Where downloads land (the user's Downloads folder). */
  downloadsDir: string;
  /** Where uploads are staged (inside Hatch's data folder). */
  stagingDir: string;
  /** Show a file in the system's file manager (desktop app only). */
  reveal?: (file: string) => boolean;
  /** A system notification when a transfer ends (the renderer shows its own toast too). */
  systemNotify?: (title: string, body: string) => void;
  /** Browser host: the URL a finished download is fetched from. */
  fetchUrl?: (transferId: string, name: string) => string;
  /** A profile's upload pacing ('aws': the plugin's 1 KiB + 1 ms, for accounts that need it). */
  pacing?: (profile: string) => 'adaptive' | 'aws';
  /** How often progress goes out (ms). Default 250. */
  progressEveryMs?: number;
  /** Staged copies no transfer holds are removed once this old (ms since their last write). Default a day. */
  staleStagedMs?: number;
}

const STALE_STAGED_MS = 24 * 60 * 60 * 1000;
/** Staged copies are named by a UUID: nothing else in the folder is ever removed. */
const STAGED_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Job {
  info: TransferInfo;
  /** Upload: the staged file and its writer while bytes arrive. */
  staged: string | null;
  writer: WriteStream | null;
  received: number;
  mode: number | null;
  controller: AbortController | null;
  /** Why the controller fired: the person cancelled (discard the parts) or Hatch is closing (keep them). */
  abortedBy: 'cancel' | 'close' | null;
  samples: Array<{ at: number; bytes: number }>;
  lastEmit: number;
}

export class TransferService {
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly options: TransferServiceOptions) {
    void this.sweepStaged();
  }

  /**
   * Removes staged copies of uploads left by an earlier run: a copy is kept while its
   * transfer can be retried, but an app closed mid-upload leaves it with no transfer to
   * retry it. Runs at start and at each new upload; spares every copy a transfer of this run
   * holds, and any written to within the age limit (another Hatch on the same data folder).
   */
  async sweepStaged(): Promise<string[]> {
    const dir = this.options.stagingDir;
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    const held = new Set([...this.jobs.values()].map((job) => job.staged));
    const limit = this.options.staleStagedMs ?? STALE_STAGED_MS;
    const removed: string[] = [];
    for (const name of names) {
      const file = path.join(dir, name);
      if (!STAGED_NAME.test(name) || held.has(file)) continue;
      const stats = await fs.lstat(file).catch(() => null);
      if (!stats?.isFile() || Date.now() - stats.mtimeMs < limit) continue;
      if (await fs.rm(file, { force: true }).then(() => true, () => false)) removed.push(name);
    }
    return removed;
  }

  list(): TransferInfo[] {
    return [...this.jobs.values()].map((job) => job.info);
  }

  async uploadBegin(request: { profile: string; region: string; target: string; nodeName?: string; remoteDir: string; name: string; size: number; mode?: number }): Promise<TransferInfo> {
    const id = randomUUID();
    await fs.mkdir(this.options.stagingDir, { recursive: true, mode: 0o700 });
    const staged = path.join(this.options.stagingDir, id);
    const writer = createWriteStream(staged, { mode: 0o600 });
    const dir = request.remoteDir.replace(/\/+$/, '') || '/';
    const job = this.add({
      direction: 'upload',
      request,
      name: request.name,
      remotePath: dir === '~' ? `~/${request.name}` : `${dir === '/' ? '' : dir}/${request.name}`,
      localPath: null,
      total: request.size,
      state: 'receiving',
    });
    job.staged = staged;
    job.writer = writer;
    job.mode = request.mode ?? null;
    writer.on('error', (error) => this.fail(job, `could not stage the file: ${error.message}`));
    void this.sweepStaged();
    return job.info;
  }

  async uploadChunk(transferId: string, offset: number, data: string): Promise<void> {
    const job = this.get(transferId);
    if (job.info.state !== 'receiving' || !job.writer) throw new HatchError('BadRequest', 'This upload is not receiving data.');
    if (offset !== job.received) throw new HatchError('BadRequest', `Expected the bytes from offset ${job.received}, got ${offset}.`);
    const bytes = Buffer.from(data, 'base64');
    if (job.received + bytes.length > job.info.total) throw new HatchError('BadRequest', 'More bytes than the upload announced.');
    job.received += bytes.length;
    if (!job.writer.write(bytes)) await new Promise<void>((resolve) => job.writer?.once('drain', () => resolve()));
    this.progress(job, { bytes: 0, total: job.info.total, resumed: 0, file: '', filesDone: 0, files: 1 }, true);
  }

  async uploadEnd(transferId: string): Promise<TransferInfo> {
    const job = this.get(transferId);
    if (job.info.state !== 'receiving' || !job.writer) throw new HatchError('BadRequest', 'This upload is not receiving data.');
    if (job.received !== job.info.total) throw new HatchError('BadRequest', `The upload announced ${job.info.total} bytes and got ${job.received}.`);
    const writer = job.writer;
    job.writer = null;
    await new Promise<void>((resolve, reject) => writer.end((error?: Error | null) => (error ? reject(error) : resolve())));
    if (job.mode !== null && job.staged) await fs.chmod(job.staged, job.mode).catch(() => undefined);
    this.run(job);
    return job.info;
  }

  async download(request: { profile: string; region: string; target: string; nodeName?: string; remotePath: string }): Promise<TransferInfo> {
    const base = request.remotePath.replace(/\/+$/, '').split('/').pop() || 'download';
    const name = base === '~' ? 'home' : base;
    await fs.mkdir(this.options.downloadsDir, { recursive: true }).catch(() => undefined);
    const localPath = await freeName(this.options.downloadsDir, name);
    const job = this.add({ direction: 'download', request, name: path.basename(localPath), remotePath: request.remotePath, localPath, total: 0, state: 'queued' });
    this.run(job);
    return job.info;
  }

  cancel(transferId: string): void {
    const job = this.get(transferId);
    if (job.info.state === 'receiving') {
      job.writer?.destroy();
      job.writer = null;
      this.end(job, 'cancelled', null);
      void this.discardStaged(job);
      return;
    }
    job.abortedBy = 'cancel';
    job.controller?.abort();
  }

  retry(transferId: string): TransferInfo {
    const job = this.get(transferId);
    if (job.info.state !== 'failed' && job.info.state !== 'cancelled') throw new HatchError('BadRequest', 'Only a failed or cancelled transfer can be retried.');
    if (job.info.direction === 'upload' && !job.staged) throw new HatchError('BadRequest', 'The file of this upload is gone.', 'Drop the file again.');
    job.info = { ...job.info, state: 'queued', error: null, endedAt: null, bytes: 0, rate: 0 };
    this.run(job);
    return job.info;
  }

  reveal(transferId: string): boolean {
    const job = this.get(transferId);
    if (job.info.direction !== 'download' || job.info.state !== 'done' || !job.info.localPath) return false;
    return this.options.reveal?.(job.info.localPath) ?? false;
  }

  remove(transferId: string): void {
    const job = this.get(transferId);
    if (job.info.state === 'running' || job.info.state === 'queued' || job.info.state === 'receiving') throw new HatchError('BadRequest', 'This transfer is still going.', 'Cancel it first.');
    this.jobs.delete(transferId);
    void this.discardStaged(job);
  }

  /** A finished single-file download (what the browser host serves for fetchUrl). */
  downloadedFile(transferId: string): string | null {
    const job = this.jobs.get(transferId);
    return job && job.info.direction === 'download' && job.info.state === 'done' ? job.info.localPath : null;
  }

  async dispose(): Promise<void> {
    for (const job of this.jobs.values()) {
      job.writer?.destroy();
      // Closing the app interrupts: part files stay, so the same transfer later (or hatch cp) resumes.
      job.abortedBy = 'close';
      job.controller?.abort();
    }
  }

  // ── Running ────────────────────────────────────────────────────────────────────

  private add(spec: {
    direction: 'upload' | 'download';
    request: { profile: string; region: string; target: string; nodeName?: string };
    name: string;
    remotePath: string;
    localPath: string | null;
    total: number;
    state: TransferInfo['state'];
  }): Job {
    const id = randomUUID();
    const info: TransferInfo = {
      id,
      direction: spec.direction,
      profile: spec.request.profile,
      region: spec.request.region,
      target: spec.request.target,
      nodeName: spec.request.nodeName || spec.request.target,
      name: spec.name,
      remotePath: spec.remotePath,
      localPath: spec.localPath,
      state: spec.state,
      bytes: 0,
      total: spec.total,
      rate: 0,
      resumed: 0,
      error: null,
      startedAt: Date.now(),
      endedAt: null,
      fetchUrl: null,
    };
    const job: Job = { info, staged: null, writer: null, received: 0, mode: null, controller: null, abortedBy: null, samples: [], lastEmit: 0 };
    this.jobs.set(id, job);
    this.changed(job);
    return job;
  }

  private run(job: Job): void {
    const controller = new AbortController();
    job.controller = controller;
    job.abortedBy = null;
    job.samples = [];
    job.info = { ...job.info, state: 'running', startedAt: Date.now() };
    this.changed(job);
    void this.transfer(job, controller.signal).then(
      async () => {
        // The staged copy of an upload goes before the panel hears "done".
        if (job.info.direction === 'upload') await this.discardStaged(job).catch(() => undefined);
        const fetchUrl = job.info.direction === 'download' && job.info.localPath ? (this.options.fetchUrl?.(job.info.id, job.info.name) ?? null) : null;
        job.info = { ...job.info, fetchUrl };
        this.end(job, 'done', null);
      },
      (error: unknown) => {
        if (controller.signal.aborted) {
          this.end(job, 'cancelled', null);
          return;
        }
        this.fail(job, messageOf(error, job));
      },
    );
  }

  private async transfer(job: Job, signal: AbortSignal): Promise<void> {
    const { profile, region, target } = job.info;
    const ssm = await this.options.ssm(profile, region);
    const platform = await ssm
      .send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [target] }] }))
      .then((r) => r.InstanceInformationList?.[0]?.PlatformType ?? null)
      .catch(() => null);
    let client;
    try {
      ({ client } = await openSession({ calls: ssmSessionCalls(ssm), target, start: { Target: target }, kms: await this.options.kms(profile, region), pacing: this.options.pacing?.(profile) ?? 'adaptive' }));
    } catch (error) {
      throw describeAwsError(error, { target: job.info.nodeName, profile, region });
    }
    const shell = new RemoteShell(shellChannel(new ShellSession(client, { cols: 200, rows: 50 })), dialectFor(platform));
    try {
      await shell.start({ allowCompression: true, localZstd });
      const options = {
        recursive: true,
        signal,
        // Read when the signal fires: a cancel discards the parts, closing Hatch keeps them.
        get onAbort(): 'keep' | 'discard' {
          return job.abortedBy === 'close' ? 'keep' : 'discard';
        },
        onProgress: (p: TransferProgress) => this.progress(job, p),
      };
      if (job.info.direction === 'upload') await upload(shell, job.staged!, job.info.remotePath, options);
      else await download(shell, job.info.remotePath, job.info.localPath!, options);
      this.progress(job, { bytes: job.info.total, total: job.info.total, resumed: job.info.resumed, file: '', filesDone: 1, files: 1 }, true);
    } finally {
      await shell.close().catch(() => undefined);
    }
  }

  private progress(job: Job, p: TransferProgress, force = false): void {
    const now = Date.now();
    const bytes = job.info.state === 'receiving' ? job.received : p.bytes;
    job.samples.push({ at: now, bytes });
    while (job.samples.length > 2 && now - job.samples[0].at > 3000) job.samples.shift();
    const first = job.samples[0];
    const rate = now > first.at ? Math.max(0, ((bytes - first.bytes) * 1000) / (now - first.at)) : 0;
    job.info = { ...job.info, bytes, total: job.info.state === 'receiving' ? job.info.total : p.total, resumed: p.resumed, rate };
    if (!force && now - job.lastEmit < (this.options.progressEveryMs ?? 250)) return;
    job.lastEmit = now;
    this.changed(job);
  }

  private fail(job: Job, message: string): void {
    this.end(job, 'failed', message);
  }

  private end(job: Job, state: 'done' | 'failed' | 'cancelled', error: string | null): void {
    job.controller = null;
    job.info = { ...job.info, state, error, endedAt: Date.now(), rate: 0, ...(state === 'done' ? { bytes: job.info.total } : {}) };
    this.changed(job);
    if (state === 'done' || state === 'failed') this.notifyEnded(job.info);
  }

  /** "Uploaded app.conf" / "Download of heap.hprof failed", and where or why. */
  private notifyEnded(info: TransferInfo): void {
    const up = info.direction === 'upload';
    const title = info.state === 'done' ? `${up ? 'Uploaded' : 'Downloaded'} ${info.name}` : `${up ? 'Upload' : 'Download'} of ${info.name} failed`;
    const body = info.state === 'done' ? (up ? `to ${info.nodeName}:${info.remotePath}` : `to ${info.localPath ?? 'your downloads folder'}`) : (info.error ?? 'unknown error');
    try {
      this.options.systemNotify?.(title, body);
    } catch {
      /* a notification that cannot be shown changes nothing about the transfer */
    }
  }

  private async discardStaged(job: Job): Promise<void> {
    if (!job.staged) return;
    const staged = job.staged;
    job.staged = null;
    await fs.rm(staged, { force: true });
  }

  private changed(job: Job): void {
    this.options.emit('transfers.changed', { transfer: job.info });
  }

  private get(transferId: string): Job {
    const job = this.jobs.get(transferId);
    if (!job) throw new HatchError('NotFound', 'There is no such transfer.', 'It may have been removed.');
    return job;
  }
}

function messageOf(error: unknown, job: Job): string {
  if (error instanceof TransferError) {
    if (error.code === 'ENDED') return `${error.message}. Retry resumes it.`;
    return error.side === 'remote' ? `${job.info.nodeName}:${error.message}` : error.message;
  }
  if (error instanceof HatchError) return error.action ? `${error.message} ${error.action}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

/** `name`, or `name (1)`, `name (2)`… — the first that is free in `dir` (a part of it counts as taken by us). */
async function freeName(dir: string, name: string): Promise<string> {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let i = 0; i < 1000; i++) {
    const candidate = path.join(dir, i === 0 ? name : `${stem} (${i})${ext}`);
    const taken = await fs.stat(candidate).then(
      () => true,
      () => false,
    );
    if (!taken) return candidate;
  }
  return path.join(dir, `${stem} (${randomUUID().slice(0, 8)})${ext}`);
}
