// Hatch's own settings as the renderer reads and edits them (the Settings view), kept by
// main in settings.json. Separate from an account's Session Manager preferences.
import { z } from 'zod';

export const EngineChoice = z.enum(['auto', 'native', 'plugin']);
export type EngineChoice = z.infer<typeof EngineChoice>;

/**
 * How the built-in engine paces uploads: 'adaptive' (a window sized from the measured round
 * trip, docs/engine-on-networks.md) or 'aws' (1 KiB + 1 ms per message, like AWS's plugin).
 */
const PacingChoice = z.enum(['adaptive', 'aws']);
type PacingChoice = z.infer<typeof PacingChoice>;

export const AppSettings = z.object({
  recordings: z.object({
    /** Record each shell's output to a local file (replayed from the Sessions view). */
    enabled: z.boolean(),
    /** Recordings older than this are deleted at start-up; 0 keeps them forever. */
    retentionDays: z.number().int().min(0).max(3650),
    /** Also record what is typed (passwords typed at a prompt included). */
    includeInput: z.boolean(),
  }),
  terminal: z.object({
    fontFamily: z.string().max(200),
    fontSize: z.number().int().min(8).max(32),
    scrollback: z.number().int().min(0).max(200_000),
    cursorStyle: z.enum(['block', 'bar', 'underline']),
    cursorBlink: z.boolean(),
    copyOnSelect: z.boolean(),
    /** Ask before closing a tab whose session is still live. */
    confirmClose: z.boolean(),
  }),
  /** Which engine new sessions use unless a profile says otherwise. */
  defaultEngine: EngineChoice,
  /** Engine per profile (set from the node list); absent = the default. */
  profileEngines: z.record(z.string().max(200), EngineChoice),
  /** Upload pacing per profile for the built-in engine (shells and tunnels); absent = adaptive. */
  profilePacing: z.record(z.string().max(200), PacingChoice).default({}),
  theme: z.enum(['system', 'light', 'dark']),
  /** The person has seen the notice that shells are recorded. */
  recordingsNoticeSeen: z.boolean(),
});
export type AppSettings = z.infer<typeof AppSettings>;

/** A change to some settings: each group replaced or merged as given. */
export const AppSettingsPatch = z
  .object({
    recordings: AppSettings.shape.recordings.partial().strict().optional(),
    terminal: AppSettings.shape.terminal.partial().strict().optional(),
    defaultEngine: EngineChoice.optional(),
    profileEngines: z.record(z.string().max(200), EngineChoice.nullable()).optional(),
    profilePacing: z.record(z.string().max(200), PacingChoice.nullable()).optional(),
    theme: AppSettings.shape.theme.optional(),
    recordingsNoticeSeen: z.boolean().optional(),
  })
  .strict();
export type AppSettingsPatch = z.infer<typeof AppSettingsPatch>;

export const DEFAULT_FONT_FAMILY = "ui-monospace, 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', monospace";

export function defaultAppSettings(): AppSettings {
  return {
    recordings: { enabled: true, retentionDays: 30, includeInput: false },
    terminal: { fontFamily: DEFAULT_FONT_FAMILY, fontSize: 13, scrollback: 10_000, cursorStyle: 'block', cursorBlink: true, copyOnSelect: true, confirmClose: true },
    defaultEngine: 'auto',
    profileEngines: {},
    profilePacing: {},
    theme: 'system',
    recordingsNoticeSeen: false,
  };
}

/** Applies a patch (null in profileEngines or profilePacing removes the profile's choice). */
export function applySettingsPatch(current: AppSettings, patch: AppSettingsPatch): AppSettings {
  const profileEngines = { ...current.profileEngines };
  for (const [profile, engine] of Object.entries(patch.profileEngines ?? {})) {
    if (engine === null) delete profileEngines[profile];
    else profileEngines[profile] = engine;
  }
  const profilePacing = { ...current.profilePacing };
  for (const [profile, pacing] of Object.entries(patch.profilePacing ?? {})) {
    if (pacing === null || pacing === 'adaptive') delete profilePacing[profile];
    else profilePacing[profile] = pacing;
  }
  return AppSettings.parse({
    ...current,
    ...(patch.defaultEngine ? { defaultEngine: patch.defaultEngine } : {}),
    ...(patch.theme ? { theme: patch.theme } : {}),
    ...(patch.recordingsNoticeSeen !== undefined ? { recordingsNoticeSeen: patch.recordingsNoticeSeen } : {}),
    recordings: { ...current.recordings, ...patch.recordings },
    terminal: { ...current.terminal, ...patch.terminal },
    profileEngines,
    profilePacing,
  });
}
