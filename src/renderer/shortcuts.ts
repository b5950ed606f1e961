// Window-wide commands, reached by keyboard here and by the Electron menu (app.command).
// In a terminal, Ctrl+letter belongs to the shell (Ctrl+W deletes a word, Ctrl+K kills a
// line), so there the app's shortcuts need Shift as well; elsewhere Ctrl/Cmd alone works.
// macOS's Cmd never reaches the shell, so Cmd+letter always works.
import { useEffect } from 'react';
import { api } from './api';
import { useAppStore } from './stores/app-store';
import { startSessionOn } from './actions';
import type { EventPayload } from '../shared/contract';

export type AppCommand = EventPayload<'app.command'>['command'];

export function runCommand(command: AppCommand, openPalette: () => void): boolean {
  const state = useAppStore.getState();
  switch (command) {
    case 'command-palette':
      openPalette();
      return true;
    case 'toggle-theme':
      state.setTheme(document.querySelector('.app')?.getAttribute('data-theme') === 'dark' ? 'light' : 'dark');
      return true;
    case 'new-session': {
      // A new session on the node selected in the node table, or on the current tab's node.
      const tab = state.tabs.find((t) => t.id === state.activeTabId);
      const current = tab?.kind === 'terminal' ? state.sessions[tab.panes[0]] : undefined;
      if (current) {
        void startSessionOn(current.profile, current.region, { id: current.target, name: tab!.title });
        return true;
      }
      const node =
        state.selectedNodeId && state.selectedProfile && state.selectedRegion
          ? state.inventories[`${state.selectedProfile}/${state.selectedRegion}`]?.nodes.find((n) => n.id === state.selectedNodeId)
          : undefined;
      if (!node) return false;
      void startSessionOn(state.selectedProfile!, state.selectedRegion!, node);
      return true;
    }
    case 'close-tab': {
      const tab = state.tabs.find((t) => t.id === state.activeTabId);
      if (!tab || tab.kind === 'nodes') return false;
      for (const sessionId of tab.kind === 'terminal' ? tab.panes : []) {
        if (state.sessions[sessionId] && state.sessions[sessionId].state !== 'ended') void api.call('sessions.terminate', { sessionId }).catch(() => undefined);
      }
      state.closeTab(tab.id);
      return true;
    }
  }
}

const KEYS: Record<string, AppCommand> = { k: 'command-palette', t: 'new-session', w: 'close-tab' };

export function useGlobalShortcuts(openPalette: () => void): void {
  useEffect(() => {
    const isMac = navigator.platform.startsWith('Mac');
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey && event.key === 'Tab') {
        event.preventDefault();
        useAppStore.getState().cycleTab(event.shiftKey ? -1 : 1);
        return;
      }
      const command = KEYS[event.key.toLowerCase()];
      if (!command || event.altKey) return;
      const inTerminal = event.target instanceof Element && event.target.closest('.xterm') !== null;
      const wanted = isMac ? event.metaKey : event.ctrlKey && (event.shiftKey || !inTerminal);
      if (!wanted) return;
      if (runCommand(command, openPalette)) {
        event.preventDefault();
        event.stopPropagation();
      }
    };
    window.addEventListener('keydown', onKey, true);
    const off = api.on('app.command', ({ command }) => void runCommand(command, openPalette));
    return () => {
      window.removeEventListener('keydown', onKey, true);
      off();
    };
  }, [openPalette]);
}
