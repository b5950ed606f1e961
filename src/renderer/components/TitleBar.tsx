import { useAppStore, type ThemeChoice } from '../stores/app-store';
import { useResolvedTheme } from '../theme';

const NEXT: Record<'light' | 'dark', ThemeChoice> = { light: 'dark', dark: 'light' };

export function TitleBar({ onOpenPalette }: { onOpenPalette(): void }) {
  const setTheme = useAppStore((s) => s.setTheme);
  const openView = useAppStore((s) => s.openView);
  const resolved = useResolvedTheme();
  return (
    <header className="titlebar">
      <span className="brand" aria-label="Hatch">
        <span className="brand-mark" aria-hidden="true">◉</span> Hatch
      </span>
      <button type="button" className="palette-button" onClick={onOpenPalette} aria-label="Open command palette">
        <kbd>{navigator.platform.startsWith('Mac') ? '⌘K' : 'Ctrl+K'}</kbd> Jump to node, tab or action…
      </button>
      <div className="titlebar-spacer" />
      <nav className="view-links" aria-label="Views">
        <button type="button" onClick={() => openView('containers')}>Containers</button>
        <button type="button" onClick={() => openView('tunnels')}>Tunnels</button>
        <button type="button" onClick={() => openView('preferences')}>Preferences</button>
        <button type="button" onClick={() => openView('documents')}>Documents</button>
        <button type="button" onClick={() => openView('audit')}>Sessions</button>
      </nav>
      <button type="button" className="icon-button" aria-label="Settings" title="Settings" onClick={() => openView('settings')}>
        ⚙
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label={`Switch to ${NEXT[resolved]} theme`}
        title={`Switch to ${NEXT[resolved]} theme`}
        onClick={() => setTheme(NEXT[resolved])}
      >
        {resolved === 'dark' ? '☀' : '☾'}
      </button>
    </header>
  );
}
