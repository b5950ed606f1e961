// Session Manager preferences of the selected profile and region: every field validated
// with the rule it breaks, a diff of the document before saving, conflicts with changes
// made elsewhere, read-only when IAM says no — and a side-by-side comparison.
import { useCallback, useEffect, useMemo, useReducer, useState, type ReactNode } from 'react';
import type { KmsKeyChoice } from '../../shared/contract-documents';
import { editorReducer, fromDraft, initialEditorState, parseContent, toDraft, type Draft } from './preferences-state';
import {
  defaultPreferences,
  documentFromPreferences,
  PREFERENCE_FIELDS,
  preferenceErrors,
  renderDocument,
  type PreferenceKey,
} from '../../shared/domain/preferences';
import { api } from '../api';
import { useAppStore } from '../stores/app-store';
import { DiffView } from '../components/DiffView';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { PreferencesCompare } from '../components/PreferencesCompare';
import { errorText } from '../components/view-helpers';
import { Modal, ModalActions } from '../ui/Modal';

export function PreferencesView() {
  const profile = useAppStore((s) => s.selectedProfile);
  const region = useAppStore((s) => s.selectedRegion);
  const [mode, setMode] = useState<'edit' | 'compare'>('edit');
  if (!profile || !region) {
    return (
      <div className="empty-state">
        <h1>Preferences</h1>
        <p className="hint">Choose a profile and region in the sidebar.</p>
      </div>
    );
  }
  return (
    <div className="docs-view">
      <div className="docs-toolbar">
        <h1 className="docs-title">Session Manager preferences</h1>
        <div className="segmented" role="radiogroup" aria-label="Preferences mode">
          <button type="button" role="radio" aria-checked={mode === 'edit'} onClick={() => setMode('edit')}>
            Edit
          </button>
          <button type="button" role="radio" aria-checked={mode === 'compare'} onClick={() => setMode('compare')}>
            Compare
          </button>
        </div>
      </div>
      {mode === 'edit' ? <PreferencesEditor key={`${profile}/${region}`} profile={profile} region={region} /> : <PreferencesCompare profile={profile} region={region} />}
    </div>
  );
}

