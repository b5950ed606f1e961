// "Connect with Remote Desktop": Hatch opens a tunnel to the Windows node's 3389 and starts
// the system's RDP client on a generated .rdp file; the dialog says which, and always
// offers the address and the file (the browser host starts no client).
import { useEffect, useState } from 'react';
import type { RdpConnection } from '../../shared/contract-access';
import { api } from '../api';
import { useAppStore } from '../stores/app-store';
import { Modal, ModalActions, FormError } from '../ui/Modal';
import { copyText } from '../actions';
import { downloadText, errorText } from './view-helpers';

const CLIENT: Record<RdpConnection['launcher'], string> = {
  mstsc: 'Remote Desktop Connection (mstsc)',
  'windows-app': 'Windows App',
  remmina: 'Remmina',
  xfreerdp: 'FreeRDP',
  none: '',
};

export function RdpDialog({ profile, region, node, onClose }: { profile: string; region: string; node: { id: string; name: string }; onClose(): void }) {
  const [connection, setConnection] = useState<RdpConnection | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    api.call('rdp.connect', { profile, region, nodeId: node.id, nodeName: node.name }).then(
      (c) => {
        if (!current) return;
        setConnection(c);
        // The tunnel is listed with the others (and stopped from there).
        void api.call('tunnels.list', {}).then(({ tunnels }) => tunnels.forEach((t) => useAppStore.getState().upsertTunnel(t)), () => undefined);
      },
      (e: unknown) => current && setError(errorText(e)),
    );
    return () => {
      current = false;
    };
  }, [profile, region, node.id, node.name]);

  return (
    <Modal title={`Remote Desktop to ${node.name}`} onClose={onClose}>
      {!connection && !error && (
        <p role="status" className="dim">
          Opening a tunnel to port 3389 of {node.name}…
        </p>
      )}
      <FormError error={error} />
      {connection && (
        <>
          <p role="status">{connection.launcher === 'none' ? connection.message : `${CLIENT[connection.launcher]} was opened on ${connection.fileName}.`}</p>
          <label htmlFor="rdp-address">Address (the tunnel’s local end)</label>
          <div className="rdp-address-row">
            <input id="rdp-address" className="mono" readOnly value={connection.address} onFocus={(e) => e.target.select()} />
            <button type="button" onClick={() => copyText(connection.address)}>
              Copy
            </button>
          </div>
          <p className="dim small">The tunnel stays open until you stop it in Tunnels.</p>
        </>
      )}
      <ModalActions>
        {connection && (
          <button type="button" onClick={() => downloadText(connection.fileName, 'application/x-rdp', connection.rdpFile)}>
            Download .rdp file
          </button>
        )}
        <button type="button" className="primary" onClick={onClose}>
          Close
        </button>
      </ModalActions>
    </Modal>
  );
}
