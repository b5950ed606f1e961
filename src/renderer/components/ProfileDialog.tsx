// Add or edit an AWS profile. Main writes the config (and credentials) file atomically,
// keeps a backup and leaves other sections and comments as they were.
import { useEffect, useState } from 'react';
import { api } from '../api';
import { useAppStore } from '../stores/app-store';
import { HatchError } from '../../shared/contract';
import { ProfileInput } from '../../shared/domain/profiles';
import { Modal, ModalActions, FormError } from '../ui/Modal';

type Kind = 'static' | 'assume-role' | 'mfa' | 'sso' | 'credential-process';
const KINDS: Array<{ kind: Kind; label: string }> = [
  { kind: 'static', label: 'Access keys' },
  { kind: 'assume-role', label: 'Assume role' },
  { kind: 'mfa', label: 'Assume role with MFA' },
  { kind: 'sso', label: 'IAM Identity Center (SSO)' },
  { kind: 'credential-process', label: 'credential_process' },
];

type Fields = Record<string, string>;

/** `editing` = the name of the profile to edit; null = a new one. */
export function ProfileDialog({ editing, onClose }: { editing: string | null; onClose(): void }) {
  const [fields, setFields] = useState<Fields>({ kind: 'static' });
  const [kept, setKept] = useState<{ keys: boolean; command: boolean }>({ keys: false, command: false });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);

  useEffect(() => {
    if (!editing) return;
    void api.call('profiles.get', { name: editing }).then(
      (p) => {
        const { hasStaticKeys, hasCommand, regions, durationSeconds, ...rest } = p;
        const next: Fields = {};
        for (const [k, v] of Object.entries(rest)) if (typeof v === 'string') next[k] = v;
        if (regions) next.regions = regions.join(', ');
        if (durationSeconds) next.durationSeconds = String(durationSeconds);
        setFields(next);
        setKept({ keys: hasStaticKeys, command: hasCommand });
      },
      (e: Error) => setError(e.message),
    );
  }, [editing]);

  const set = (key: string) => (e: { target: { value: string } }) => setFields((f) => ({ ...f, [key]: e.target.value }));
  const kind = fields.kind as Kind;
  const text = (key: string, label: string, placeholder = '', type = 'text') => (
    <>
      <label htmlFor={`profile-${key}`}>{label}</label>
      <input id={`profile-${key}`} type={type} value={fields[key] ?? ''} placeholder={placeholder} onChange={set(key)} autoComplete="off" />
    </>
  );

  const toInput = (): ProfileInput | string => {
    const raw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) if (v.trim() !== '') raw[k] = v.trim();
    if (typeof raw.regions === 'string') raw.regions = (raw.regions as string).split(/[\s,]+/).filter(Boolean);
    if (typeof raw.durationSeconds === 'string') raw.durationSeconds = Number(raw.durationSeconds);
    const parsed = ProfileInput.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return `${issue.path.join('.') || 'profile'}: ${issue.message}`;
    }
    return parsed.data;
  };

  const save = async () => {
    const input = toInput();
    if (typeof input === 'string') return setError(input);
    setBusy(true);
    setError(null);
    try {
      const summary = await api.call(editing ? 'profiles.update' : 'profiles.add', input);
      const { profiles } = await api.call('profiles.list', {});
      useAppStore.getState().setProfiles(profiles);
      useAppStore.getState().selectProfile(summary.name);
      onClose();
    } catch (e) {
      setError(e instanceof HatchError && e.action ? `${e.message} ${e.action}` : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!editing) return;
    setBusy(true);
    try {
      await api.call('profiles.remove', { name: editing });
      const { profiles } = await api.call('profiles.list', {});
      useAppStore.getState().setProfiles(profiles);
      onClose();
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <Modal
      title={editing ? `Edit profile ${editing}` : 'Add a profile'}
      className="profile-dialog"
      onClose={onClose}
      onSubmit={() => {
        if (!busy) void save();
      }}
    >
        <label htmlFor="profile-name">Name</label>
        <input id="profile-name" autoFocus={!editing} readOnly={!!editing} value={fields.name ?? ''} onChange={set('name')} autoComplete="off" />
        <label htmlFor="profile-kind">Credentials</label>
        <select id="profile-kind" value={kind} onChange={set('kind')}>
          {KINDS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
        {kind === 'static' && (
          <>
            {text('accessKeyId', kept.keys ? 'Access key id (empty = keep the current keys)' : 'Access key id')}
            {text('secretAccessKey', 'Secret access key', '', 'password')}
          </>
        )}
        {(kind === 'assume-role' || kind === 'mfa') && (
          <>
            {text('roleArn', 'Role ARN', 'arn:aws:iam::123456789012:role/ops')}
            {text('sourceProfile', 'Source profile')}
            {kind === 'mfa' && text('mfaSerial', 'MFA device (mfa_serial)', 'arn:aws:iam::123456789012:mfa/me')}
          </>
        )}
        {kind === 'sso' && (
          <>
            {text('ssoSession', 'SSO session name')}
            {text('ssoStartUrl', 'Start URL', 'https://my-org.awsapps.com/start')}
            {text('ssoRegion', 'SSO region', 'eu-west-1')}
            {text('ssoAccountId', 'Account id')}
            {text('ssoRoleName', 'Role name')}
          </>
        )}
        {kind === 'credential-process' && text('credentialProcess', kept.command ? 'Command (empty = keep the current one)' : 'Command')}
        {text('region', 'Region', 'us-east-1')}
        {text('regions', 'Other regions (optional)', 'eu-west-1, ap-southeast-2')}
        {text('endpointUrl', 'Endpoint URL (optional: a VPC endpoint or a local sandbox)', 'https://…')}
        <FormError error={error} />
        <ModalActions>
          {editing &&
            (confirmRemove ? (
              <button type="button" className="danger-outline" onClick={() => void remove()}>
                Remove {editing} from the config file
              </button>
            ) : (
              <button type="button" onClick={() => setConfirmRemove(true)}>
                Remove…
              </button>
            ))}
          <span className="titlebar-spacer" />
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || !fields.name}>
            {busy ? 'Saving…' : editing ? 'Save' : 'Add profile'}
          </button>
        </ModalActions>
    </Modal>
  );
}
