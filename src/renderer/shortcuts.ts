// Window-wide keyboard shortcuts (terminal-local ones live in TerminalView).
import { useEffect } from 'react';
import { api } from './api';
import { useAppStore } from './stores/app-store';
import { startSessionOn } from './actions';

export function useGlobalShortcuts(openPalette: () => void): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      const state = useAppStore.getState();
      if (mod && !event.shiftKey && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        openPalette();
      } else if (mod && !event.shiftKey && event.key.toLowerCase() === 't') {
        // New session on the node selected in the node table.
        const node = state.selectedNodeId && state.selectedProfile && state.selectedRegion
          ? state.inventories[`${state.selectedProfile}/${state.selectedRegion}`]?.nodes.find((n) => n.id === state.selectedNodeId)
          : undefined;
        if (node) {
          event.preventDefault();
          void startSessionOn(state.selectedProfile!, state.selectedRegion!, node);
        }
      } else if (event.ctrlKey && event.key === 'Tab') {
        event.preventDefault();
        state.cycleTab(event.shiftKey ? -1 : 1);
      } else if (mod && !event.shiftKey && event.key.toLowerCase() === 'w') {
        const tab = state.tabs.find((t) => t.id === state.activeTabId);
        if (tab && tab.kind !== 'nodes') {
          event.preventDefault();
          const session = state.sessions[tab.id];
          if (session && session.state !== 'ended') void api.call('sessions.terminate', { sessionId: tab.id }).catch(() => undefined);
          state.closeTab(tab.id);
        }
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [openPalette]);
}
