// The Electron transport of the contract: one ipcMain handler for every call, events
// pushed to every window. The sender frame is checked before the payload is looked at.
import { ipcMain, type BrowserWindow, type WebFrameMain } from 'electron';
import { ipcChannels } from '../../shared/ipc-channels';
import { HatchError, type CallResult } from '../../shared/contract';
import type { HatchHost } from '../host';
import { isAppUrl } from './app-origin';

export function isTrustedSender(frame: WebFrameMain | null): boolean {
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
}

export function registerIpc(host: HatchHost, windows: () => BrowserWindow[]): () => void {
  ipcMain.handle(ipcChannels.call, async (event, method: unknown, request: unknown): Promise<CallResult> => {
    if (!isTrustedSender(event.senderFrame)) {
      return { ok: false, error: new HatchError('Forbidden', 'This call did not come from Hatch’s own window.').toShape() };
    }
    return host.call(method, request);
  });
  const unsubscribe = host.subscribe((name, payload) => {
    for (const window of windows()) {
      if (!window.isDestroyed()) window.webContents.send(ipcChannels.event, name, payload);
    }
  });
  return () => {
    ipcMain.removeHandler(ipcChannels.call);
    unsubscribe();
  };
}
