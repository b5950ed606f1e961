// The preload exposes the contract's bridge and nothing else: no Node, no ipcRenderer.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { ipcChannels } from '../shared/ipc-channels';
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