function PreferencesEditor({ profile, region }: { profile: string; region: string }) {
  const key = `${profile}/${region}`;
  const [ui, dispatch] = useReducer(editorReducer, initialEditorState);
  const { draft, keys, keysError, reviewing, conflict, saving, saveError, savedNote, deniedOnSave, generation } = ui;

  useEffect(() => {
    let live = true;
    api.call('preferences.get', { profile, region }).then(
      (state) => live && dispatch({ type: 'loaded', key, state }),
      (error: unknown) => live && dispatch({ type: 'loadFailed', key, error: errorText(error) }),
    );
    api.call('preferences.kmsKeys', { profile, region }).then(
      ({ keys }) => live && dispatch({ type: 'keys', keys }),
      (error: unknown) => live && dispatch({ type: 'keysFailed', error: errorText(error) }),
    );
    return () => {
      live = false;
    };
  }, [profile, region, key, generation]);

  const reload = useCallback(() => dispatch({ type: 'reload' }), []);

  const state = ui.loadKey === key ? ui.state : null;
  const candidate = useMemo(() => (draft ? fromDraft(draft) : null), [draft]);
  const errors = useMemo(() => (candidate ? preferenceErrors(candidate) : {}), [candidate]);
  const valid = Object.keys(errors).length === 0;
  const denied = deniedOnSave ?? state?.denied ?? null;
  const readOnly = denied !== null;

  const before = conflict?.content ?? state?.content ?? '';
  const after = useMemo(
    () => (candidate && valid ? renderDocument(documentFromPreferences(candidate, parseContent(conflict?.content ?? state?.content ?? null))) : ''),
    [candidate, valid, conflict, state],
  );
  const dirty = candidate !== null && valid && after.replace(/\n+$/, '') !== before.replace(/\n+$/, '');

  if (ui.loadKey !== key) return <p className="docs-pad dim" role="status">Loading the preferences of {profile} in {region}…</p>;
  if (ui.loadError || !state) {
    return (
      <div className="docs-pad">
        <div className="inline-error" role="alert">
          {ui.loadError}
        </div>
        <button type="button" onClick={reload}>
          Try again
        </button>
      </div>
    );
  }

  const save = async (overwrite: boolean) => {
    if (!candidate) return;
    dispatch({ type: 'saving' });
    // Overwriting replaces the version the user was shown and confirmed, not whatever AWS
    // holds by then: a change made after the confirmation is another conflict.
    const base = overwrite && conflict ? conflict : state;
    try {
      const outcome = await api.call('preferences.save', { profile, region, preferences: candidate, baseVersion: base.version, baseHash: base.hash });
      dispatch({ type: 'saveOutcome', outcome });
    } catch (error) {
      dispatch({ type: 'saveFailed', error: errorText(error) });
    }
  };

  const set = <K extends keyof Draft>(field: K, value: Draft[K]) => dispatch({ type: 'edit', field, value });

  return (
    <div className="prefs">
      <div className="prefs-meta" aria-live="polite">
        <span>
          {profile} · {region}
        </span>
        <span className="dim">
          {state.exists ? `${state.documentName} · version ${state.version}` : state.readable ? 'No preferences document yet' : 'Preferences not readable'}
        </span>
        <button type="button" onClick={reload}>
          Reload
        </button>
        {savedNote && (
          <span className="ok-text" role="status">
            {savedNote}
          </span>
        )}
      </div>

      {denied && (
        <div className="banner banner-warn" role="alert">
          <strong>Read-only: missing IAM permission {denied.action}.</strong> {denied.message}
        </div>
      )}

      {conflict && (
        <div className="banner banner-warn" role="alert">
          <div>
            <strong>These preferences changed in AWS since you loaded them</strong> (you loaded {state.version ? `version ${state.version}` : 'no document'}; AWS now has{' '}
            {conflict.version ? `version ${conflict.version}` : 'no document'}). Your edits are not saved yet.
          </div>
          <div className="banner-actions">
            <button type="button" onClick={reload}>
              Reload (discard my edits)
            </button>
            <button type="button" disabled={!valid} onClick={() => dispatch({ type: 'review', mode: 'overwrite' })}>
              Overwrite…
            </button>
          </div>
        </div>
      )}

      {!state.exists && state.readable && !draft && (
        <div className="banner">
          <p>
            {region} has no Session Manager preferences document ({state.documentName}) yet, so AWS’s defaults apply: a 20-minute idle timeout, no maximum duration, no
            KMS encryption, no logging, no Run As.
          </p>
          <button type="button" className="primary" disabled={readOnly} onClick={() => dispatch({ type: 'setDraft', draft: toDraft(defaultPreferences()) })}>
            Create with AWS’s defaults
          </button>
        </div>
      )}

      {draft && (
        <form
          className="prefs-form"
          aria-label="Session Manager preferences"
          onSubmit={(e) => {
            e.preventDefault();
            if (valid && !readOnly && (dirty || !state.exists)) dispatch({ type: 'review', mode: 'save' });
          }}
        >
          <fieldset disabled={readOnly || saving}>
            <legend>Timeouts</legend>
            <TextField id="idleSessionTimeout" label={labelOf('idleSessionTimeout')} value={draft.idleSessionTimeout} error={errors.idleSessionTimeout} inputMode="numeric" onChange={(v) => set('idleSessionTimeout', v)} />
            <TextField
              id="maxSessionDuration"
              label={labelOf('maxSessionDuration')}
              value={draft.maxSessionDuration}
              error={errors.maxSessionDuration}
              inputMode="numeric"
              placeholder="no limit"
              onChange={(v) => set('maxSessionDuration', v)}
            />
          </fieldset>
          <fieldset disabled={readOnly || saving}>
            <legend>Encryption</legend>
            <CheckField id="kmsEncryption" label="Encrypt session data with a KMS key" checked={draft.kmsEncryption} onChange={(v) => set('kmsEncryption', v)} />
            {draft.kmsEncryption && (
              <KmsKeyField keys={keys} keysError={keysError} value={draft.kmsKeyId} error={errors.kmsKeyId} onChange={(v) => set('kmsKeyId', v)} />
            )}
          </fieldset>
          <fieldset disabled={readOnly || saving}>
            <legend>Run As</legend>
            <CheckField id="runAsEnabled" label="Run sessions as an operating system user (Linux and macOS)" checked={draft.runAsEnabled} onChange={(v) => set('runAsEnabled', v)} />
            {draft.runAsEnabled && (
              <TextField id="runAsDefaultUser" label={labelOf('runAsDefaultUser')} value={draft.runAsDefaultUser} error={errors.runAsDefaultUser} onChange={(v) => set('runAsDefaultUser', v)} />
            )}
          </fieldset>
          <fieldset disabled={readOnly || saving}>
            <legend>S3 logging</legend>
            <TextField id="s3BucketName" label={labelOf('s3BucketName')} value={draft.s3BucketName} error={errors.s3BucketName} placeholder="off" onChange={(v) => set('s3BucketName', v.trim())} />
            <TextField id="s3KeyPrefix" label={labelOf('s3KeyPrefix')} value={draft.s3KeyPrefix} error={errors.s3KeyPrefix} onChange={(v) => set('s3KeyPrefix', v)} />
            <CheckField id="s3EncryptionEnabled" label="Only log to encrypted S3 buckets" checked={draft.s3EncryptionEnabled} onChange={(v) => set('s3EncryptionEnabled', v)} />
          </fieldset>
          <fieldset disabled={readOnly || saving}>
            <legend>CloudWatch logging</legend>
            <TextField
              id="cloudWatchLogGroupName"
              label={labelOf('cloudWatchLogGroupName')}
              value={draft.cloudWatchLogGroupName}
              error={errors.cloudWatchLogGroupName}
              placeholder="off"
              onChange={(v) => set('cloudWatchLogGroupName', v.trim())}
            />
            <CheckField id="cloudWatchEncryptionEnabled" label="Only log to encrypted log groups" checked={draft.cloudWatchEncryptionEnabled} onChange={(v) => set('cloudWatchEncryptionEnabled', v)} />
            <CheckField id="cloudWatchStreamingEnabled" label="Stream session logs (instead of uploading when the session ends)" checked={draft.cloudWatchStreamingEnabled} onChange={(v) => set('cloudWatchStreamingEnabled', v)} />
          </fieldset>
          <fieldset disabled={readOnly || saving}>
            <legend>Shell profiles</legend>
            <AreaField id="shellProfileLinux" label={labelOf('shellProfileLinux')} value={draft.shellProfileLinux} error={errors.shellProfileLinux} onChange={(v) => set('shellProfileLinux', v)} />
            <AreaField id="shellProfileWindows" label={labelOf('shellProfileWindows')} value={draft.shellProfileWindows} error={errors.shellProfileWindows} onChange={(v) => set('shellProfileWindows', v)} />
          </fieldset>
          {saveError && (
            <div className="inline-error" role="alert">
              {saveError}
            </div>
          )}
          <div className="prefs-actions">
            {!valid && <span className="field-error">Fix the fields marked above to save.</span>}
            <button type="button" disabled={readOnly || saving || (!dirty && state.exists)} onClick={() => dispatch({ type: 'setDraft', draft: state.exists ? toDraft(state.preferences) : null })}>
              Discard changes
            </button>
            <button type="submit" className="primary" disabled={readOnly || saving || !valid || (!dirty && state.exists)}>
              {state.exists ? 'Review and save…' : 'Review and create…'}
            </button>
          </div>
        </form>
      )}

      {reviewing === 'save' && (
        <ReviewDialog title={state.exists ? `Save preferences of ${region}` : `Create preferences of ${region}`} before={state.content ?? ''} after={after} busy={saving} confirm={state.exists ? 'Save' : 'Create document'} onCancel={() => dispatch({ type: 'review', mode: null })} onConfirm={() => void save(false)}>
          {state.exists
            ? `This adds version ${Number(state.version) + 1} of ${state.documentName} and makes it the default. New sessions in ${region} use it; running sessions keep their settings.`
            : `This creates ${state.documentName} in ${region}. New sessions in ${region} use it.`}
        </ReviewDialog>
      )}
      {reviewing === 'overwrite' && conflict && (
        <ReviewDialog title={`Overwrite the preferences of ${region}`} before={conflict.content ?? ''} after={after} busy={saving} confirm="Overwrite" danger onCancel={() => dispatch({ type: 'review', mode: null })} onConfirm={() => void save(true)}>
          {`This replaces version ${conflict.version ?? '—'}, which someone else saved, with your edits: their change is lost. The lines below compare their version with yours.`}
        </ReviewDialog>
      )}
    </div>
  );
}

