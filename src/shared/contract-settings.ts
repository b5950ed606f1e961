// Contract entries of Hatch's own settings (the Settings view): read, change, and the
// event every window gets when they change. Spread into `calls`/`events` in contract.ts.
import { z } from 'zod';
import { AppSettings, AppSettingsPatch } from './domain/app-settings';

export const SettingsState = z.object({
  settings: AppSettings,
  /** The one folder that holds settings.json and recordings/ (shown, not editable). */
  dataDir: z.string(),
  recordingsDir: z.string(),
  settingsFile: z.string(),
});
export type SettingsState = z.infer<typeof SettingsState>;

export const settingsCalls = {
  'settings.get': { request: z.object({}).strict(), response: SettingsState },
  'settings.update': { request: AppSettingsPatch, response: SettingsState },
} as const;

export const settingsEvents = {
  'settings.changed': SettingsState,
} as const satisfies Record<string, z.ZodType>;
