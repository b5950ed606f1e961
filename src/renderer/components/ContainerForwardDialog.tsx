// Forward a local port to a port of an ECS container (a port session on its ecs:… target).
import { useState } from 'react';
import { api } from '../api';
import { useAppStore } from '../stores/app-store';
import { Modal, FormError, SubmitActions } from '../ui/Modal';
import { useBusyAction } from '../ui/use-busy-action';
import { checkPorts } from './view-helpers';

export function ContainerForwardDialog({ profile, region, target, name, onClose }: { profile: string; region: string; target: string; name: string; onClose(): void }) {
  const [remotePort, setRemotePort] = useState('');
  const [localPort, setLocalPort] = useState('');
  const { busy, error, run } = useBusyAction();
  const { remote, local, remoteError, localError } = checkPorts(remotePort, localPort);
  const valid = remotePort !== '' && !remoteError && !localError;

  const submit = async () => {
    await run(async () => {
      const tunnel = await api.call('tunnels.start', { profile, region, target, remotePort: remote, localPort: local, bindAddress: '127.0.0.1', label: `${name}:${remote}` });
      useAppStore.getState().upsertTunnel(tunnel);
      useAppStore.getState().openTunnelsTab();
      onClose();
    });
  };

  return (
    <Modal title={`Forward a port to ${name}`} onClose={onClose} onSubmit={() => valid && !busy && void submit()}>
      <label htmlFor="container-remote-port">Container port</label>
      <input id="container-remote-port" autoFocus inputMode="numeric" value={remotePort} placeholder="80" onChange={(e) => setRemotePort(e.target.value.trim())} />
      {remoteError && <div className="field-error">{remoteError}</div>}
      <label htmlFor="container-local-port">Local port</label>
      <input id="container-local-port" inputMode="numeric" value={localPort} placeholder="any free port" onChange={(e) => setLocalPort(e.target.value.trim())} />
      {localError && <div className="field-error">{localError}</div>}
      <FormError error={error} />
      <SubmitActions label={'Start forwarding'} busyLabel={'Opening…'} busy={busy} disabled={!valid} onCancel={onClose} />
    </Modal>
  );
}
