// The preferences editor's reducer: load, edit, review, and each outcome of a save.
import { describe, expect, it } from 'vitest';
import { editorReducer, fromDraft, initialEditorState, toDraft, type EditorState } from '../../../src/renderer/views/preferences-state';
import { defaultPreferences } from '../../../src/shared/domain/preferences';
import type { PreferencesState } from '../../../src/shared/contract-documents';

const loadedState = (version: string, exists = true): PreferencesState => ({
  profile: 'Sandbox',
  region: 'us-east-1',
  documentName: 'SSM-SessionManagerRunShell',
  exists,
  readable: true,
  version: exists ? version : null,
  hash: exists ? `h${version}` : null,
  content: exists ? '{}' : null,
  preferences: defaultPreferences(),
  denied: null,
}) as PreferencesState;

describe('editorReducer', () => {
  it('loads, edits (clearing the saved note), and reloads', () => {
    let s: EditorState = editorReducer(initialEditorState, { type: 'loaded', key: 'Sandbox/us-east-1', state: loadedState('1') });
    expect(s.draft).toEqual(toDraft(defaultPreferences()));
    s = { ...s, savedNote: 'Saved as version 1.' };
    s = editorReducer(s, { type: 'edit', field: 'idleSessionTimeout', value: '30' });
    expect(s.draft!.idleSessionTimeout).toBe('30');
    expect(s.savedNote).toBeNull();
    expect(fromDraft(s.draft!).idleSessionTimeout).toBe(30);
    const again = editorReducer({ ...s, conflict: loadedState('2'), reviewing: 'overwrite' }, { type: 'reload' });
    expect(again).toMatchObject({ conflict: null, reviewing: null, generation: s.generation + 1 });
  });

  it('a document that does not exist has no draft until the person creates one', () => {
    let s = editorReducer(initialEditorState, { type: 'loaded', key: 'k', state: loadedState('', false) });
    expect(s.draft).toBeNull();
    s = editorReducer(s, { type: 'edit', field: 'idleSessionTimeout', value: '5' });
    expect(s.draft).toBeNull();
    s = editorReducer(s, { type: 'setDraft', draft: toDraft(defaultPreferences()) });
    expect(s.draft).not.toBeNull();
  });

  it('each save outcome: saved, unchanged, conflict, denied, error', () => {
    const base = editorReducer(editorReducer(initialEditorState, { type: 'loaded', key: 'k', state: loadedState('1') }), { type: 'review', mode: 'save' });
    const saving = editorReducer(base, { type: 'saving' });
    expect(saving.saving).toBe(true);
    expect(editorReducer(saving, { type: 'saveOutcome', outcome: { outcome: 'saved', state: loadedState('2'), created: false } })).toMatchObject({ saving: false, reviewing: null, savedNote: 'Saved as version 2.' });
    expect(editorReducer(saving, { type: 'saveOutcome', outcome: { outcome: 'saved', state: loadedState('1'), created: true } }).savedNote).toBe('Saved as version 1 (document created).');
    expect(editorReducer(saving, { type: 'saveOutcome', outcome: { outcome: 'unchanged', state: loadedState('1') } }).savedNote).toMatch(/Nothing to save/);
    const conflict = editorReducer(saving, { type: 'saveOutcome', outcome: { outcome: 'conflict', current: loadedState('3') } });
    expect(conflict).toMatchObject({ saving: false, reviewing: null });
    expect(conflict.conflict?.version).toBe('3');
    expect(conflict.draft).toEqual(base.draft); // the edits are kept
    expect(editorReducer(saving, { type: 'saveOutcome', outcome: { outcome: 'denied', denied: { action: 'ssm:UpdateDocument', message: 'no' } } }).deniedOnSave).toEqual({ action: 'ssm:UpdateDocument', message: 'no' });
    expect(editorReducer(saving, { type: 'saveFailed', error: 'boom' })).toMatchObject({ saving: false, saveError: 'boom', reviewing: 'save' });
  });
});
