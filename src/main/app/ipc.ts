// The Electron transport of the contract: one ipcMain handler for every call, events
// pushed to every window. The sender frame is checked before the payload is looked at.
import { ipcMain, type BrowserWindow, type WebContents, type WebFrameMain } from 'electron';
import { ipcChannels } from '../../shared/ipc-channels';
import { HatchError, type CallResult } from '../../shared/contract';
import type { HatchHost } from '../host';
import { isAppUrl } from './app-origin';

/** A call is ours only from the top frame of a page served from hatch://app. */
export function isTrustedSender(frame: WebFrameMain | null | undefined): boolean {
  return frame != null && frame.parent === null && isAppUrl(frame.url);
}

export interface IpcOptions {
  /** Called once per webContents, on its first trusted call: its listeners are in place. */
  onRendererReady?: (contents: WebContents) => void;
}

export function registerIpc(host: HatchHost, windows: () => BrowserWindow[], options: IpcOptions = {}): () => void {
  const ready = new WeakSet<WebContents>();
  ipcMain.handle(ipcChannels.call, async (event, method: unknown, request: unknown): Promise<CallResult> => {
    // Also require that the sender is one of our windows, not some other webContents.
    const ours = windows().some((window) => !window.isDestroyed() && window.webContents === event.sender);
    if (!ours || !isTrustedSender(event.senderFrame)) {
      return { ok: false, error: new HatchError('Forbidden', 'This call did not come from Hatch’s own window.').toShape() };
    }
    if (!ready.has(event.sender)) {
      ready.add(event.sender);
      options.onRendererReady?.(event.sender);
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
