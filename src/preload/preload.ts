// The preload exposes the contract's bridge and nothing else: no Node, no ipcRenderer.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { ipcChannels, terminalPortMessage, type TerminalPortMessage } from '../shared/ipc-channels';
import type { CallResult, HatchBridge } from '../shared/contract';

const bridge: HatchBridge = {
  invoke: (method, request) => ipcRenderer.invoke(ipcChannels.call, method, request) as Promise<CallResult>,
  subscribe(listener) {
    const forward = (_event: IpcRendererEvent, name: string, payload: unknown) => listener(name, payload);
    ipcRenderer.on(ipcChannels.event, forward);
    return () => ipcRenderer.removeListener(ipcChannels.event, forward);
  },
};

contextBridge.exposeInMainWorld('hatchBridge', bridge);

// A session's terminal output port (main: terminal-ports.ts). Ports cannot cross the
// contextBridge, so it is posted to this window, for the app's own origin only.
ipcRenderer.on(ipcChannels.terminalPort, (event: IpcRendererEvent, sessionId: unknown) => {
  if (typeof sessionId !== 'string' || event.ports.length !== 1) return;
  const message: TerminalPortMessage = { type: terminalPortMessage, sessionId };
  window.postMessage(message, window.location.origin, event.ports);
});