function labelOf(key: PreferenceKey): string {
  return PREFERENCE_FIELDS.find((f) => f.key === key)?.label ?? key;
}

function ReviewDialog({
  title,
  before,
  after,
  busy,
  confirm,
  danger = false,
  children,
  onCancel,
  onConfirm,
}: {
  title: string;
  before: string;
  after: string;
  busy: boolean;
  confirm: string;
  danger?: boolean;
  children: string;
  onCancel(): void;
  onConfirm(): void;
}) {
  if (danger) {
    return (
      <ConfirmDialog title={title} confirmLabel={confirm} busy={busy} onCancel={onCancel} onConfirm={onConfirm}>
        <p>{children}</p>
        <DiffView before={before} after={after} label="Changes to the preferences document" />
      </ConfirmDialog>
    );
  }
  return (
    <Modal title={title} size="wide" onClose={onCancel}>
        <p>{children}</p>
        <DiffView before={before} after={after} label="Changes to the preferences document" />
        <ModalActions>
          <button type="button" onClick={onCancel}>
            Back to editing
          </button>
          <button type="button" className="primary" autoFocus disabled={busy} onClick={onConfirm}>
            {busy ? 'Saving…' : confirm}
          </button>
        </ModalActions>
    </Modal>
  );
}

/** A labelled control with its validation message (shared by the text fields). */
function Field(props: { id: string; label: string; error?: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={`pref-${props.id}`}>{props.label}</label>
      {props.children}
      {props.error && (
        <div className="field-error" id={`${props.id}-error`}>
          {props.error}
        </div>
      )}
    </div>
  );
}

