// Hatch's own settings (settings.json in the app's userData directory). A plain Node
// service: the Electron entry passes the directory and a way to show notices.
//
// - Versioned and migrated on load (migrations.ts); a migrated file is rewritten at once,
//   with the pre-migration copy kept as settings.v<N>.json for a downgrade.
// - Written atomically: temp file in the same directory, fsync, rename, fsync of the
//   directory. A crash mid-write leaves the old file or the new one, never half of one.
// - A file that cannot be parsed is kept aside as settings.corrupt-<timestamp>.json and
//   replaced by defaults, with a notice, so the user's data is never silently destroyed.
// - A file from a newer Hatch is left untouched: defaults in memory, nothing written.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Notice } from '../../shared/contract';
import { writeFileAtomic } from '../files/atomic-write';
import { migrate, SettingsTooNewError } from './migrations';
import { defaultSettings, SETTINGS_VERSION, Settings } from './schema';

export const SETTINGS_FILE = 'settings.json';

export type LoadOutcome =
  | { kind: 'missing' }
  | { kind: 'loaded' }
  | { kind: 'migrated'; from: number; backup: string }
  | { kind: 'corrupt'; reason: string; keptAs: string | null }
  | { kind: 'too-new'; fileVersion: number }
  | { kind: 'unreadable'; reason: string };

export interface SettingsStoreOptions {
  /** The directory that holds settings.json (Electron: app.getPath('userData')). */
  dir: string;
  /** Where user-visible problems go (Electron: HatchHost's system.notice). */
  notify?: (notice: Notice) => void;
  /** For tests: the clock used to name a corrupt file. */
  now?: () => Date;
}

export class SettingsStore {
  readonly file: string;
  private value: Settings = defaultSettings();
  private readOnly = false;
  private queue: Promise<void> = Promise.resolve();
  private lastWriteError: string | null = null;
  private outcome: LoadOutcome = { kind: 'missing' };

  private constructor(private readonly options: SettingsStoreOptions) {
    this.file = path.join(options.dir, SETTINGS_FILE);
  }

  /** Load (migrating or recovering as needed). Never throws for a bad file: defaults win. */
  static async open(options: SettingsStoreOptions): Promise<SettingsStore> {
    const store = new SettingsStore(options);
    await store.load();
    return store;
  }

  get current(): Settings {
    return structuredClone(this.value);
  }

  /** What happened at load, for logs and tests. */
  get loadOutcome(): LoadOutcome {
    return this.outcome;
  }

  /**
   * Apply a change and persist it. Writes are serialized in call order; the in-memory value
   * changes at once. Never rejects: a failed write becomes one notice (not one per write).
   */
  update(change: (settings: Settings) => Settings): Promise<void> {
    this.value = Settings.parse(change(structuredClone(this.value)));
    if (this.readOnly) return this.queue;
    const snapshot = this.value;
    this.queue = this.queue.then(async () => {
      try {
        await writeJsonAtomic(this.file, snapshot);
        this.lastWriteError = null;
      } catch (error) {
        const reason = errorMessage(error);
        // Keyed by errno code: messages carry the random temp file name.
        const key = (error as NodeJS.ErrnoException).code ?? reason;
        if (key !== this.lastWriteError) {
          this.lastWriteError = key;
          this.notify({ level: 'error', message: `Hatch could not save its settings (${reason}).`, action: null });
        }
      }
    });
    return this.queue;
  }

  /** Resolves when every write queued so far has finished. */
  flush(): Promise<void> {
    return this.queue;
  }

  private async load(): Promise<void> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      // Present but unreadable (permissions): not corrupt, so keep it and do not overwrite.
      this.readOnly = true;
      this.outcome = { kind: 'unreadable', reason: errorMessage(error) };
      this.notify({ level: 'error', message: `Hatch could not read its settings (${errorMessage(error)}); defaults are in use and changes will not be saved.`, action: null });
      return;
    }
    let migrated: { settings: Settings; from: number };
    try {
      migrated = migrate(JSON.parse(text));
    } catch (error) {
      if (error instanceof SettingsTooNewError) {
        this.readOnly = true;
        this.outcome = { kind: 'too-new', fileVersion: error.fileVersion };
        this.notify({
          level: 'warning',
          message: 'Your settings were saved by a newer version of Hatch. This version is using defaults and will leave them untouched.',
          action: 'Update Hatch',
        });
        return;
      }
      await this.recoverFromCorrupt(errorMessage(error));
      return;
    }
    const { settings, from } = migrated;
    this.value = settings;
    if (from === SETTINGS_VERSION) {
      this.outcome = { kind: 'loaded' };
      return;
    }
    const backup = path.join(this.options.dir, `settings.v${from}.json`);
    try {
      await writeFileAtomic(backup, text, { mode: 0o600 });
      await writeJsonAtomic(this.file, settings);
      this.outcome = { kind: 'migrated', from, backup };
    } catch (error) {
      // The old file is fine, only saving the upgrade failed: use it, and try again on the next change.
      this.outcome = { kind: 'migrated', from, backup };
      this.notify({ level: 'error', message: `Hatch could not save its upgraded settings (${errorMessage(error)}).`, action: null });
    }
  }

  private async recoverFromCorrupt(reason: string): Promise<void> {
    this.value = defaultSettings();
    const stamp = (this.options.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-');
    const keptAs = path.join(this.options.dir, `settings.corrupt-${stamp}.json`);
    let kept: string | null = keptAs;
    try {
      await fs.rename(this.file, keptAs);
    } catch {
      kept = null;
    }
    this.outcome = { kind: 'corrupt', reason, keptAs: kept };
    if (kept === null) {
      // Could not move it aside: do not overwrite what we could not preserve.
      this.readOnly = true;
      this.notify({ level: 'warning', message: `Hatch's settings file is damaged (${reason}); defaults are in use for this run.`, action: null });
      return;
    }
    this.notify({
      level: 'warning',
      message: `Hatch's settings file was damaged and has been reset to defaults. The old file was kept as ${path.basename(keptAs)}.`,
      action: null,
    });
  }

  private notify(notice: Notice): void {
    this.options.notify?.(notice);
  }
}

/** settings.json as Hatch writes it: pretty JSON, owner-only, through the one atomic write. */
function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  return writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}

function errorMessage(error: unknown): string {
  if (error instanceof SyntaxError) return `not valid JSON: ${error.message}`;
  if (error && typeof error === 'object' && 'issues' in error && Array.isArray((error as { issues: unknown[] }).issues)) {
    const issue = (error as { issues: Array<{ path: PropertyKey[]; message: string }> }).issues[0];
    return issue ? `${issue.path.map(String).join('.') || 'file'}: ${issue.message}` : 'invalid settings';
  }
  return error instanceof Error ? error.message : String(error);
}
