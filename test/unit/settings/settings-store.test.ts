import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Notice } from '../../../src/shared/contract';
import { defaultAppSettings } from '../../../src/shared/domain/app-settings';
import { defaultSettings, migrate, SETTINGS_VERSION, SettingsStore, SettingsTooNewError } from '../../../src/main/settings';

let dir: string;
let notices: Notice[];
const notify = (notice: Notice) => notices.push(notice);
const file = () => path.join(dir, 'settings.json');
const readJson = async (name = 'settings.json') => JSON.parse(await fs.readFile(path.join(dir, name), 'utf8'));

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hatch-settings-'));
  notices = [];
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('SettingsStore', () => {
  it('starts from defaults when there is no file, and writes nothing until a change', async () => {
    const store = await SettingsStore.open({ dir, notify });
    expect(store.current).toEqual(defaultSettings());
    expect(store.loadOutcome).toEqual({ kind: 'missing' });
    await expect(fs.access(file())).rejects.toThrow();
    expect(notices).toEqual([]);
  });

  it('persists a change and reads it back', async () => {
    const store = await SettingsStore.open({ dir, notify });
    await store.update((s) => ({ ...s, window: { bounds: { x: 10, y: 20, width: 900, height: 700 }, maximized: true } }));
    expect(await readJson()).toEqual({ version: SETTINGS_VERSION, window: { bounds: { x: 10, y: 20, width: 900, height: 700 }, maximized: true }, app: defaultAppSettings() });
    const again = await SettingsStore.open({ dir, notify });
    expect(again.loadOutcome).toEqual({ kind: 'loaded' });
    expect(again.current.window.maximized).toBe(true);
  });

  it('serializes writes so the last change wins on disk', async () => {
    const store = await SettingsStore.open({ dir, notify });
    for (let i = 0; i < 20; i++) void store.update((s) => ({ ...s, window: { bounds: { x: i, y: 0, width: 800, height: 600 }, maximized: false } }));
    await store.flush();
    expect((await readJson()).window.bounds.x).toBe(19);
    // No temp files left behind.
    expect((await fs.readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses an invalid change without touching the stored value', async () => {
    const store = await SettingsStore.open({ dir, notify });
    expect(() => store.update((s) => ({ ...s, window: { bounds: { x: 0, y: 0, width: -5, height: 600 }, maximized: false } }))).toThrow();
    expect(store.current).toEqual(defaultSettings());
  });

  it('migrates a v1 file (bounds at the top level) to the current version, keeps the v1 copy, and rewrites the file', async () => {
    const v1 = { version: 1, windowBounds: { x: 5, y: 6, width: 1000, height: 720 }, windowMaximized: true };
    await fs.writeFile(file(), JSON.stringify(v1));
    const store = await SettingsStore.open({ dir, notify });
    expect(store.current).toEqual({ version: 3, window: { bounds: { x: 5, y: 6, width: 1000, height: 720 }, maximized: true }, app: defaultAppSettings() });
    expect(store.loadOutcome).toMatchObject({ kind: 'migrated', from: 1 });
    expect(await readJson()).toEqual(store.current);
    expect(await readJson('settings.v1.json')).toEqual(v1);
    expect(notices).toEqual([]);
  });

  it('keeps a good old file when saving its migration fails (never calls it corrupt)', async () => {
    await fs.writeFile(file(), JSON.stringify({ version: 1, windowMaximized: true }));
    // A directory where the backup should go makes the migration's write fail.
    await fs.mkdir(path.join(dir, 'settings.v1.json'));
    const store = await SettingsStore.open({ dir, notify });
    expect(store.current.window.maximized).toBe(true);
    expect(JSON.parse(await fs.readFile(file(), 'utf8'))).toEqual({ version: 1, windowMaximized: true });
    expect((await fs.readdir(dir)).some((name) => name.includes('corrupt'))).toBe(false);
    expect(notices).toHaveLength(1);
    expect(notices[0].level).toBe('error');
  });

  it('treats a file without a version as v1', () => {
    expect(migrate({ windowMaximized: true })).toEqual({ settings: { version: 3, window: { bounds: null, maximized: true }, app: defaultAppSettings() }, from: 1 });
  });

  it('migrates a v2 file (window only) to v3 with the default app settings, and keeps the v2 copy', async () => {
    const v2 = { version: 2, window: { bounds: null, maximized: true } };
    await fs.writeFile(file(), JSON.stringify(v2));
    const store = await SettingsStore.open({ dir, notify });
    expect(store.current).toEqual({ version: 3, window: { bounds: null, maximized: true }, app: defaultAppSettings() });
    expect(store.loadOutcome).toMatchObject({ kind: 'migrated', from: 2 });
    expect(await readJson('settings.v2.json')).toEqual(v2);
  });

  it.each([
    ['truncated JSON', '{"version": 2, "window": {'],
    ['not an object', '[1,2,3]'],
    ['wrong types', JSON.stringify({ version: 2, window: { bounds: 'big', maximized: false } })],
    ['damaged v1', JSON.stringify({ version: 1, windowBounds: { x: 'left' } })],
    ['bad version', JSON.stringify({ version: 'two' })],
    ['empty file', ''],
  ])('keeps a corrupt file aside (%s), uses defaults and says so', async (_name, text) => {
    await fs.writeFile(file(), text);
    const now = new Date('2026-03-04T05:06:07.089Z');
    const store = await SettingsStore.open({ dir, notify, now: () => now });
    expect(store.current).toEqual(defaultSettings());
    const keptAs = path.join(dir, 'settings.corrupt-2026-03-04T05-06-07-089Z.json');
    expect(store.loadOutcome).toMatchObject({ kind: 'corrupt', keptAs });
    expect(await fs.readFile(keptAs, 'utf8')).toBe(text);
    await expect(fs.access(file())).rejects.toThrow();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ level: 'warning' });
    expect(notices[0].message).toContain('settings.corrupt-2026-03-04T05-06-07-089Z.json');
    // The next change writes a fresh, valid file.
    await store.update((s) => ({ ...s, window: { ...s.window, maximized: true } }));
    expect((await readJson()).window.maximized).toBe(true);
  });

  it('leaves a file from a newer Hatch untouched and does not write over it', async () => {
    const future = JSON.stringify({ version: SETTINGS_VERSION + 1, somethingNew: true });
    await fs.writeFile(file(), future);
    const store = await SettingsStore.open({ dir, notify });
    expect(store.loadOutcome).toEqual({ kind: 'too-new', fileVersion: SETTINGS_VERSION + 1 });
    expect(store.current).toEqual(defaultSettings());
    await store.update((s) => ({ ...s, window: { ...s.window, maximized: true } }));
    expect(store.current.window.maximized).toBe(true);
    expect(await fs.readFile(file(), 'utf8')).toBe(future);
    expect(notices).toHaveLength(1);
    expect(notices[0].action).toBe('Update Hatch');
  });

  it('reports a failed write once, not once per change', async () => {
    const store = await SettingsStore.open({ dir, notify });
    // A directory where the file should be: the rename fails even for root.
    await fs.mkdir(file());
    await store.update((s) => ({ ...s, window: { ...s.window, maximized: true } }));
    await store.update((s) => ({ ...s, window: { ...s.window, maximized: false } }));
    expect(notices).toHaveLength(1);
    expect(notices[0].level).toBe('error');
    expect(store.current.window.maximized).toBe(false);
  });

  it('migrate() refuses versions from the future with a typed error', () => {
    expect(() => migrate({ version: 99 })).toThrow(SettingsTooNewError);
  });
});
