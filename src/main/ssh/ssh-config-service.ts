// "SSH config…": Hatch's block in ~/.ssh/config, previewed as a diff and then saved — with
// a backup of the previous file, only if the file is still what was previewed, atomically.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { HatchError } from '../../shared/contract';
import { FileChangedError, readForWrite, writeFileAtomic } from '../files/atomic-write';
import { withEntry, type SshEntry } from './ssh-config';

interface SshConfigServiceOptions {
  /** The user's home (HOME / USERPROFILE from the app's environment). */
  home?: () => string;
  /** The words that start `hatch` for ProxyCommand; null when none is available. */
  hatchCommand: () => string[] | null;
  platform?: NodeJS.Platform;
}

export interface SshConfigPreview {
  path: string;
  before: string;
  after: string;
  changed: boolean;
  /** SHA-256 of the file as previewed (empty string: it did not exist); saving checks it. */
  sha256: string;
}

const sha = (text: string | undefined) => (text === undefined ? '' : createHash('sha256').update(text).digest('hex'));

export class SshConfigService {
  constructor(private readonly options: SshConfigServiceOptions) {}

  get path(): string {
    return path.join(this.options.home?.() ?? os.homedir(), '.ssh', 'config');
  }

  private command(): string[] {
    const command = this.options.hatchCommand();
    if (!command) {
      throw new HatchError('Unavailable', 'The hatch command is not installed, so ssh would have nothing to run as its ProxyCommand.', 'Install it (npm install -g from the Hatch folder puts "hatch" on PATH), then try again.');
    }
    return command;
  }

  async preview(entry: SshEntry): Promise<SshConfigPreview> {
    const file = await readForWrite(this.path);
    const before = file.text ?? '';
    const after = withEntry(before, entry, this.command(), this.options.platform);
    return { path: this.path, before, after, changed: after !== before, sha256: sha(file.text) };
  }

  /** Writes the entry if the file is still what `expectSha256` says; the old file is kept as config.hatch-backup. */
  async save(entry: SshEntry, expectSha256: string): Promise<{ path: string; backupPath: string | null; changed: boolean }> {
    const file = await readForWrite(this.path);
    if (sha(file.text) !== expectSha256) {
      throw new HatchError('BadRequest', `${this.path} changed since the preview; nothing was written.`, 'Look at the new preview and save again.');
    }
    const before = file.text ?? '';
    const after = withEntry(before, entry, this.command(), this.options.platform);
    if (after === before) return { path: this.path, backupPath: null, changed: false };
    let backupPath: string | null = null;
    try {
      if (file.text !== undefined) {
        backupPath = `${file.target}.hatch-backup`;
        await writeFileAtomic(backupPath, file.text, { mode: file.mode ?? 0o600, keepMode: false });
      }
      // ssh refuses a config others can write: a new one is 0600 in a 0700 folder.
      await writeFileAtomic(file.target, after, { mode: 0o600, expect: file.stamp });
    } catch (error) {
      if (error instanceof FileChangedError) throw new HatchError('BadRequest', error.message, 'Look at the new preview and save again.');
      throw new HatchError('Unavailable', `Could not write ${this.path}: ${(error as Error).message}`, backupPath ? `The previous file is in ${backupPath}.` : null);
    }
    return { path: this.path, backupPath, changed: true };
  }
}
