// The Electron transport: one ipcMain handler for every call of the contract, events
// pushed to every window, and each terminal's stream on its own MessagePort
// (terminal-ports.ts). The sender frame is checked before the payload is looked at.
import { ipcMain, type BrowserWindow, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents, type WebFrameMain } from 'electron';
import { ipcChannels } from '../../shared/ipc-channels';
import { HatchError, type CallResult } from '../../shared/contract';
import type { HatchHost } from '../host';
import { isAppUrl } from './app-origin';
import { serveTerminalPorts } from './terminal-ports';

/** A call is ours only from the top frame of a page served from hatch://app. */
export function isTrustedSender(frame: WebFrameMain | null | undefined): boolean {
  return frame != null && frame.parent === null && isAppUrl(frame.url);
}

/** The sender is one of our windows (not some other webContents), from its top frame at hatch://app. */
export function isOurSender(event: IpcMainEvent | IpcMainInvokeEvent, windows: BrowserWindow[]): boolean {
  const ours = windows.some((window) => !window.isDestroyed() && window.webContents === event.sender);
  return ours && isTrustedSender(event.senderFrame);
}

interface IpcOptions {
  /** Called once per webContents, on its first trusted call: its listeners are in place. */
  onRendererReady?: (contents: WebContents) => void;
  /** A terminal message that was dropped; default: ignored. */
  onBadMessage?: (why: string) => void;
}

export function registerIpc(host: HatchHost, windows: () => BrowserWindow[], options: IpcOptions = {}): () => void {
  const ready = new WeakSet<WebContents>();
  ipcMain.handle(ipcChannels.call, async (event, method: unknown, request: unknown): Promise<CallResult> => {
    if (!isOurSender(event, windows())) {
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
  const stopPorts = serveTerminalPorts(host, { trusted: (event) => isOurSender(event, windows()), onBadMessage: options.onBadMessage });
  return () => {
    ipcMain.removeHandler(ipcChannels.call);
    unsubscribe();
    stopPorts();
  };
}
