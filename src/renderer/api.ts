// The renderer's only door to main: HatchApi over the preload bridge (Electron) or over
// the browser host's WebSocket. Views never know which.
import { createHatchApi, type HatchApi, type HatchBridge } from '../shared/contract';
import { createWebSocketBridge } from '../shared/websocket-bridge';

declare global {
  interface Window {
    /** Set by the Electron preload script; absent in the browser host. */
    hatchBridge?: HatchBridge;
  }
}

function connect(): HatchApi {
  if (window.hatchBridge) return createHatchApi(window.hatchBridge);
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return createHatchApi(createWebSocketBridge(new WebSocket(`${scheme}://${location.host}/ws`)));
}

export const api: HatchApi = connect();
