// The app's settings as the contract serves them: read from and written to settings.json
// (SettingsStore, under `app`), with the folder they and the recordings live in. Every
// change is announced to every window (settings.changed).
import path from 'node:path';
import { applySettingsPatch, defaultAppSettings, type AppSettings, type AppSettingsPatch } from '../../shared/domain/app-settings';
import type { SettingsState } from '../../shared/contract-settings';
import type { SettingsStore } from './settings-store';
import { SETTINGS_FILE } from './settings-store';

export class AppSettingsService {
  private store: SettingsStore | null = null;

  constructor(
    private readonly opening: Promise<SettingsStore>,
    private readonly dataDir: string,
    private readonly changed: (state: SettingsState) => void,
  ) {
    void opening.then((store) => (this.store = store), () => undefined);
  }

  get recordingsDir(): string {
    return path.join(this.dataDir, 'recordings');
  }

  /** The settings now (defaults until the file has been read). */
  current(): AppSettings {
    return this.store?.current.app ?? defaultAppSettings();
  }

  async state(): Promise<SettingsState> {
    const store = await this.opening;
    return { settings: store.current.app, dataDir: this.dataDir, recordingsDir: this.recordingsDir, settingsFile: path.join(this.dataDir, SETTINGS_FILE) };
  }

  async update(patch: AppSettingsPatch): Promise<SettingsState> {
    const store = await this.opening;
    await store.update((settings) => ({ ...settings, app: applySettingsPatch(settings.app, patch) }));
    const state = await this.state();
    this.changed(state);
    return state;
  }
}
