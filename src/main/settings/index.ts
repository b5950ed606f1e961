export { SettingsStore, SETTINGS_FILE, type LoadOutcome, type SettingsStoreOptions } from './settings-store';
export { defaultSettings, Settings, SETTINGS_VERSION, WindowBounds } from './schema';
export { migrate, migrations, SettingsTooNewError } from './migrations';
