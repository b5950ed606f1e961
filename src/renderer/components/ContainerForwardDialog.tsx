// Forward a local port to a port of an ECS container (a port session on its ecs:… target).
import { useState } from 'react';
import { errorText } from './view-helpers';
import { api } from '../api';
import { useAppStore } from '../stores/app-store';
import { Modal, FormError, SubmitActions } from '../ui/Modal';

export function ContainerForwardDialog({ profile, region, target, name, onClose }: { profile: string; region: string; target: string; name: string; onClose(): void }) {
  const [remotePort, setRemotePort] = useState('');
  const [localPort, setLocalPort] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remote = Number(remotePort);
  const local = localPort === '' ? 0 : Number(localPort);
  const remoteError = remotePort !== '' && !(Number.isInteger(remote) && remote >= 1 && remote <= 65535) ? 'A port from 1 to 65535.' : null;
  const localError = !(Number.isInteger(local) && local >= 0 && local <= 65535) ? 'A port from 1 to 65535, or empty for any free port.' : null;
  const valid = remotePort !== '' && !remoteError && !localError;

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const tunnel = await api.call('tunnels.start', { profile, region, target, remotePort: remote, localPort: local, bindAddress: '127.0.0.1', label: `${name}:${remote}` });
      useAppStore.getState().upsertTunnel(tunnel);
      useAppStore.getState().openTunnelsTab();
      onClose();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
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
