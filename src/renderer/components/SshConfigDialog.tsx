// "SSH config…": Hatch's block in ~/.ssh/config for a node (`ssh web-1`) or for a profile
// (`ssh i-…` for any node id), shown as a diff of the file before it is saved.
import { useEffect, useMemo, useState } from 'react';
import type { SshConfigEntry, SshConfigPreview } from '../../shared/contract-access';
import { api } from '../api';
import { useAppStore } from '../stores/app-store';
import { Modal, FormError, SubmitActions } from '../ui/Modal';
import { DiffView } from './DiffView';
import { errorText } from './view-helpers';

const ALIAS = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;

/** A Host alias from a node's name: what ssh accepts, no wildcards. */
function aliasFor(name: string): string {
  const alias = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63);
  return alias || 'node';
}

/** The usual login of an image, from the platform name. */
function defaultUser(platformName: string | null | undefined): string {
  const p = (platformName ?? '').toLowerCase();
  if (p.includes('ubuntu')) return 'ubuntu';
  if (p.includes('debian')) return 'admin';
  if (p.includes('centos')) return 'centos';
  if (p.includes('windows')) return 'Administrator';
  return 'ec2-user';
}

type SshConfigTarget = { kind: 'node'; nodeId: string; name: string; platformName?: string | null } | { kind: 'profile' };

export function SshConfigDialog({ profile, region, target, onClose }: { profile: string; region: string; target: SshConfigTarget; onClose(): void }) {
  const [alias, setAlias] = useState(target.kind === 'node' ? aliasFor(target.name) : '');
  const [user, setUser] = useState(target.kind === 'node' ? defaultUser(target.platformName) : '');
  const [preview, setPreview] = useState<SshConfigPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const aliasError = target.kind === 'node' && !ALIAS.test(alias) ? 'Letters, digits, . _ - (no spaces or wildcards), starting with a letter or digit.' : null;
  const userError = user !== '' && !USER.test(user) ? 'A user name: letters, digits, _ . - (up to 32).' : null;
  const valid = !aliasError && !userError;
  const nodeId = target.kind === 'node' ? target.nodeId : null;
  const entry = useMemo<SshConfigEntry | null>(
    () => (!valid ? null : nodeId !== null ? { kind: 'node', nodeId, alias, ...(user ? { user } : {}) } : { kind: 'profile', ...(user ? { user } : {}) }),
    [valid, nodeId, alias, user],
  );

  // The diff follows the fields (a moment after typing stops).
  useEffect(() => {
    if (!entry) return;
    let current = true;
    const timer = setTimeout(() => {
      api.call('ssh.configPreview', { profile, region, entry }).then(
        (p) => {
          if (!current) return;
          setPreview(p);
          setError(null);
        },
        (e: unknown) => current && (setPreview(null), setError(errorText(e))),
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [entry, profile, region]);

  const save = async () => {
    if (!entry || !preview) return;
    setBusy(true);
    try {
      const saved = await api.call('ssh.configSave', { profile, region, entry, sha256: preview.sha256 });
      useAppStore.getState().pushNotice({
        level: 'info',
        message: saved.changed ? `Saved ${saved.path}${saved.backupPath ? ` (the previous file is ${saved.backupPath})` : ''}. ${target.kind === 'node' ? `Connect with: ssh ${alias}` : 'Connect with: ssh <user>@i-…'}` : `${saved.path} already had this entry; nothing changed.`,
        action: null,
      });
      onClose();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const title = target.kind === 'node' ? `SSH config for ${target.name}` : `SSH config for profile ${profile}`;
  return (
    <Modal title={title} size="wide" onClose={onClose} onSubmit={() => valid && preview?.changed && !busy && void save()}>
      <p className="dim">
        {target.kind === 'node'
          ? `Adds “Host ${alias || '…'}” to Hatch’s block in your ssh config, so ssh, scp, rsync and editors reach ${target.name} through Session Manager (hatch ssh-proxy).`
          : `Adds “Host i-* mi-*” to Hatch’s block in your ssh config: any node id of ${profile} (${region}) through Session Manager. One profile can own node ids at a time.`}{' '}
        Nothing outside the block changes; the previous file is kept as a backup.
      </p>
      {target.kind === 'node' && (
        <>
          <label htmlFor="ssh-alias">Host alias</label>
          <input id="ssh-alias" autoFocus value={alias} onChange={(e) => setAlias(e.target.value.trim())} />
          {aliasError && <div className="field-error">{aliasError}</div>}
        </>
      )}
      <label htmlFor="ssh-user">User (optional)</label>
      <input id="ssh-user" autoFocus={target.kind === 'profile'} value={user} placeholder="as ssh decides" onChange={(e) => setUser(e.target.value.trim())} />
      {userError && <div className="field-error">{userError}</div>}
      {preview && (
        <>
          <div className="dim small">{preview.path}</div>
          {preview.changed ? <DiffView before={preview.before} after={preview.after} label={`Changes to ${preview.path}`} /> : <p>The file already has this entry: nothing to change.</p>}
        </>
      )}
      <FormError error={error} />
      <SubmitActions label={'Save to ssh config'} busyLabel={'Saving…'} busy={busy} disabled={!valid || !preview?.changed} onCancel={onClose} />
    </Modal>
  );
}
