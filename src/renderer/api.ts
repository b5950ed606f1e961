// The renderer's only door to main: HatchApi (control calls and events) and the terminals'
// streams (the data path), over the preload bridge in Electron or over the browser host's
// WebSocket. Views never know which.
import { createHatchApi, type HatchApi, type HatchBridge } from '../shared/contract';
import type { ElectronBridge } from '../shared/ipc-channels';
import { createTerminalStream, type TerminalStreams } from '../shared/terminal-stream';
import { createWebSocketBridge, webSocketProtocols } from '../shared/websocket-bridge';
import { createElectronTerminals, type PortWindow } from './electron-terminals';

declare global {
  interface Window {
    /** Set by the Electron preload script; absent in the browser host. */
    hatchBridge?: ElectronBridge;
  }
}

const TOKEN_KEY = 'hatch.launchToken';

/**
 * The browser host's launch token: read once from the address (`?token=`), then removed from
 * it and kept in this tab's sessionStorage (this origin only; a reload keeps working). It is
 * never a cookie: cookies are sent to every port of 127.0.0.1 (docs/security.md).
 */
function takeLaunchToken(): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  }
  return fromUrl ?? sessionStorage.getItem(TOKEN_KEY);
}

/** A bridge that answers every call (and ends every terminal) with what to do: this tab was opened without the token. */
function withoutToken(): { api: HatchApi; terminals: TerminalStreams } {
  const error = {
    code: 'Forbidden' as const,
    message: 'This page was opened without its launch token: open the address hatch-web printed (it ends in ?token=…).',
    action: null,
    detail: null,
  };
  const bridge: HatchBridge = { invoke: async () => ({ ok: false, error }), subscribe: () => () => undefined };
  const terminals: TerminalStreams = {
    open(sessionId) {
      const refused = createTerminalStream(sessionId, { input: () => undefined, ack: () => undefined, close: () => undefined });
      queueMicrotask(() => refused.end(error.message));
      return refused.stream;
    },
  };
  return { api: createHatchApi(bridge), terminals };
}

function connect(): { api: HatchApi; terminals: TerminalStreams } {
  if (window.hatchBridge) return { api: createHatchApi(window.hatchBridge), terminals: createElectronTerminals(window.hatchBridge, window as unknown as PortWindow) };
  const token = takeLaunchToken();
  if (!token) return withoutToken();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const bridge = createWebSocketBridge(new WebSocket(`${scheme}://${location.host}/ws`, webSocketProtocols(token)));
  return { api: createHatchApi(bridge), terminals: bridge };
}

export const { api, terminals } = connect();
/** A same-origin link to something the browser host serves (a finished download), with the launch token. */
export function hostLink(url: string): string {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? `${url}?token=${encodeURIComponent(token)}` : url;
}
