// The settings file's shape, one schema per version. The current version is what the app
// reads; older ones exist only so their migration can parse its input strictly.
import { z } from 'zod';
import { AppSettings, defaultAppSettings } from '../../shared/domain/app-settings';

export const SETTINGS_VERSION = 3;

const Coordinate = z.number().int().min(-100_000).max(100_000);
const Extent = z.number().int().min(100).max(100_000);

/** A window's normal (not maximized, not full-screen) bounds in screen coordinates. */
export const WindowBounds = z.object({ x: Coordinate, y: Coordinate, width: Extent, height: Extent });
export type WindowBounds = z.infer<typeof WindowBounds>;

/** v1 (Hatch 0.0.x): window bounds at the top level. */
export const SettingsV1 = z.object({
  version: z.literal(1),
  windowBounds: WindowBounds.optional(),
  windowMaximized: z.boolean().optional(),
});
export type SettingsV1 = z.infer<typeof SettingsV1>;

const WindowState = z.object({
  bounds: WindowBounds.nullable(),
  maximized: z.boolean(),
});

/** v2: everything about the main window under `window`. */
export const SettingsV2 = z.object({ version: z.literal(2), window: WindowState });
export type SettingsV2 = z.infer<typeof SettingsV2>;

/** v3: the app's settings (terminal, recordings, engine, theme) under `app`. */
export const Settings = z.object({
  version: z.literal(SETTINGS_VERSION),
  window: WindowState,
  app: AppSettings,
});
export type Settings = z.infer<typeof Settings>;

export function defaultSettings(): Settings {
  return { version: SETTINGS_VERSION, window: { bounds: null, maximized: false }, app: defaultAppSettings() };
}
