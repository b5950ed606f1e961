// Running port forwards: where to connect, how much flows, and stop/restart.
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../stores/app-store';
import { api } from '../api';
import { Sparkline } from '../components/Sparkline';
import type { TunnelInfo } from '../../shared/contract';
import { useState } from 'react';
import { deleteSet, loadTunnelSets, type TunnelSets } from '../tunnel-sets';

function TunnelSetsPanel() {
  const [sets, setSets] = useState<TunnelSets>(loadTunnelSets);
  const pushNotice = useAppStore((s) => s.pushNotice);
  const names = Object.keys(sets);
  if (names.length === 0) return null;
  const startAll = async (name: string) => {
    for (const spec of sets[name]) {
      const { targetName: _targetName, ...request } = spec;
      try {
        useAppStore.getState().upsertTunnel(await api.call('tunnels.start', request));
      } catch (error) {
        const err = error as Error & { action?: string | null };
        pushNotice({ level: 'error', message: `${spec.label ?? spec.targetName}: ${err.message}`, action: err.action ?? null });
      }
    }
  };
  return (
    <section className="tunnel-sets" aria-label="Tunnel sets">
      <h2>Tunnel sets</h2>
      {names.map((name) => (
        <div key={name} className="tunnel-set">
          <strong>{name}</strong>
          <span className="dim">
            {sets[name].map((s) => `${s.label ?? `${s.remoteHost ?? s.targetName}:${s.remotePort}`} → :${s.localPort || 'any'}`).join(', ')}
          </span>
          <button type="button" onClick={() => void startAll(name)}>
            Start all
          </button>
          <button type="button" className="icon-button" aria-label={`Delete set ${name}`} onClick={() => setSets(deleteSet(name))}>
            ×
          </button>
        </div>
      ))}
    </section>
  );
}

export function formatRate(bytesPerSecond: number): string {
  if (bytesPerSecond < 1024) return `${Math.round(bytesPerSecond)} B/s`;
  if (bytesPerSecond < 1024 * 1024) return `${(bytesPerSecond / 1024).toFixed(1)} KB/s`;
  return `${(bytesPerSecond / 1024 / 1024).toFixed(1)} MB/s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export const localAddress = (t: TunnelInfo) => `${t.bindAddress === '::1' ? '[::1]' : t.bindAddress}:${t.localPort}`;

export function TunnelsView() {
  const tunnels = useAppStore(useShallow((s) => Object.values(s.tunnels)));
  const stats = useAppStore((s) => s.tunnelStats);
  const pushNotice = useAppStore((s) => s.pushNotice);
  const act = (promise: Promise<unknown>) =>
    promise.catch((error: Error & { action?: string | null }) => pushNotice({ level: 'error', message: error.message, action: error.action ?? null }));
  if (tunnels.length === 0) {
    return (
      <>
        <TunnelSetsPanel />
        <div className="empty-state">
          <h1>No tunnels yet</h1>
          <p>Select a node in the Nodes tab and choose “Forward port” to reach a port on it, or a host behind it such as a database.</p>
        </div>
      </>
    );
  }
  return (
    <>
      <TunnelSetsPanel />
      <table className="tunnel-table" aria-label="Tunnels">
        <thead>
          <tr>
            <th>Tunnel</th>
            <th>Local address</th>
            <th>Through</th>
            <th>State</th>
            <th>Connections</th>
            <th>Throughput</th>
            <th>Total</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {tunnels.map((t) => {
            const s = stats[t.id];
            const running = t.state === 'open' || t.state === 'reconnecting' || t.state === 'starting';
            return (
              <tr key={t.id}>
                <td>{t.label}</td>
                <td className="mono">
                  {localAddress(t)}{' '}
                  <button type="button" className="icon-button" aria-label={`Copy ${localAddress(t)}`} onClick={() => void navigator.clipboard?.writeText(localAddress(t))}>
                    Copy
                  </button>
                </td>
                <td className="mono">
                  {t.target}
                  {t.remoteHost ? ` → ${t.remoteHost}` : ''}:{t.remotePort}
                </td>
                <td title={t.message ?? undefined}>
                  <span className={`dot tunnel-${t.state}`}>●</span> {t.state}
                  {t.mode ? <span className="dim"> · {t.mode}</span> : null}
                  {t.poolSize > 1 ? (
                    <span className="dim" title={`${t.awsSessionIds.length} of ${t.poolSize} sessions up`}>
                      {' '}
                      · pool {t.poolSize}
                      {running && t.awsSessionIds.length < t.poolSize ? ` (${t.awsSessionIds.length} up)` : ''}
                    </span>
                  ) : null}
                  {t.message ? <div className="dim small">{t.message}</div> : null}
                </td>
                <td>{s ? `${s.latest.activeConnections} open / ${s.latest.totalConnections}` : '—'}</td>
                <td>
                  <Sparkline values={s?.history ?? []} label={`Throughput of ${t.label}`} />{' '}
                  {s ? `↑ ${formatRate(s.latest.rateUp)} ↓ ${formatRate(s.latest.rateDown)}` : ''}
                </td>
                <td>{s ? `↑ ${formatBytes(s.latest.bytesUp)} ↓ ${formatBytes(s.latest.bytesDown)}` : ''}</td>
                <td>
                  {running ? (
                    <button type="button" onClick={() => act(api.call('tunnels.stop', { tunnelId: t.id }))}>
                      Stop
                    </button>
                  ) : (
                    <button type="button" onClick={() => act(api.call('tunnels.restart', { tunnelId: t.id }))}>
                      Restart
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
