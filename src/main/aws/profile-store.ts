// The AWS config and credentials files as one store: where they are, reading them as the
// SDK does, watching them, and changing them through one serialised, transactional queue.
//
// - Every edit of either file goes through `transact`, one at a time (in this process).
// - A change that touches both files lands in both or in neither: if the second write
//   fails, the first file gets its earlier content back.
// - Each file is read with a stamp (size, mtime, SHA-256) and written only if it still has
//   it right before the rename: a change by another program is detected, never overwritten.
// - Symlinks are followed (the target is edited, the link stays); modes are kept.
import { watch as fsWatch, watchFile, unwatchFile, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { getHomeDir, loadSharedConfigFiles, readFile as sdkReadFile } from '@smithy/shared-ini-file-loader';
import { HatchError } from '../../shared/contract';
import { FileChangedError, readForWrite, removeFile, writeFileAtomic, type AtomicFs, type FileRead } from '../files/atomic-write';
import { scanIni, type IniFileKind } from './ini';
import type { AwsFilePaths, ParsedAwsFiles } from './profile-classifier';
import type { AwsTextChanges, AwsTexts } from './profile-edits';

interface ProfileStoreOptions {
  /** Environment to read AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE and HOME from (read at each use). */
  env: () => NodeJS.ProcessEnv;
  /** File operations of the writes (tests inject failures). */
  io?: AtomicFs;
}

/** The parsed files plus problems of whole files (unreadable, rejected, text outside sections). */
interface StoreSnapshot extends ParsedAwsFiles {
  fileErrors: string[];
}

const KINDS: IniFileKind[] = ['config', 'credentials'];

export class ProfileStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ProfileStoreOptions) {}

  /** The files in use, after AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE and ~ expansion. */
  paths(): AwsFilePaths {
    const env = this.options.env();
    const home = this.home();
    const expand = (file: string) => (file.startsWith('~/') ? path.join(home, file.slice(2)) : file);
    return {
      config: expand(env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config')),
      credentials: expand(env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials')),
    };
  }

  private home(): string {
    const env = this.options.env();
    return env.HOME || env.USERPROFILE || getHomeDir();
  }

  /** Both files as the SDK's credential providers will read them, plus a line-level scan. */
  async read(): Promise<StoreSnapshot> {
    const paths = this.paths();
    // Read through the SDK's own file cache: one consistent snapshot that the SDK's
    // credential providers will also use, and which we can lint line by line.
    const [configText, credentialsText] = await Promise.all([readRaw(paths.config), readRaw(paths.credentials)]);
    const parsed = await loadSharedConfigFiles({ configFilepath: paths.config, filepath: paths.credentials });
    const scans = {
      config: configText.text === undefined ? undefined : scanIni(configText.text, 'config'),
      credentials: credentialsText.text === undefined ? undefined : scanIni(credentialsText.text, 'credentials'),
    };
    const fileErrors = [configText.error, credentialsText.error].filter((e): e is string => !!e);
    for (const kind of KINDS) {
      for (const error of scans[kind]?.fileErrors ?? []) fileErrors.push(`${paths[kind]}: ${error}`);
    }
    return { configFile: parsed.configFile, credentialsFile: parsed.credentialsFile, scans, paths, fileErrors };
  }

  /**
   * Change the files: `plan` gets both texts as they are now and returns the new text of
   * each file that changes (it may throw to refuse). Serialised with every other change;
   * both files are written or neither is.
   */
  transact(plan: (texts: AwsTexts) => AwsTextChanges): Promise<void> {
    const run = this.queue.then(() => this.commit(plan));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async commit(plan: (texts: AwsTexts) => AwsTextChanges): Promise<void> {
    const paths = this.paths();
    const before: Record<IniFileKind, FileRead> = {
      config: await readForWrite(paths.config),
      credentials: await readForWrite(paths.credentials),
    };
    const changes = plan({ config: before.config.text, credentials: before.credentials.text });
    const order = KINDS.filter((kind) => changes[kind] !== undefined && changes[kind] !== before[kind].text);
    if (order.length === 0) return;
    const io = this.options.io;
    const written: IniFileKind[] = [];
    try {
      for (const kind of order) {
        const file = before[kind];
        // The previous version stays next to the file (same mode: a credentials backup is 0600 too).
        if (file.text !== undefined) await writeFileAtomic(`${file.target}.bak`, file.text, { mode: file.mode ?? 0o600, keepMode: false, io });
        await writeFileAtomic(file.target, changes[kind]!, { mode: 0o600, expect: file.stamp, io });
        written.push(kind);
      }
    } catch (error) {
      const restoreErrors: string[] = [];
      for (const kind of written.reverse()) {
        const file = before[kind];
        try {
          if (file.text === undefined) await removeFile(file.target, io);
          else await writeFileAtomic(file.target, file.text, { mode: file.mode ?? 0o600, io });
        } catch (restoreError) {
          restoreErrors.push(`${paths[kind]} could not be restored (${(restoreError as Error).message}); its previous content is in ${file.target}.bak`);
        }
      }
      throw transactionError(error, paths, order, written.length > 0, restoreErrors);
    }
  }

  /** Call `onChange` (debounced by the caller) when either file is created, changed or replaced. */
  watchFiles(onChange: () => void): () => void {
    const paths = this.paths();
    const stops: Array<() => void> = [];
    const byDir = new Map<string, Set<string>>();
    for (const file of [paths.config, paths.credentials]) {
      const dir = path.dirname(file);
      if (!byDir.has(dir)) byDir.set(dir, new Set());
      byDir.get(dir)!.add(path.basename(file));
    }
    for (const [dir, names] of byDir) {
      try {
        // The directory, not the file: editors and the CLI replace files by rename.
        const watcher: FSWatcher = fsWatch(dir, { persistent: false }, (_event, filename) => {
          if (!filename || names.has(filename.toString())) onChange();
        });
        watcher.on('error', () => undefined);
        stops.push(() => watcher.close());
      } catch {
        // No directory yet (no ~/.aws): poll the files until they appear.
        for (const name of names) {
          const file = path.join(dir, name);
          const listener = () => onChange();
          watchFile(file, { persistent: false, interval: 2000 }, listener);
          stops.push(() => unwatchFile(file, listener));
        }
      }
    }
    return () => stops.splice(0).forEach((stop) => stop());
  }

  /** `aws sso login` in a terminal changes a profile's state: the token cache is watched too. */
  watchSsoCache(onChange: () => void): () => void {
    try {
      const watcher = fsWatch(path.join(this.home(), '.aws', 'sso', 'cache'), { persistent: false }, () => onChange());
      watcher.on('error', () => undefined);
      return () => watcher.close();
    } catch {
      // No cache yet: states are recomputed on the next refresh or sign-in anyway.
      return () => undefined;
    }
  }
}

function transactionError(error: unknown, paths: AwsFilePaths, order: IniFileKind[], partly: boolean, restoreErrors: string[]): Error {
  if (error instanceof HatchError) return error;
  const both = order.length > 1 ? ` Neither ${paths.config} nor ${paths.credentials} was changed.` : '';
  if (error instanceof FileChangedError) {
    return new HatchError('Unavailable', `${error.file} was changed by another program while Hatch was saving.${both || ' Nothing was changed.'}`, 'Try again: Hatch will apply your change to the new content.');
  }
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  if (restoreErrors.length > 0) return new HatchError('Internal', `Saving the profile failed (${reason}) and ${restoreErrors.join('; ')}.`, 'Check the files before using them.');
  return new HatchError('Unavailable', `Hatch could not save the AWS files (${reason}).${partly || order.length > 1 ? both : ' Nothing was changed.'}`, 'Check that the files and their folder are writable, then try again.');
}

async function readRaw(file: string): Promise<{ text: string | undefined; error?: string }> {
  try {
    return { text: await sdkReadFile(file, { ignoreCache: true }) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { text: undefined };
    return { text: undefined, error: `Cannot read ${file}: ${code ?? (error as Error).message}.` };
  }
}
