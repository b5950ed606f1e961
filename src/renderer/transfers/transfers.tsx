// Transfers in the renderer: the list (from transfers.changed), the panel with progress,
// rate, cancel, retry and "show in folder", dropping files on a terminal or a node to
// upload them (to the shell's directory when it reports it with OSC 7), and "Download
// file…" on nodes and terminal tabs. A file's bytes are read by the browser (File API) and
// sent to main in chunks; the panel shows the upload from the first chunk on.
import { useState, type DragEvent } from 'react';
import { create } from 'zustand';
import { api, hostLink } from '../api';
import { UPLOAD_CHUNK_BYTES, type TransferInfo } from '../../shared/contract-transfers';
import { registerCommands } from '../commands';
import { registerNodeAction, whyNoSession } from '../node-actions';
import { registerTabMenuItem } from '../tab-menu';
import { useAppStore } from '../stores/app-store';
import { nodeName } from '../names';
import { Modal, ModalActions } from '../ui/Modal';
import { showDialog } from '../ui/dialogs';
import { notify } from '../ui/toast';
import { formatBytes, formatRate } from '../../shared/format';

interface TransfersState {
  transfers: Record<string, TransferInfo>;
  open: boolean;
  /** Each session's working directory, as its shell reported it (OSC 7). */
  cwd: Record<string, string>;
}

const useTransfers = create<TransfersState>(() => ({ transfers: {}, open: false, cwd: {} }));

export interface NodeRef {
  profile: string;
  region: string;
  target: string;
  nodeName?: string;
}

let started = false;
/** Subscribes once to transfers.changed (App calls it). */
export function startTransfers(): () => void {
  if (started) return () => undefined;
  started = true;
  const off = api.on('transfers.changed', ({ transfer }) => {
    const before = useTransfers.getState().transfers[transfer.id];
    useTransfers.setState((s) => ({ transfers: { ...s.transfers, [transfer.id]: transfer } }));
    if (before?.state === transfer.state) return;
    const what = `${transfer.direction === 'upload' ? 'Uploaded' : 'Downloaded'} ${transfer.name}`;
    if (transfer.state === 'done') {
      notify({ level: 'info', message: `${what} (${formatBytes(transfer.total)})`, action: transfer.direction === 'upload' ? `${transfer.nodeName}:${transfer.remotePath}` : transfer.localPath });
    } else if (transfer.state === 'failed') {
      notify({ level: 'error', message: `${transfer.direction === 'upload' ? 'Upload' : 'Download'} of ${transfer.name} failed: ${transfer.error ?? 'unknown error'}`, action: 'Retry it from the transfers panel.' });
    }
  });
  void api.call('transfers.list', {}).then(
    ({ transfers }) => useTransfers.setState((s) => ({ transfers: { ...Object.fromEntries(transfers.map((t) => [t.id, t])), ...s.transfers } })),
    () => undefined,
  );
  return () => {
    off();
    started = false;
  };
}

