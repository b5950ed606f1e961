import { useAppStore, type ThemeChoice } from '../stores/app-store';
import { useResolvedTheme } from '../theme';

const NEXT: Record<'light' | 'dark', ThemeChoice> = { light: 'dark', dark: 'light' };

export function TitleBar() {
  const setTheme = useAppStore((s) => s.setTheme);
  const resolved = useResolvedTheme();
  return (
    <header className="titlebar">
      <span className="brand" aria-label="Hatch">
        <span className="brand-mark" aria-hidden="true">◉</span> Hatch
      </span>
      <div className="titlebar-spacer" />
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
