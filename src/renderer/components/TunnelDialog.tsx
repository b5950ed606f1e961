// Forward a local port to a port on the node, or through it to a remote host.
import { useMemo, useState } from 'react';
import { isLoopbackBind, MAX_TUNNEL_POOL } from '../../shared/contract';
import type { ManagedNode } from '../../shared/domain/inventory';
import { api } from '../api';
import { useAppStore } from '../stores/app-store';
import { loadTunnelSets, saveToSet } from '../tunnel-sets';
import { Modal, FormError, SubmitActions } from '../ui/Modal';
import { confirmAction } from '../ui/dialogs';
import { useBusyAction } from '../ui/use-busy-action';
import { checkPorts } from './view-helpers';

const BIND_ADDRESSES = ['127.0.0.1', '::1', '0.0.0.0'] as const;

/** `node` null: the dialog asks which node (the Tunnels view's "New tunnel"). */
export function TunnelDialog({ node: given, profile, region, onClose }: { node: ManagedNode | null; profile: string; region: string; onClose(): void }) {
  const listed = useAppStore((s) => s.inventories[`${profile}/${region}`]?.nodes);
  const online = useMemo(() => (listed ?? []).filter((n) => n.pingStatus === 'Online'), [listed]);
  const [chosenId, setChosenId] = useState('');
  const node = given ?? online.find((n) => n.id === chosenId) ?? null;
  const [remoteHost, setRemoteHost] = useState('');
  const [remotePort, setRemotePort] = useState('');
  const [localPort, setLocalPort] = useState('');
  const [bindAddress, setBindAddress] = useState<(typeof BIND_ADDRESSES)[number]>('127.0.0.1');
  const [label, setLabel] = useState('');
  const [poolSize, setPoolSize] = useState('1');
  const [setName, setSetName] = useState('');
  const existingSets = Object.keys(loadTunnelSets());
  const { busy, error, run } = useBusyAction();

  const { remote, local, remoteError, localError } = checkPorts(remotePort, localPort);
  const hostError = remoteHost !== '' && !/^[A-Za-z0-9.-]+$/.test(remoteHost) ? 'A host name or IPv4 address.' : null;
  const pool = Number(poolSize);
  const poolError = !(poolSize !== '' && Number.isInteger(pool) && pool >= 1 && pool <= MAX_TUNNEL_POOL) ? `A number from 1 to ${MAX_TUNNEL_POOL}.` : null;
  const valid = node !== null && remotePort !== '' && !remoteError && !localError && !hostError && !poolError;
  const defaultLabel = node ? `${node.name}:${remotePort || 'port'}` : '';

  const submit = async () => {
    if (!node) return;
    // Any address but loopback lets other machines use this tunnel (and the AWS access behind it): ask first.
    const exposed = !isLoopbackBind(bindAddress);
    if (exposed) {
      const where = remoteHost ? `${remoteHost}:${remote} through ${node.name}` : `port ${remote} of ${node.name}`;
      const confirmed = await confirmAction({
        title: 'Open this port to other machines?',
        body: `Bound to ${bindAddress}, the local port ${local || '(any free port)'} accepts connections from any machine that can reach this one, and forwards them to ${where} with your AWS access.`,
        confirmLabel: 'Open to other machines',
      });
      if (!confirmed) return;
    }
    await run(async () => {
      const tunnel = await api.call('tunnels.start', {
        profile,
        region,
        target: node.id,
        remotePort: remote,
        localPort: local,
        bindAddress,
        ...(exposed ? { exposeToNetwork: true as const } : {}),
        poolSize: pool,
        ...(remoteHost ? { remoteHost } : {}),
        // Named for people: "web-1:5432" (or the remote host's), never the instance id.
        label: label || (remoteHost ? `${remoteHost}:${remote} via ${node.name}` : `${node.name}:${remote}`),
      });
      useAppStore.getState().upsertTunnel(tunnel);
      if (setName.trim()) {
        saveToSet(setName.trim(), {
          profile,
          region,
          target: node.id,
          targetName: node.name,
          remotePort: remote,
          localPort: local,
          bindAddress,
          ...(remoteHost ? { remoteHost } : {}),
          ...(label ? { label } : {}),
          ...(pool > 1 ? { poolSize: pool } : {}),
        });
      }
      useAppStore.getState().openTunnelsTab();
      onClose();
    });
  };

  const title = node ? `Forward a port through ${node.name}` : 'Forward a port';
  return (
    <Modal
      title={title}
      onClose={onClose}
      onSubmit={() => {
        if (valid && !busy) void submit();
      }}
    >
        {!given && (
          <>
            <label htmlFor="tunnel-node">Through node</label>
            <select id="tunnel-node" autoFocus value={chosenId} onChange={(e) => setChosenId(e.target.value)}>
              <option value="">{online.length ? 'Choose an online node…' : 'No online node in this profile and region'}</option>
              {online.map((n) => (
                <option key={n.id} value={n.id}>
                  {n.name} ({n.id})
                </option>
              ))}
            </select>
          </>
        )}
        <label htmlFor="tunnel-remote-host">Remote host (optional: a database or service the node can reach)</label>
        <input id="tunnel-remote-host" value={remoteHost} placeholder="the node itself" onChange={(e) => setRemoteHost(e.target.value.trim())} />
        {hostError && <div className="field-error">{hostError}</div>}
        <label htmlFor="tunnel-remote-port">Remote port</label>
        <input id="tunnel-remote-port" autoFocus={given !== null} inputMode="numeric" value={remotePort} placeholder="5432" onChange={(e) => setRemotePort(e.target.value.trim())} />
        {remoteError && <div className="field-error">{remoteError}</div>}
        <label htmlFor="tunnel-local-port">Local port</label>
        <input id="tunnel-local-port" inputMode="numeric" value={localPort} placeholder="any free port" onChange={(e) => setLocalPort(e.target.value.trim())} />
        {localError && <div className="field-error">{localError}</div>}
        <label htmlFor="tunnel-bind">Local bind address</label>
        <select id="tunnel-bind" value={bindAddress} onChange={(e) => setBindAddress(e.target.value as (typeof BIND_ADDRESSES)[number])}>
          {BIND_ADDRESSES.map((a) => (
            <option key={a} value={a}>
              {a}
              {a === '0.0.0.0' ? ' (reachable from other machines)' : ''}
            </option>
          ))}
        </select>
        {!isLoopbackBind(bindAddress) && (
          <div className="tunnel-detail tone-warn" role="status">
            ⚠ Other machines will be able to connect through this tunnel. You will be asked to confirm.
          </div>
        )}
        <label htmlFor="tunnel-pool">Parallel sessions</label>
        <input
          id="tunnel-pool"
          type="number"
          min={1}
          max={MAX_TUNNEL_POOL}
          step={1}
          aria-describedby="tunnel-pool-hint"
          value={poolSize}
          onChange={(e) => setPoolSize(e.target.value.trim())}
        />
        <div id="tunnel-pool-hint" className="dim small">
          AWS paces each session to about 1 MB/s; connections are spread over the sessions.
        </div>
        {poolError && <div className="field-error">{poolError}</div>}
        <label htmlFor="tunnel-label">Name (optional)</label>
        <input id="tunnel-label" value={label} placeholder={remoteHost ? `${remoteHost}:${remotePort || 'port'} via ${node?.name ?? 'the node'}` : defaultLabel} onChange={(e) => setLabel(e.target.value)} />
        <label htmlFor="tunnel-set">Save in a tunnel set (optional)</label>
        <input id="tunnel-set" list="tunnel-set-names" value={setName} placeholder="e.g. prod databases" onChange={(e) => setSetName(e.target.value)} />
        <datalist id="tunnel-set-names">
          {existingSets.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <FormError error={error} />
        <SubmitActions label={'Start forwarding'} busyLabel={'Opening…'} busy={busy} disabled={!valid} onCancel={onClose} />
    </Modal>
  );
}
