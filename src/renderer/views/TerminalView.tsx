// A session's terminal: xterm.js owns the DOM; output goes straight from the event to
// term.write and is acknowledged once written (flow control), keystrokes go out unbatched.
import { useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import '@xterm/xterm/css/xterm.css';
import { api } from '../api';
import { attachTerminalSink } from '../terminal-output';
import { useAppStore } from '../stores/app-store';
import { useResolvedTheme } from '../theme';

const THEMES = {
  dark: { background: '#1b1d21', foreground: '#d9dde3', cursor: '#5b8ef0', selectionBackground: '#2f4470' },
  light: { background: '#ffffff', foreground: '#1d2024', cursor: '#2f6fde', selectionBackground: '#c8d8f8' },
} as const;

export function TerminalView({ sessionId }: { sessionId: string }) {
  const host = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const searchRef = useRef<SearchAddon | null>(null);
  const [searchOpen, setSearchOpen] = useState(false);
  const session = useAppStore((s) => s.sessions[sessionId]);
  const theme = useResolvedTheme();

  useEffect(() => {
    const term = new Terminal({
      allowProposedApi: true,
      fontFamily: "ui-monospace, 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', monospace",
      fontSize: 13,
      scrollback: 10_000,
      cursorBlink: true,
    });
    const fit = new FitAddon();
    const search = new SearchAddon();
    term.loadAddon(fit);
    term.loadAddon(search);
    term.loadAddon(new WebLinksAddon());
    term.loadAddon(new Unicode11Addon());
    term.unicode.activeVersion = '11';
    term.open(host.current!);
    // WebGL unless the user chose the DOM renderer (also what tests use to read the screen).
    if (localStorage.getItem('hatch.terminalRenderer') !== 'dom')
      void import('@xterm/addon-webgl')
      .then(({ WebglAddon }) => {
        const webgl = new WebglAddon();
        webgl.onContextLoss(() => webgl.dispose()); // fall back to the DOM renderer
        term.loadAddon(webgl);
      })
      .catch(() => undefined);
    termRef.current = term;
    searchRef.current = search;

    const detach = attachTerminalSink(sessionId, (data) => {
      term.write(data, () => void api.call('terminal.ack', { sessionId, chars: data.length }).catch(() => undefined));
    });
    const input = term.onData((data) => void api.call('sessions.write', { sessionId, data }).catch(() => undefined));
    const resize = term.onResize(({ cols, rows }) => void api.call('sessions.resize', { sessionId, cols, rows }).catch(() => undefined));
    term.onSelectionChange(() => {
      const text = term.getSelection();
      if (text) void navigator.clipboard?.writeText(text).catch(() => undefined);
    });
    term.attachCustomKeyEventHandler((event) => {
      const mod = event.ctrlKey || event.metaKey;
      if (mod && event.shiftKey && event.key.toLowerCase() === 'f' && event.type === 'keydown') {
        setSearchOpen(true);
        return false;
      }
      return true;
    });
    const observer = new ResizeObserver(() => {
      try {
        fit.fit();
      } catch {
        // not laid out yet
      }
    });
    observer.observe(host.current!);
    fit.fit();
    term.focus();
    return () => {
      observer.disconnect();
      detach();
      input.dispose();
      resize.dispose();
      term.dispose();
    };
  }, [sessionId]);

  useEffect(() => {
    if (termRef.current) termRef.current.options.theme = THEMES[theme];
  }, [theme]);

  return (
    <div className="terminal-view">
      {session?.state === 'ended' && (
        <div className="terminal-banner" role="status">
          Session ended{session.endReason ? ` (${endReasonText(session.endReason, session.exitCode)})` : ''}
          {session.message ? `: ${session.message}` : '.'}
          <button type="button" className="primary" onClick={() => void api.call('sessions.restart', { sessionId }).catch(() => undefined)}>
            Restart on {session.target}
          </button>
        </div>
      )}
      {session?.state === 'reconnecting' && (
        <div className="terminal-banner warn" role="status">
          Connection lost — reconnecting…
        </div>
      )}
      {searchOpen && (
        <div className="terminal-search">
          <input
            autoFocus
            aria-label="Search in terminal"
            placeholder="Search"
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                setSearchOpen(false);
                termRef.current?.focus();
              } else if (e.key === 'Enter') {
                if (e.shiftKey) searchRef.current?.findPrevious(e.currentTarget.value);
                else searchRef.current?.findNext(e.currentTarget.value);
              }
            }}
          />
        </div>
      )}
      <div className="terminal-host" ref={host} data-testid={`terminal-${sessionId}`} />
    </div>
  );
}

export function endReasonText(reason: string, exitCode: number | null): string {
  switch (reason) {
    case 'exit':
      return exitCode === null ? 'the shell exited' : `exit code ${exitCode}`;
    case 'idle-timeout':
      return 'idle timeout';
    case 'max-duration':
      return 'maximum session duration reached';
    case 'terminated':
      return 'terminated';
    case 'network':
      return 'network connection lost';
    default:
      return 'failed';
  }
}
