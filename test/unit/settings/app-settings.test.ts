// The app's settings: patches, validation, and the service over settings.json.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, utimes, writeFile, mkdir, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { applySettingsPatch, AppSettingsPatch, defaultAppSettings } from '../../../src/shared/domain/app-settings';
import { SettingsStore } from '../../../src/main/settings';
import { AppSettingsService } from '../../../src/main/settings/app-settings-service';
import { pruneRecordings } from '../../../src/main/sessions/recorder';
import type { SettingsState } from '../../../src/shared/contract-settings';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hatch-app-settings-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('applySettingsPatch', () => {
  it('merges groups, sets and removes per-profile engines', () => {
    let s = applySettingsPatch(defaultAppSettings(), { terminal: { fontSize: 15 }, profileEngines: { prod: 'native', dev: 'plugin' } });
    expect(s.terminal).toEqual({ ...defaultAppSettings().terminal, fontSize: 15 });
    expect(s.profileEngines).toEqual({ prod: 'native', dev: 'plugin' });
    s = applySettingsPatch(s, { profileEngines: { prod: null } });
    expect(s.profileEngines).toEqual({ dev: 'plugin' });
    // The "AWS-compatible pacing" switch, per profile; adaptive (the default) is not stored.
    s = applySettingsPatch(s, { profilePacing: { prod: 'aws', dev: 'adaptive' } });
    expect(s.profilePacing).toEqual({ prod: 'aws' });
    s = applySettingsPatch(s, { profilePacing: { prod: null } });
    expect(s.profilePacing).toEqual({});
  });

  it('refuses values out of range, and unknown fields', () => {
    expect(() => applySettingsPatch(defaultAppSettings(), { terminal: { fontSize: 300 } })).toThrow();
    expect(AppSettingsPatch.safeParse({ terminal: { fontSize: 12, shell: '/bin/evil' } }).success).toBe(false);
    expect(AppSettingsPatch.safeParse({ recordings: { retentionDays: -1 } }).success).toBe(false);
  });
});

describe('AppSettingsService', () => {
  it('writes changes to settings.json, tells every window, and reads them back in a new run', async () => {
    const seen: SettingsState[] = [];
    const service = new AppSettingsService(SettingsStore.open({ dir }), dir, (state) => seen.push(state));
    const state = await service.update({ recordings: { enabled: false }, defaultEngine: 'native' });
    expect(state.settings.recordings.enabled).toBe(false);
    expect(state.recordingsDir).toBe(path.join(dir, 'recordings'));
    expect(seen).toHaveLength(1);
    const file = JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8'));
    expect(file.app.recordings.enabled).toBe(false);
    expect(file.app.defaultEngine).toBe('native');
    const again = new AppSettingsService(SettingsStore.open({ dir }), dir, () => undefined);
    expect((await again.state()).settings.defaultEngine).toBe('native');
    expect(again.current().recordings.enabled).toBe(false);
  });
});

describe('pruneRecordings', () => {
  it('deletes .cast files older than the retention, and keeps the rest', async () => {
    const rec = path.join(dir, 'recordings');
    await mkdir(rec);
    const now = Date.now();
    await writeFile(path.join(rec, 'old.cast'), '{}\n');
    await writeFile(path.join(rec, 'new.cast'), '{}\n');
    await writeFile(path.join(rec, 'notes.txt'), 'mine');
    const old = new Date(now - 40 * 86_400_000);
    await utimes(path.join(rec, 'old.cast'), old, old);
    await utimes(path.join(rec, 'notes.txt'), old, old);
    expect(await pruneRecordings(rec, 30, now)).toBe(1);
    expect((await readdir(rec)).sort()).toEqual(['new.cast', 'notes.txt']);
    expect(await pruneRecordings(rec, 0, now)).toBe(0); // 0 keeps everything
    expect(await pruneRecordings(path.join(dir, 'missing'), 30, now)).toBe(0);
  });
});
