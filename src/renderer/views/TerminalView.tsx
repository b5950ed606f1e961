// A session's terminal: xterm.js owns the DOM; output goes straight from the session's
// stream to term.write and is acknowledged once written (flow control), keystrokes go out
// unbatched and one-way on the same stream.
import { useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import '@xterm/xterm/css/xterm.css';
import { api } from '../api';
import { connectTerminal, inputTo } from '../terminal-output';
import { useAppStore } from '../stores/app-store';
import { useResolvedTheme } from '../theme';
import { TERMINAL_THEMES } from '../terminal-theme';
import { appSettings, updateSettings, useSettings } from '../settings';
import { Modal, ModalActions } from '../ui/Modal';
import { useNodeName } from '../names';
import { reconnectTab } from '../actions';
import { cwdFromOsc7, fileDropProps, sessionNode, setSessionCwd } from '../transfers/transfers';

const DEFAULT_FONT_SIZE = 13;

export function TerminalView({ sessionId, broadcastTo = null }: { sessionId: string; broadcastTo?: string[] | null }) {
  // Read at keystroke time, so toggling broadcast does not rebuild the terminal.
  const broadcastRef = useRef(broadcastTo);
  useEffect(() => {
    broadcastRef.current = broadcastTo;
  }, [broadcastTo]);
  const host = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const searchRef = useRef<SearchAddon | null>(null);
  const fitRef = useRef<FitAddon | null>(null);
  const [searchOpen, setSearchOpen] = useState(false);
  const [pendingPaste, setPendingPaste] = useState<string | null>(null);
  const session = useAppStore((s) => s.sessions[sessionId]);
  const theme = useResolvedTheme();
  const name = useNodeName(session?.profile, session?.region, session?.target);
  const terminalSettings = useSettings((s) => s.settings.terminal);

  useEffect(() => {
    const settings = appSettings().terminal;
    const term = new Terminal({
      allowProposedApi: true,
      fontFamily: settings.fontFamily,
      fontSize: settings.fontSize,
      scrollback: settings.scrollback,
      cursorStyle: settings.cursorStyle,
      cursorBlink: settings.cursorBlink,
    });
    const fit = new FitAddon();
    const search = new SearchAddon();
    // The shell's directory (OSC 7), where dropped files go.
    const osc7 = term.parser.registerOscHandler(7, (data) => {
      const cwd = cwdFromOsc7(data);
      if (cwd) setSessionCwd(sessionId, cwd);
      return true;
    });
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
    fitRef.current = fit;

    const stream = connectTerminal(sessionId, term, (reason) => term.write(`\r\n\x1b[2m[${reason}]\x1b[0m\r\n`));
    const input = term.onData((data) => {
      for (const target of broadcastRef.current ?? [sessionId]) {
        if (target === sessionId) stream.input(data);
        else inputTo(target, data);
      }
    });
    const resize = term.onResize(({ cols, rows }) => void api.call('sessions.resize', { sessionId, cols, rows }).catch(() => undefined));
    term.onSelectionChange(() => {
      if (!appSettings().terminal.copyOnSelect) return;
      const text = term.getSelection();
      if (text) void navigator.clipboard?.writeText(text).catch(() => undefined);
    });
    term.attachCustomKeyEventHandler((event) => {
      const mod = event.ctrlKey || event.metaKey;
      if (event.type !== 'keydown') return true;
      // The app's own shortcuts (Ctrl+Shift+K/T/W) are handled at the window, not typed.
      if (event.ctrlKey && event.shiftKey && ['k', 't', 'w'].includes(event.key.toLowerCase())) return false;
      if (mod && event.shiftKey && event.key.toLowerCase() === 'f') {
        setSearchOpen(true);
        return false;
      }
      // Font size zoom: Ctrl/Cmd + = / - / 0, a setting (every terminal follows).
      const zoom = mod && !event.shiftKey ? ({ '=': 1, '+': 1, '-': -1, '0': 0 } as Record<string, number>)[event.key] : undefined;
      if (zoom !== undefined) {
        const size = zoom === 0 ? DEFAULT_FONT_SIZE : Math.min(32, Math.max(8, (term.options.fontSize ?? DEFAULT_FONT_SIZE) + zoom));
        void updateSettings({ terminal: { fontSize: size } });
        return false;
      }
      return true;
    });
    // A multi-line paste runs several commands at once: ask first.
    const onPaste = (event: ClipboardEvent) => {
      const text = event.clipboardData?.getData('text/plain') ?? '';
      if (/\r|\n/.test(text.replace(/[\r\n]+$/, ''))) {
        event.preventDefault();
        event.stopImmediatePropagation();
        setPendingPaste(text);
      }
    };
    term.textarea?.addEventListener('paste', onPaste, { capture: true });
    const observer = new ResizeObserver(() => {
      try {
        fit.fit();
      } catch {
        // not laid out yet
      }
    });
    observer.observe(host.current!);
    fit.fit();
    // xterm reports a size only when it changes: tell main the size this window shows now
    // (a reloaded window may be smaller than the one that started the session).
    if (host.current!.clientWidth > 0) void api.call('sessions.resize', { sessionId, cols: term.cols, rows: term.rows }).catch(() => undefined);
    term.focus();
    return () => {
      term.textarea?.removeEventListener('paste', onPaste, { capture: true });
      observer.disconnect();
      stream.close();
      input.dispose();
      resize.dispose();
      osc7.dispose();
      term.dispose();
    };
  }, [sessionId]);

  useEffect(() => {
    if (termRef.current) termRef.current.options.theme = TERMINAL_THEMES[theme];
  }, [theme]);

  // Settings changed (the Settings view, or zoom): every open terminal follows.
  useEffect(() => {
    const term = termRef.current;
    if (!term) return;
    term.options.fontFamily = terminalSettings.fontFamily;
    term.options.fontSize = terminalSettings.fontSize;
    term.options.scrollback = terminalSettings.scrollback;
    term.options.cursorStyle = terminalSettings.cursorStyle;
    term.options.cursorBlink = terminalSettings.cursorBlink;
    try {
      fitRef.current?.fit();
    } catch {
      // not laid out yet
    }
  }, [terminalSettings]);

  return (
    <div className="terminal-view" {...fileDropProps(() => sessionNode(sessionId))}>
      {session?.state === 'ended' && (
        <div className="terminal-banner" role="status">
          Session ended{session.endReason ? ` (${endReasonText(session.endReason, session.exitCode)})` : ''}
          {session.message ? `: ${session.message}` : '.'}
          <button
            type="button"
            className="primary"
            onClick={() => {
              const tab = useAppStore.getState().tabs.find((t) => t.kind === 'terminal' && t.panes.includes(sessionId));
              if (tab?.kind === 'terminal') void reconnectTab({ ...tab, panes: [sessionId] });
            }}
          >
            Reconnect to {name}
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
      {pendingPaste !== null && (
        <Modal
          title={`Paste ${pendingPaste.split(/\r\n|\r|\n/).length} lines into ${name}?`}
          label="Confirm multi-line paste"
          role="alertdialog"
          size="wide"
          onClose={() => setPendingPaste(null)}
          onCloseFocus={() => {
            termRef.current?.focus();
            return true;
          }}
        >
          <p>Several lines can run several commands on the node — each one as soon as its line ends, unless the shell waits for Enter.</p>
          <pre className="paste-preview">{pendingPaste.length > 2000 ? `${pendingPaste.slice(0, 2000)}…` : pendingPaste}</pre>
          <ModalActions>
            <button type="button" autoFocus onClick={() => setPendingPaste(null)}>
              Cancel
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => {
                termRef.current?.paste(pendingPaste);
                setPendingPaste(null);
              }}
            >
              Paste and run
            </button>
          </ModalActions>
        </Modal>
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