/** OSC 7 payload (`file://host/path`) → the path; null when it is not one. */
export function cwdFromOsc7(data: string): string | null {
  const match = /^file:\/\/[^/]*(\/.*)$/.exec(data);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

export function setSessionCwd(sessionId: string, cwd: string): void {
  if (useTransfers.getState().cwd[sessionId] === cwd) return;
  useTransfers.setState((s) => ({ cwd: { ...s.cwd, [sessionId]: cwd } }));
}

function formatEta(t: TransferInfo): string | null {
  if (t.state !== 'running' || t.rate <= 0 || t.total <= t.bytes) return null;
  const s = Math.round((t.total - t.bytes) / t.rate);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} left`;
}

/** base64 of a slice of a file, done by the browser (no byte loop here). */
function readBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(blob);
  });
}

/** Only the fields the contract takes (a NodeRef may carry the shell's directory too). */
function where(node: NodeRef): NodeRef {
  return { profile: node.profile, region: node.region, target: node.target, ...(node.nodeName ? { nodeName: node.nodeName } : {}) };
}

/** Sends each file's bytes to main and starts its upload. */
async function uploadFiles(files: File[], node: NodeRef, remoteDir: string): Promise<void> {
  useTransfers.setState({ open: true });
  for (const file of files) {
    try {
      const info = await api.call('transfers.uploadBegin', { ...where(node), remoteDir, name: file.name, size: file.size });
      for (let offset = 0; offset < file.size; offset += UPLOAD_CHUNK_BYTES) {
        const data = await readBase64(file.slice(offset, offset + UPLOAD_CHUNK_BYTES));
        await api.call('transfers.uploadChunk', { transferId: info.id, offset, data });
      }
      await api.call('transfers.uploadEnd', { transferId: info.id });
    } catch (error) {
      notify({ level: 'error', message: `Could not upload ${file.name}: ${(error as Error).message}`, action: null });
    }
  }
}

function UploadDialog({ files, node, initialDir, onClose }: { files: File[]; node: NodeRef; initialDir: string; onClose(): void }) {
  const [dir, setDir] = useState(initialDir);
  const total = files.reduce((sum, f) => sum + f.size, 0);
  return (
    <Modal
      title={`Upload to ${node.nodeName ?? node.target}`}
      onClose={onClose}
      onSubmit={(event) => {
        event.preventDefault();
        if (!dir.trim()) return;
        onClose();
        void uploadFiles(files, node, dir.trim());
      }}
    >
      <p>
        {files.length === 1 ? files[0].name : `${files.length} files`} ({formatBytes(total)}) over a Session Manager session of its own; the SHA-256 is checked on the node.
      </p>
      <label className="field">
        <span>Folder on the node</span>
        <input value={dir} onChange={(e) => setDir(e.target.value)} aria-label="Folder on the node" autoFocus spellCheck={false} />
      </label>
      <ModalActions>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={!dir.trim()}>
          Upload
        </button>
      </ModalActions>
    </Modal>
  );
}

function confirmUpload(files: File[], node: NodeRef, initialDir: string): void {
  if (files.length === 0) return;
  showDialog((close) => <UploadDialog files={files} node={node} initialDir={initialDir} onClose={close} />);
}

function DownloadDialog({ node, initialPath, onClose }: { node: NodeRef; initialPath: string; onClose(): void }) {
  const [remote, setRemote] = useState(initialPath);
  return (
    <Modal
      title={`Download from ${node.nodeName ?? node.target}`}
      onClose={onClose}
      onSubmit={(event) => {
        event.preventDefault();
        if (!remote.trim()) return;
        onClose();
        useTransfers.setState({ open: true });
        void api.call('transfers.download', { ...where(node), remotePath: remote.trim() }).catch((error: Error) => notify({ level: 'error', message: `Could not download: ${error.message}`, action: null }));
      }}
    >
      <p>A file, or a folder with everything in it, into your downloads folder.</p>
      <label className="field">
        <span>Path on the node</span>
        <input value={remote} onChange={(e) => setRemote(e.target.value)} aria-label="Path on the node" autoFocus spellCheck={false} />
      </label>
      <ModalActions>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={!remote.trim()}>
          Download
        </button>
      </ModalActions>
    </Modal>
  );
}

function openDownload(node: NodeRef, initialPath = '~/'): void {
  showDialog((close) => <DownloadDialog node={node} initialPath={initialPath} onClose={close} />);
}

/** Drag-and-drop props for anything that stands for a node (a terminal, a node row). */
export function fileDropProps(node: () => (NodeRef & { dir?: string }) | null) {
  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
  return {
    onDragOver: (e: DragEvent) => {
      if (!hasFiles(e) || !node()) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    },
    onDrop: (e: DragEvent) => {
      const target = node();
      if (!hasFiles(e) || !target) return;
      e.preventDefault();
      const files = Array.from(e.dataTransfer.files ?? []);
      confirmUpload(files, target, target.dir ?? '~');
    },
  };
}

/** The node of a terminal session, and its shell's directory when known. */
export function sessionNode(sessionId: string): (NodeRef & { dir?: string }) | null {
  const state = useAppStore.getState();
  const session = state.sessions[sessionId];
  if (!session || session.state === 'ended') return null;
  const dir = useTransfers.getState().cwd[sessionId];
  return { profile: session.profile, region: session.region, target: session.target, nodeName: nodeName(state, session.profile, session.region, session.target), ...(dir ? { dir } : {}) };
}

function TransferRow({ t }: { t: TransferInfo }) {
  const percent = t.total > 0 ? Math.min(100, Math.floor((t.bytes / t.total) * 100)) : t.state === 'done' ? 100 : 0;
  // A download learns its size from the node: until then there is nothing to count yet.
  const sized = t.total > 0 || t.state === 'done';
  const starting = !sized && (t.state === 'running' || t.state === 'queued');
  const eta = formatEta(t);
  const arrow = t.direction === 'upload' ? '↑' : '↓';
  return (
    <li className={`transfer state-${t.state}`} data-testid={`transfer-${t.id}`}>
      <div className="transfer-title">
        <span aria-hidden="true">{arrow}</span> <strong title={t.name}>{t.name}</strong>{' '}
        <span className="dim" title={`${t.nodeName}:${t.remotePath}`}>
          {t.direction === 'upload' ? 'to' : 'from'} {t.nodeName}:{t.remotePath}
        </span>
      </div>
      {starting ? <progress aria-label={`${t.name} starting`} /> : <progress max={100} value={percent} aria-label={`${t.name} ${percent}%`} />}
      <div className="transfer-status" role="status">
        <span className="transfer-state">{t.state}</span>
        {sized ? ` · ${percent}% · ${formatBytes(t.bytes)} of ${formatBytes(t.total)}` : starting ? ' · starting…' : ''}
        {t.state === 'running' && t.rate > 0 ? ` · ${formatRate(t.rate)}` : ''}
        {eta ? ` · ${eta}` : ''}
        {t.resumed > 0 ? ` · resumed after ${formatBytes(t.resumed)}` : ''}
      </div>
      {t.error && <div className="transfer-error">{t.error}</div>}
      <div className="transfer-actions">
        {(t.state === 'running' || t.state === 'queued' || t.state === 'receiving') && (
          <button type="button" onClick={() => void api.call('transfers.cancel', { transferId: t.id }).catch(() => undefined)}>
            Cancel
          </button>
        )}
        {(t.state === 'failed' || t.state === 'cancelled') && (
          <button type="button" onClick={() => void api.call('transfers.retry', { transferId: t.id }).catch((e: Error) => notify({ level: 'error', message: e.message, action: null }))}>
            Retry
          </button>
        )}
        {t.state === 'done' && t.direction === 'download' && t.fetchUrl && (
          <a href={hostLink(t.fetchUrl)} download={t.name}>
            Save
          </a>
        )}
        {t.state === 'done' && t.direction === 'download' && !t.fetchUrl && (
          <button type="button" onClick={() => void api.call('transfers.reveal', { transferId: t.id }).catch(() => undefined)}>
            Show in folder
          </button>
        )}
        {(t.state === 'done' || t.state === 'failed' || t.state === 'cancelled') && (
          <button
            type="button"
            aria-label={`Remove ${t.name} from the list`}
            onClick={() => removeFromList([t.id])}
          >
            Remove
          </button>
        )}
      </div>
    </li>
  );
}

/** Takes ended transfers off the list (here and in main). */
function removeFromList(ids: string[]): void {
  for (const transferId of ids) void api.call('transfers.remove', { transferId }).catch(() => undefined);
  useTransfers.setState((s) => ({ transfers: Object.fromEntries(Object.entries(s.transfers).filter(([id]) => !ids.includes(id))) }));
}

/** The panel: every transfer of this run, newest first. */
export function TransfersPanel() {
  const open = useTransfers((s) => s.open);
  const transfers = useTransfers((s) => s.transfers);
  const list = Object.values(transfers).sort((a, b) => b.startedAt - a.startedAt);
  const running = list.filter((t) => t.state === 'running' || t.state === 'receiving' || t.state === 'queued').length;
  if (list.length === 0) return null;
  const done = list.filter((t) => t.state === 'done').map((t) => t.id);
  return (
    <aside className={`transfers-panel${open ? ' open' : ''}`} aria-label="Transfers">
      <div className="transfers-head">
        <button type="button" className="transfers-toggle" aria-expanded={open} onClick={() => useTransfers.setState({ open: !open })}>
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> Transfers {running > 0 ? `(${running} running)` : `(${list.length})`}
        </button>
        {open && done.length > 0 && (
          <button type="button" className="link-button transfers-clear" onClick={() => removeFromList(done)}>
            Clear done
          </button>
        )}
      </div>
      {open && (
        <ul className="transfers-list">
          {list.map((t) => (
            <TransferRow key={t.id} t={t} />
          ))}
        </ul>
      )}
    </aside>
  );
}

// ── Entries in the app's menus and palette ──────────────────────────────────────────

registerNodeAction({
  id: 'download-file',
  label: 'Download file…',
  order: 40,
  unavailable: ({ node }) => whyNoSession(node),
  run: ({ node, profile, region }) => openDownload({ profile, region, target: node.id, nodeName: node.name }),
});

registerNodeAction({
  id: 'upload-file',
  label: 'Upload file…',
  order: 41,
  unavailable: ({ node }) => whyNoSession(node),
  run: ({ node, profile, region }) => pickFiles((files) => confirmUpload(files, { profile, region, target: node.id, nodeName: node.name }, '~')),
});

const terminalSession = (tab: Parameters<Parameters<typeof registerTabMenuItem>[0]['run']>[0]): string | null => (tab.kind === 'terminal' ? (tab.panes[0] ?? null) : null);

registerTabMenuItem({
  id: 'download-file',
  label: 'Download file…',
  order: 45,
  appliesTo: (tab) => tab.kind === 'terminal',
  disabled: (tab) => !sessionNode(terminalSession(tab) ?? ''),
  run: (tab) => {
    const node = sessionNode(terminalSession(tab) ?? '');
    if (node) openDownload(node, node.dir ? `${node.dir.replace(/\/$/, '')}/` : '~/');
  },
});

registerTabMenuItem({
  id: 'upload-file',
  label: 'Upload file…',
  order: 46,
  appliesTo: (tab) => tab.kind === 'terminal',
  disabled: (tab) => !sessionNode(terminalSession(tab) ?? ''),
  run: (tab) => {
    const node = sessionNode(terminalSession(tab) ?? '');
    if (node) pickFiles((files) => confirmUpload(files, node, node.dir ?? '~'));
  },
});

registerCommands(() => [
  { id: 'transfers:toggle', title: useTransfers.getState().open ? 'Hide transfers' : 'Show transfers', keywords: 'upload download files copy progress', run: () => useTransfers.setState((s) => ({ open: !s.open })) },
]);

function pickFiles(then: (files: File[]) => void): void {
  const input = document.createElement('input');
  input.type = 'file';
  input.multiple = true;
  input.addEventListener('change', () => then(Array.from(input.files ?? [])), { once: true });
  input.click();
}
