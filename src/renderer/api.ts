// The renderer's only door to main: HatchApi over the preload bridge (Electron) or over
// the browser host's WebSocket. Views never know which.
import { createHatchApi, type HatchApi, type HatchBridge } from '../shared/contract';
import { createWebSocketBridge, webSocketProtocols } from '../shared/websocket-bridge';

declare global {
  interface Window {
    /** Set by the Electron preload script; absent in the browser host. */
    hatchBridge?: HatchBridge;
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

/** A bridge that answers every call with what to do: this tab was opened without the token. */
function withoutToken(): HatchBridge {
  const error = {
    code: 'Forbidden' as const,
    message: 'This page was opened without its launch token: open the address hatch-web printed (it ends in ?token=…).',
    action: null,
    detail: null,
  };
  return { invoke: async () => ({ ok: false, error }), subscribe: () => () => undefined };
}

function connect(): HatchApi {
  if (window.hatchBridge) return createHatchApi(window.hatchBridge);
  const token = takeLaunchToken();
  if (!token) return createHatchApi(withoutToken());
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return createHatchApi(createWebSocketBridge(new WebSocket(`${scheme}://${location.host}/ws`, webSocketProtocols(token))));
}

export const api: HatchApi = connect();

/** A same-origin link to something the browser host serves (a finished download), with the launch token. */
export function hostLink(url: string): string {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? `${url}?token=${encodeURIComponent(token)}` : url;
}
