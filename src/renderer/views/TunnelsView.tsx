// Port forwards: where to connect, where they lead (by the node's name), how much flows,
// and what to do — stop, restart, remove, copy the address, open it in the browser. The
// state says what is true: starting, open (with a warning when connections fail),
// reconnecting, failed with the whole reason, stopped. Columns drop as the window narrows
// (a container query); the actions column is always there.
import { useShallow } from 'zustand/react/shallow';
import { useState } from 'react';
import { useAppStore } from '../stores/app-store';
import { api } from '../api';
import { Sparkline } from '../components/Sparkline';
import { isLoopbackBind, type TunnelInfo, type TunnelStats } from '../../shared/contract';
import { deleteSet, loadTunnelSets, type TunnelSets } from '../tunnel-sets';
import { copyText, openForwardDialog } from '../actions';
import { localAddress, tunnelLabel, tunnelRoute } from '../names';
import { Tip } from '../ui/Tooltip';
import { confirmAction } from '../ui/dialogs';
import { formatBytes, formatRate } from '../../shared/format';

function TunnelSetsPanel() {
  const [sets, setSets] = useState<TunnelSets>(loadTunnelSets);
  const pushNotice = useAppStore((s) => s.pushNotice);
  const names = Object.keys(sets);
  if (names.length === 0) return null;
  const startAll = async (name: string) => {
    // A saved set does not carry a confirmation: ports open to other machines are confirmed at each start.
    const exposed = sets[name].filter((spec) => !isLoopbackBind(spec.bindAddress));
    if (exposed.length > 0) {
      const confirmed = await confirmAction({
        title: 'Open ports to other machines?',
        body: `${exposed.map((s) => `${s.bindAddress}:${s.localPort || 'any'} (${s.label ?? s.targetName})`).join(', ')} will accept connections from any machine that can reach this one.`,
        confirmLabel: 'Start all',
      });
      if (!confirmed) return;
    }
    for (const spec of sets[name]) {
      const { targetName: _targetName, ...request } = spec;
      try {
        const confirmation = isLoopbackBind(spec.bindAddress) ? {} : { exposeToNetwork: true as const };
        useAppStore.getState().upsertTunnel(await api.call('tunnels.start', { ...request, ...confirmation }));
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
          <span className="dim truncate">
            {sets[name].map((s) => `${s.label ?? `${s.targetName} → ${s.remoteHost ?? 'localhost'}:${s.remotePort}`} on :${s.localPort || 'any'}`).join(', ')}
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

/** Remote ports that usually speak HTTP(S): their tunnels offer "Open in browser". */
const HTTP_PORTS = new Set([80, 443, 3000, 4000, 5000, 5601, 8000, 8008, 8080, 8081, 8088, 8443, 8888, 9000, 9090, 9200, 9443]);

/** What the state column says: the truth, with the reason in full. */
function tunnelStatus(t: TunnelInfo, stats: TunnelStats | undefined): { label: string; tone: 'ok' | 'warn' | 'err' | 'idle'; detail: string | null } {
  switch (t.state) {
    case 'starting':
      return { label: 'starting…', tone: 'warn', detail: t.message };
    case 'reconnecting':
      return { label: 'reconnecting…', tone: 'warn', detail: t.message };
    case 'failed':
      return { label: 'failed', tone: 'err', detail: t.message ?? 'The tunnel stopped with an error.' };
    case 'stopped':
      return { label: 'stopped', tone: 'idle', detail: null };
    case 'open': {
      const errors = stats?.connectErrors ?? 0;
      if (t.message || errors > 0) return { label: 'open, with errors', tone: 'warn', detail: [errors > 0 ? `${errors} connection${errors > 1 ? 's' : ''} failed.` : null, t.message].filter(Boolean).join(' ') };
      return { label: 'open', tone: 'ok', detail: null };
    }
  }
}

export function TunnelsView() {
  const tunnels = useAppStore(useShallow((s) => Object.values(s.tunnels)));
  const names = useAppStore(useShallow((s) => Object.fromEntries(Object.values(s.tunnels).map((t) => [t.id, `${tunnelLabel(s, t)}\n${tunnelRoute(s, t)}`]))));
  const stats = useAppStore((s) => s.tunnelStats);
  const pushNotice = useAppStore((s) => s.pushNotice);
  const profile = useAppStore((s) => s.selectedProfile);
  const region = useAppStore((s) => s.selectedRegion);
  const act = (promise: Promise<unknown>) =>
    promise.catch((error: Error & { action?: string | null }) => pushNotice({ level: 'error', message: error.message, action: error.action ?? null }));
  const newTunnel = (
    <button type="button" className="primary" disabled={!profile || !region} onClick={() => profile && region && openForwardDialog(profile, region, null)}>
      New tunnel…
    </button>
  );
  const stopped = tunnels.filter((t) => t.state === 'stopped' || t.state === 'failed');
  const openInBrowser = async (t: TunnelInfo) => {
    const { url, opened } = await api.call('tunnels.openInBrowser', { tunnelId: t.id });
    if (!opened) window.open(url, '_blank', 'noopener,noreferrer');
  };

  return (
    <div className="tunnels-view">
      <div className="docs-toolbar">
        <h1 className="docs-title">Tunnels</h1>
        {newTunnel}
        <span className="statusbar-spacer" />
        {stopped.length > 1 && (
          <button type="button" onClick={() => stopped.forEach((t) => void act(api.call('tunnels.remove', { tunnelId: t.id }).then(() => useAppStore.getState().removeTunnel(t.id))))}>
            Remove {stopped.length} stopped
          </button>
        )}
      </div>
      <TunnelSetsPanel />
      {tunnels.length === 0 ? (
        <div className="empty-state">
          <h1>No tunnels yet</h1>
          <p>A tunnel makes a port on a node — or on a host the node can reach, such as a database — answer on a port of this computer.</p>
          {newTunnel}
        </div>
      ) : (
        <table className="tunnel-table" aria-label="Tunnels">
          <colgroup>
            <col className="col-name" />
            <col className="col-local" />
            <col className="col-state" />
            <col className="col-traffic" />
            <col className="col-conns" />
            <col className="col-total" />
            <col className="col-actions" />
          </colgroup>
          <thead>
            <tr>
              <th>Tunnel</th>
              <th>Local address</th>
              <th>State</th>
              <th className="col-traffic">Throughput</th>
              <th className="col-conns">Connections</th>
              <th className="col-total">Total</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tunnels.map((t) => {
              const s = stats[t.id];
              const [label, route] = (names[t.id] ?? `${t.label}\n`).split('\n');
              const status = tunnelStatus(t, s?.latest);
              const running = t.state === 'open' || t.state === 'reconnecting' || t.state === 'starting';
              const address = localAddress(t);
              return (
                <tr key={t.id} aria-label={`${label} ${route}`}>
                  <td>
                    <div className="truncate" title={label}>
                      {label}
                    </div>
                    <div className="dim small truncate" title={`${route} (${t.target}, ${t.profile} · ${t.region})`}>
                      {route}
                    </div>
                  </td>
                  <td className="mono">
                    <div className="truncate" title={address}>
                      {address}
                    </div>
                    {!isLoopbackBind(t.bindAddress) && running && (
                      <div className="tunnel-detail tone-warn" role="status">
                        ⚠ Reachable from other machines
                      </div>
                    )}
                    <div className="row-actions">
                      <button type="button" className="link-button" aria-label={`Copy ${address}`} onClick={() => copyText(address)}>
                        Copy
                      </button>
                      {t.state === 'open' && HTTP_PORTS.has(t.remotePort) && (
                        <button type="button" className="link-button" aria-label={`Open ${label} in the browser`} onClick={() => void act(openInBrowser(t))}>
                          Open in browser
                        </button>
                      )}
                    </div>
                  </td>
                  <td>
                    <span className={`tunnel-state tone-${status.tone}`}>
                      <span className="dot" aria-hidden="true">
                        ●
                      </span>{' '}
                      {status.label}
                    </span>
                    {t.mode ? <span className="dim small"> · {t.mode}</span> : null}
                    {t.poolSize > 1 ? (
                      <span className="dim small" title={`${t.awsSessionIds.length} of ${t.poolSize} sessions up`}>
                        {' '}
                        · pool {t.poolSize}
                        {running && t.awsSessionIds.length < t.poolSize ? ` (${t.awsSessionIds.length} up)` : ''}
                      </span>
                    ) : null}
                    {status.detail && <div className={`tunnel-detail tone-${status.tone}`}>{status.detail}</div>}
                  </td>
                  <td className="col-traffic">
                    <Sparkline values={s?.history ?? []} label={`Throughput of ${label}`} />
                    {/* Up and down each on one line, on two lines when the column is narrow (1024 px). */}
                    <div className="small">
                      {s ? (
                        <>
                          <span className="nowrap">↑ {formatRate(s.latest.rateUp)}</span> <span className="nowrap">↓ {formatRate(s.latest.rateDown)}</span>
                        </>
                      ) : null}
                    </div>
                  </td>
                  <td className="col-conns">{s ? `${s.latest.activeConnections} open / ${s.latest.totalConnections}` : '—'}</td>
                  <td className="col-total small">{s ? `↑ ${formatBytes(s.latest.bytesUp)} ↓ ${formatBytes(s.latest.bytesDown)}` : ''}</td>
                  <td>
                    <div className="tunnel-actions">
                    {running ? (
                      <button type="button" onClick={() => void act(api.call('tunnels.stop', { tunnelId: t.id }))}>
                        Stop
                      </button>
                    ) : (
                      <>
                        <button type="button" onClick={() => void act(api.call('tunnels.restart', { tunnelId: t.id }).then((info) => useAppStore.getState().upsertTunnel(info)))}>
                          Restart
                        </button>
                        <Tip content="Remove it from this list">
                          <button
                            type="button"
                            aria-label={`Remove ${label}`}
                            onClick={() => void act(api.call('tunnels.remove', { tunnelId: t.id }).then(() => useAppStore.getState().removeTunnel(t.id)))}
                          >
                            Remove
                          </button>
                        </Tip>
                      </>
                    )}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
