// Keeps the renderer's copy of the app settings in step with main: loaded at start,
// replaced on every settings.changed, saved through settings.update.
import { useEffect } from 'react';
import { api } from './api';
import { connectSettings, useSettings } from './settings';
import { useAppStore } from './stores/app-store';
import type { SettingsState } from '../shared/contract-settings';

function apply(state: SettingsState): void {
  useSettings.setState({ settings: state.settings, dataDir: state.dataDir, recordingsDir: state.recordingsDir, loaded: true });
  if (useAppStore.getState().theme !== state.settings.theme) useAppStore.getState().setTheme(state.settings.theme, { save: false });
}

export function useAppSettingsSync(): void {
  useEffect(() => {
    connectSettings(async (patch) => {
      try {
        apply(await api.call('settings.update', patch));
      } catch (error) {
        void api.call('settings.get', {}).then(apply, () => undefined); // back to what main holds
        useAppStore.getState().pushNotice({ level: 'error', message: `Hatch could not change its settings: ${error instanceof Error ? error.message : String(error)}`, action: null });
      }
    });
    void api.call('settings.get', {}).then((state) => {
      apply(state);
      void moveEnginesFromLocalStorage(state);
    }, () => undefined);
    return api.on('settings.changed', apply);
  }, []);
}

/** Engines chosen per profile used to live in this browser profile's storage: move them to main once. */
async function moveEnginesFromLocalStorage(state: SettingsState): Promise<void> {
  const moved: Record<string, 'native' | 'plugin'> = {};
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (!key?.startsWith('hatch.nodes.')) continue;
    try {
      const raw = JSON.parse(localStorage.getItem(key) ?? 'null') as { engine?: unknown } | null;
      const profile = key.slice('hatch.nodes.'.length);
      if ((raw?.engine === 'native' || raw?.engine === 'plugin') && !(profile in state.settings.profileEngines)) moved[profile] = raw.engine;
    } catch {
      // unreadable: nothing to move
    }
  }
  if (Object.keys(moved).length === 0) return;
  try {
    apply(await api.call('settings.update', { profileEngines: moved }));
  } catch {
    // kept where it was; the next start tries again
  }
}
