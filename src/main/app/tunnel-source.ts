// The tray/dock's view of running tunnels, kept from HatchHost's public surface only: the
// `tunnels.list` call (the same answer the renderer gets) refreshed on `tunnels.changed`.
import type { TunnelInfo } from '../../shared/contract';
import type { HatchHost } from '../host';
import type { TunnelEntry } from './tunnel-menu';
import { Emitter } from '../../shared/emitter';

interface TunnelSource {
  list(): TunnelEntry[];
  onChange(listener: () => void): () => void;
  dispose(): void;
}

const LIVE: ReadonlySet<TunnelInfo['state']> = new Set(['starting', 'open', 'reconnecting']);

export function tunnelLabel(tunnel: TunnelInfo): string {
  const remote = tunnel.remoteHost ? `${tunnel.remoteHost}:${tunnel.remotePort}` : `${tunnel.remotePort}`;
  const state = tunnel.state === 'open' ? '' : ` (${tunnel.state})`;
  return `${tunnel.label}: ${tunnel.bindAddress}:${tunnel.localPort} → ${remote}${state}`;
}

export function hostTunnelSource(host: Pick<HatchHost, 'call' | 'subscribe'>): TunnelSource {
  let tunnels: TunnelEntry[] = [];
  const listeners = new Emitter();
  let generation = 0;
  const refresh = async () => {
    const mine = ++generation;
    const result = await host.call('tunnels.list', {});
    // A slower, older answer must not overwrite a newer one.
    if (mine !== generation || !result.ok) return;
    const list = (result.value as { tunnels: TunnelInfo[] }).tunnels;
    tunnels = list.filter((tunnel) => LIVE.has(tunnel.state)).map((tunnel) => ({ id: tunnel.id, label: tunnelLabel(tunnel) }));
    listeners.emit();
  };
  const unsubscribe = host.subscribe((name) => {
    if (name === 'tunnels.changed' || name === 'tunnels.removed') void refresh();
  });
  void refresh();
  return {
    list: () => tunnels,
    onChange: (listener) => listeners.on(listener),
    dispose() {
      unsubscribe();
      listeners.clear();
    },
  };
}