const invalidProps = (id: string, error: string | undefined) => ({
  'aria-invalid': error ? true : undefined,
  'aria-describedby': error ? `${id}-error` : undefined,
});

function TextField(props: { id: string; label: string; value: string; error?: string; placeholder?: string; inputMode?: 'numeric'; onChange(v: string): void }) {
  return (
    <Field id={props.id} label={props.label} error={props.error}>
      <input
        id={`pref-${props.id}`}
        value={props.value}
        placeholder={props.placeholder}
        inputMode={props.inputMode}
        {...invalidProps(props.id, props.error)}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </Field>
  );
}

function AreaField(props: { id: string; label: string; value: string; error?: string; onChange(v: string): void }) {
  return (
    <Field id={props.id} label={props.label} error={props.error}>
      <textarea
        id={`pref-${props.id}`}
        className="mono"
        rows={2}
        value={props.value}
        {...invalidProps(props.id, props.error)}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </Field>
  );
}

function CheckField(props: { id: string; label: string; checked: boolean; onChange(v: boolean): void }) {
  return (
    <div className="field field-check">
      <input id={`pref-${props.id}`} type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.target.checked)} />
      <label htmlFor={`pref-${props.id}`}>{props.label}</label>
    </div>
  );
}

function KmsKeyField({ keys, keysError, value, error, onChange }: { keys: KmsKeyChoice[] | null; keysError: string | null; value: string; error?: string; onChange(v: string): void }) {
  const options = (keys ?? []).flatMap((k) => [
    ...k.aliases.map((alias) => ({ value: alias, label: `${alias}${k.enabled === false ? ' (disabled)' : ''}` })),
    { value: k.arn, label: `${k.keyId}${k.description ? ` — ${k.description}` : ''}${k.enabled === false ? ' (disabled)' : ''}` },
  ]);
  const known = options.some((o) => o.value === value);
  const [other, setOther] = useState(!known && value !== '');
  return (
    <div className="field">
      <label htmlFor="pref-kmsKeyId">KMS key</label>
      {!other && keys && keys.length > 0 ? (
        <select
          id="pref-kmsKeyId"
          value={known ? value : ''}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'kmsKeyId-error' : undefined}
          onChange={(e) => {
            if (e.target.value === '__other') {
              setOther(true);
              onChange('');
            } else onChange(e.target.value);
          }}
        >
          <option value="">Choose a key…</option>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
          <option value="__other">Another key (type its ARN or alias)…</option>
        </select>
      ) : (
        <input
          id="pref-kmsKeyId"
          className="mono"
          value={value}
          placeholder="arn:aws:kms:…:key/… or alias/…"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'kmsKeyId-error' : undefined}
          onChange={(e) => onChange(e.target.value.trim())}
        />
      )}
      {keysError && <div className="dim small">{keysError}</div>}
      {error && (
        <div className="field-error" id="kmsKeyId-error">
          {error}
        </div>
      )}
    </div>
  );
}
