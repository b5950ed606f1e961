// User actions shared by views, the palette and shortcuts.
import type { ManagedNode } from '../shared/domain/inventory';
import { HatchError } from '../shared/contract';
import { api } from './api';
import { useAppStore } from './stores/app-store';
import { loadViewState } from './view-state';

export async function startSessionOn(profile: string, region: string, node: Pick<ManagedNode, 'id' | 'name'>): Promise<void> {
  const store = useAppStore.getState();
  try {
    const engine = loadViewState(profile).engine;
    const session = await api.call('sessions.start', { profile, region, target: node.id, cols: 120, rows: 32, ...(engine === 'auto' ? {} : { engine }) });
    store.openTerminalTab(session, node.name);
  } catch (error) {
    store.pushNotice({
      level: 'error',
      message: error instanceof Error ? error.message : String(error),
      action: error instanceof HatchError ? error.action : null,
    });
  }
}
