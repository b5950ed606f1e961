// The app's settings in the renderer: a copy of what main keeps (settings.json), loaded at
// start and replaced by every change main confirms. Readable outside React (appSettings()).
import { create } from 'zustand';
import { applySettingsPatch, defaultAppSettings, type AppSettings, type AppSettingsPatch } from '../shared/domain/app-settings';

interface SettingsState {
  settings: AppSettings;
  /** Where settings and recordings live (shown in the Settings view). */
  dataDir: string | null;
  recordingsDir: string | null;
  loaded: boolean;
}

export const useSettings = create<SettingsState>(() => ({ settings: defaultAppSettings(), dataDir: null, recordingsDir: null, loaded: false }));

export const appSettings = (): AppSettings => useSettings.getState().settings;

/** Set by App once the api is up, so this module does not import the transport. */
let save: ((patch: AppSettingsPatch) => Promise<void>) | null = null;
export function connectSettings(saver: (patch: AppSettingsPatch) => Promise<void>): void {
  save = saver;
}

/** Applies the change here at once (controls follow the hand), then main saves and confirms it. */
export function updateSettings(patch: AppSettingsPatch): Promise<void> {
  try {
    useSettings.setState({ settings: applySettingsPatch(useSettings.getState().settings, patch) });
  } catch {
    // out of range: main refuses it too, and says so
  }
  return save ? save(patch) : Promise.resolve();
}
