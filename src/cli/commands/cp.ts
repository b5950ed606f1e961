// `hatch cp [options] SRC DST`: copy a file or a directory to or from a node over a
// Session Manager session of its own (see src/main/transfers). One side is NODE:PATH.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Subcommand } from '../commands';
import { CliContext, asCliError, contextOptions, parseCommandArgs, type NodeRef } from '../context';
import { CliError } from '../io';
import { ProgressBar, formatDuration } from '../progress';
import { formatBytes, formatRate } from '../../shared/format';
import { dialectFor, download, localZstd, RemoteShell, shellChannel, TransferError, upload, type TransferProgress, type TransferResult } from '../../main/transfers';

const usage = `Usage: hatch cp [options] SRC DST

Copies a file (or with -r a directory) to or from a node over Session Manager alone.
One of SRC and DST is NODE:PATH, where NODE is an instance id (i-…, mi-…) or a node's
Name. A relative PATH starts at the node's home directory; a PATH that is a directory
receives the copy inside it.

  hatch cp ./app.conf web-1:/etc/app/       upload
  hatch cp -r i-0abc123…:/var/log/app ./    download a directory

Options:
  --profile NAME   AWS profile (default: AWS_PROFILE, environment credentials, [default])
  --region REGION  region (default: the profile's)
  -r, --recursive  copy directories
  --no-compress    do not compress with gzip/zstd on the way
  -q, --quiet      no progress bar or summary

An interrupted copy (network, Ctrl-C) leaves a part file; the same command resumes it.`;

export type Endpoint = { kind: 'local'; path: string } | { kind: 'remote'; node: string; path: string };

/** NODE:PATH when a colon comes before any slash (scp's rule); `C:\…` on Windows is local. */
export function parseEndpoint(text: string, platform: NodeJS.Platform = process.platform): Endpoint {
  if (platform === 'win32' && /^[A-Za-z]:[\\/]/.test(text)) return { kind: 'local', path: text };
  const match = /^([^/:]+):(.*)$/s.exec(text);
  if (!match) return { kind: 'local', path: text };
  return { kind: 'remote', node: match[1], path: match[2] === '' ? '~' : match[2] };
}

export const cpCommand: Subcommand = {
  name: 'cp',
  summary: 'copy files and directories to or from a node',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      ...contextOptions,
      recursive: { type: 'boolean', short: 'r' },
      'no-compress': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    });
    if (positionals.length !== 2) throw new CliError(`expected SRC and DST, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}.`, 2);
    const source = parseEndpoint(positionals[0]);
    const destination = parseEndpoint(positionals[1]);
    if (source.kind === 'remote' && destination.kind === 'remote') throw new CliError('both sides are on nodes: copy through this machine in two steps.', 2);
    if (source.kind === 'local' && destination.kind === 'local') throw new CliError('neither side is NODE:PATH (use cp for local copies).', 2);
    const recursive = values.recursive === true;
    const quiet = values.quiet === true;
    const compress = values['no-compress'] !== true;

    // Local problems are found before any session is opened.
    if (source.kind === 'local') await checkSource(path.resolve(io.cwd, source.path), recursive);
    else await checkDestinationFolder(path.resolve(io.cwd, (destination as { path: string }).path));

    const remote = (source.kind === 'remote' ? source : destination) as Extract<Endpoint, { kind: 'remote' }>;
    const context = await CliContext.open({ profile: values.profile, region: values.region, io });
    const controller = new AbortController();
    let interrupted = false;
    io.onSignal('SIGINT', () => {
      interrupted = true;
      controller.abort();
    });
    io.onSignal('SIGTERM', () => {
      interrupted = true;
      controller.abort();
    });
    let shell: RemoteShell | null = null;
    try {
      const node = await context.resolveNode(remote.node);
      const session = await context.openShell(node);
      shell = new RemoteShell(shellChannel(session), dialectFor(node.platformType));
      await shell.start({ allowCompression: compress, localZstd });
      const label = source.kind === 'local' ? path.basename(source.path) || source.path : `${remote.node}:${remote.path}`;
      const bar = !quiet && io.stderr.isTTY ? new ProgressBar(io.stderr, label) : null;
      const onProgress = bar ? (p: TransferProgress) => bar.update(p.bytes, p.total) : undefined;
      const started = Date.now();
      const options = { recursive, compress, signal: controller.signal, onAbort: 'keep' as const, onProgress };
      let result: TransferResult;
      try {
        result =
          source.kind === 'local'
            ? await upload(shell, path.resolve(io.cwd, source.path), remote.path, options)
            : await download(shell, remote.path, path.resolve(io.cwd, (destination as { path: string }).path), options);
      } finally {
        bar?.finish();
      }
      if (!quiet && io.stderr.isTTY) io.stderr.write(`${summary(result, node, source.kind === 'local', Date.now() - started)}\n`);
      for (const name of result.skipped) io.stderr.write(`hatch cp: skipped ${name} (not a regular file or directory)\n`);
      return 0;
    } catch (error) {
      if (interrupted || (error instanceof TransferError && error.code === 'ABORTED')) {
        io.stderr.write('hatch cp: interrupted; run the same command again to resume.\n');
        return 130;
      }
      throw describe(error, remote);
    } finally {
      await shell?.close().catch(() => undefined);
      await context.dispose();
    }
  },
};

function summary(result: TransferResult, node: NodeRef, up: boolean, ms: number): string {
  const moved = result.bytes - result.resumed;
  const rate = ms > 0 ? (moved * 1000) / ms : 0;
  const where = up ? `${node.name}:${result.target}` : result.target;
  const files = result.files === 1 ? '' : ` (${result.files} files)`;
  const resumed = result.resumed > 0 ? `, resumed after ${formatBytes(result.resumed)}` : '';
  return `${up ? 'uploaded' : 'downloaded'} ${formatBytes(result.bytes)}${files} to ${where} in ${formatDuration(ms / 1000)} (${formatRate(rate)}${resumed}), SHA-256 checked`;
}

/** A transfer failure as one line that says which side it happened on. */
function describe(error: unknown, remote: Extract<Endpoint, { kind: 'remote' }>): CliError {
  if (error instanceof TransferError) {
    if (error.code === 'ENDED') return new CliError(`${error.message}; run the same command again to resume.`);
    return new CliError(error.side === 'remote' ? `${remote.node}:${error.message}` : error.message);
  }
  return asCliError(error);
}

async function checkSource(file: string, recursive: boolean): Promise<void> {
  const stats = await fs.stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new CliError(error.code === 'ENOENT' ? `${file}: no such file or directory` : `${file}: ${error.message}`);
  });
  if (stats.isDirectory() && !recursive) throw new CliError(`${file} is a directory (use -r to copy a directory).`);
  if (!stats.isDirectory() && !stats.isFile()) throw new CliError(`${file} is not a regular file.`);
  await fs.access(file, fs.constants.R_OK).catch(() => {
    throw new CliError(`${file}: permission denied`);
  });
}

async function checkDestinationFolder(target: string): Promise<void> {
  const existing = await fs.stat(target).catch(() => null);
  const folder = existing?.isDirectory() ? target : path.dirname(target);
  const stats = await fs.stat(folder).catch(() => null);
  if (!stats?.isDirectory()) throw new CliError(`${folder}: no such directory`);
  await fs.access(folder, fs.constants.W_OK).catch(() => {
    throw new CliError(`${folder}: permission denied`);
  });
}

