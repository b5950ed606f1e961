// The preload exposes the contract's bridge and nothing else: no Node, no ipcRenderer.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { ipcChannels, terminalPortMessage, type ElectronBridge, type TerminalPortMessage } from '../shared/ipc-channels';
import type { CallResult } from '../shared/contract';

const bridge: ElectronBridge = {
  invoke: (method, request) => ipcRenderer.invoke(ipcChannels.call, method, request) as Promise<CallResult>,
  subscribe(listener) {
    const forward = (_event: IpcRendererEvent, name: string, payload: unknown) => listener(name, payload);
    ipcRenderer.on(ipcChannels.event, forward);
    return () => ipcRenderer.removeListener(ipcChannels.event, forward);
  },
  openTerminal: (sessionId, stream) => ipcRenderer.send(ipcChannels.terminalOpen, sessionId, stream),
};

contextBridge.exposeInMainWorld('hatchBridge', bridge);

// A terminal's port from main (src/main/app/terminal-ports.ts). Ports cannot cross the
// contextBridge, so it is posted to this window, for the app's own origin only.
ipcRenderer.on(ipcChannels.terminalPort, (event: IpcRendererEvent, message: unknown) => {
  const { sessionId, stream } = (message ?? {}) as Partial<TerminalPortMessage>;
  if (typeof sessionId !== 'string' || !Number.isSafeInteger(stream) || event.ports.length !== 1) return;
  const forward: TerminalPortMessage = { type: terminalPortMessage, sessionId, stream: stream! };
  window.postMessage(forward, window.location.origin, event.ports);
});
