// Window-wide keys, reached by keyboard here and by the Electron menu (app.command).
// In a terminal, Ctrl+letter belongs to the shell (Ctrl+W deletes a word, Ctrl+K kills a
// line), so there the app's shortcuts need Shift as well; elsewhere Ctrl/Cmd alone works.
// macOS's Cmd never reaches the shell, so Cmd+letter always works. A browser keeps
// Ctrl+T/W/Tab for itself, so every one of them has an Alt+Shift alternative that works in
// the browser host too; the shortcuts sheet (F1, ?) lists them all (SHORTCUTS).
import { useEffect } from 'react';
import { api } from './api';
import { useAppStore } from './stores/app-store';
import { closeTabs, currentNode, openShortcuts, startSessionOn } from './actions';
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
      // A new session on the current tab's node, or on the node under the table's cursor.
      const current = currentNode();
      if (!current) return false;
      void startSessionOn(current.profile, current.region, current.node);
      return true;
    }
    case 'close-tab': {
      const tab = state.tabs.find((t) => t.id === state.activeTabId);
      if (!tab || tab.kind === 'nodes') return false;
      void closeTabs([tab]);
      return true;
    }
  }
}

const isMac = () => navigator.platform.startsWith('Mac');
const KEYS: Record<string, AppCommand> = { k: 'command-palette', t: 'new-session', w: 'close-tab' };

interface ShortcutLine {
  keys: string[];
  what: string;
  /** Only where a browser keeps the usual key (the browser host). */
  browserOnly?: boolean;
}

/** Every key the app answers, for the shortcuts sheet. */
export function shortcutList(host: 'electron' | 'web' | null): Array<{ group: string; lines: ShortcutLine[] }> {
  const mod = isMac() ? '⌘' : 'Ctrl';
  const inTerm = isMac() ? '' : ' (in a terminal: Ctrl+Shift+…)';
  const web = host === 'web';
  return [
    {
      group: 'Anywhere',
      lines: [
        { keys: [`${mod}+K`], what: `Command palette${inTerm}` },
        { keys: [`${mod}+T`, ...(web ? ['Alt+Shift+T'] : [])], what: `New session on the current node${inTerm}` },
        { keys: [`${mod}+W`, ...(web ? ['Alt+Shift+W'] : [])], what: `Close the tab${inTerm}` },
        { keys: ['Ctrl+Tab', 'Ctrl+Shift+Tab', ...(web ? ['Alt+Shift+→', 'Alt+Shift+←'] : [])], what: 'Next / previous tab' },
        { keys: ['F1', '?'], what: 'This list of shortcuts (? outside a terminal or text field)' },
      ],
    },
    {
      group: 'Node list',
      lines: [
        { keys: ['↑', '↓', 'PgUp', 'PgDn', 'Home', 'End'], what: 'Move the cursor' },
        { keys: ['Enter'], what: 'Start a session on the node' },
        { keys: [`${mod}+A`], what: 'Select every listed node' },
        { keys: ['Shift+F10', 'Menu'], what: 'Actions of the node (context menu)' },
        { keys: ['↓ in the filter'], what: 'Go to the table' },
      ],
    },
    {
      group: 'Terminal',
      lines: [
        { keys: [`${mod}+Shift+F`], what: 'Search in the terminal' },
        { keys: [`${mod}+=`, `${mod}+-`, `${mod}+0`], what: 'Bigger, smaller, default font size' },
        { keys: ['Double-click a tab'], what: 'Rename the tab' },
      ],
    },
    {
      group: 'Dialogs and menus',
      lines: [
        { keys: ['Esc'], what: 'Close' },
        { keys: ['Tab', 'Shift+Tab'], what: 'Next / previous control (stays inside a dialog)' },
      ],
    },
  ];
}

const typing = (target: EventTarget | null) =>
  target instanceof Element && (target.closest('.xterm') !== null || target.matches('input, textarea, select, [contenteditable="true"]'));

export function useGlobalShortcuts(openPalette: () => void): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const store = useAppStore.getState();
      // Ctrl+Tab, and Alt+Shift+arrows where a browser keeps Ctrl+Tab.
      if ((event.ctrlKey && event.key === 'Tab') || (event.altKey && event.shiftKey && (event.key === 'ArrowRight' || event.key === 'ArrowLeft'))) {
        event.preventDefault();
        store.cycleTab(event.key === 'ArrowLeft' || (event.key === 'Tab' && event.shiftKey) ? -1 : 1);
        return;
      }
      if (event.key === 'F1' || (event.key === '?' && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target))) {
        if (document.querySelector('[role="dialog"], [role="alertdialog"]') && event.key === '?') return;
        event.preventDefault();
        openShortcuts();
        return;
      }
      const command = KEYS[event.key.toLowerCase()] ?? (event.code === 'KeyT' ? 'new-session' : event.code === 'KeyW' ? 'close-tab' : undefined);
      if (!command) return;
      const inTerminal = event.target instanceof Element && event.target.closest('.xterm') !== null;
      const alternative = event.altKey && event.shiftKey && !event.ctrlKey && !event.metaKey && command !== 'command-palette';
      const wanted = alternative || (!event.altKey && (isMac() ? event.metaKey : event.ctrlKey && (event.shiftKey || !inTerminal)));
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
