// Upgrades of the settings file, one step per version. Each step parses its input with
// that version's schema, so a damaged old file is reported as corrupt, not half-migrated.
import { defaultAppSettings } from '../../shared/domain/app-settings';
import { SETTINGS_VERSION, Settings, SettingsV1, SettingsV2 } from './schema';

type Migration = (previous: unknown) => { version: number };

/** migrations[n] turns a version-n document into a version-(n+1) one. */
export const migrations: Record<number, Migration> = {
  1: (previous) => {
    const v1 = SettingsV1.parse(previous);
    return { version: 2, window: { bounds: v1.windowBounds ?? null, maximized: v1.windowMaximized ?? false } };
  },
  2: (previous) => {
    const v2 = SettingsV2.parse(previous);
    return { version: 3, window: v2.window, app: defaultAppSettings() };
  },
};

export class SettingsTooNewError extends Error {
  constructor(readonly fileVersion: number) {
    super(`settings version ${fileVersion} is newer than this Hatch understands (${SETTINGS_VERSION})`);
    this.name = 'SettingsTooNewError';
  }
}

/** The version a parsed document declares; files from before versioning count as v1. */
function versionOf(document: unknown): number {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new Error('settings are not a JSON object');
  const version = (document as { version?: unknown }).version;
  if (version === undefined) return 1;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw new Error(`settings declare an invalid version ${JSON.stringify(version)}`);
  return version;
}

/** Any known version → the current schema. Throws on damage, SettingsTooNewError on the future. */
export function migrate(document: unknown): { settings: Settings; from: number } {
  const from = versionOf(document);
  if (from > SETTINGS_VERSION) throw new SettingsTooNewError(from);
  let current: unknown = from === 1 && (document as { version?: unknown }).version === undefined ? { ...(document as object), version: 1 } : document;
  for (let version = from; version < SETTINGS_VERSION; version++) {
    const step = migrations[version];
    if (!step) throw new Error(`no migration from settings version ${version}`);
    current = step(current);
  }
  return { settings: Settings.parse(current), from };
}
