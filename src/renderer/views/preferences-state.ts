// The Session Manager preferences editor's state, as one reducer: what was loaded, what is
// being typed, the review dialog, saving and its outcomes (saved, conflict, denied, error).
// Pure, so every transition is unit-tested (test/unit/renderer/preferences-state.test.ts).
import type { KmsKeyChoice, PreferencesSaveOutcome, PreferencesState } from '../../shared/contract-documents';
import type { SessionPreferences } from '../../shared/domain/preferences';

/** The form keeps what was typed; numbers become numbers only to validate and save. */
export type Draft = Omit<SessionPreferences, 'idleSessionTimeout' | 'maxSessionDuration'> & { idleSessionTimeout: string; maxSessionDuration: string };

export function toDraft(p: SessionPreferences): Draft {
  return { ...p, idleSessionTimeout: String(p.idleSessionTimeout), maxSessionDuration: p.maxSessionDuration === null ? '' : String(p.maxSessionDuration) };
}

export function fromDraft(d: Draft): SessionPreferences {
  const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s.trim()));
  return { ...d, idleSessionTimeout: num(d.idleSessionTimeout), maxSessionDuration: d.maxSessionDuration.trim() === '' ? null : num(d.maxSessionDuration) };
}

export interface EditorState {
  /** Which load the state belongs to (profile/region and a counter for reloads). */
  loadKey: string | null;
  state: PreferencesState | null;
  loadError: string | null;
  draft: Draft | null;
  keys: KmsKeyChoice[] | null;
  keysError: string | null;
  reviewing: 'save' | 'overwrite' | null;
  /** What AWS holds now, when it changed since the load. */
  conflict: PreferencesState | null;
  saving: boolean;
  saveError: string | null;
  savedNote: string | null;
  deniedOnSave: PreferencesState['denied'];
  /** Bumped by reload: the view loads again. */
  generation: number;
}

type EditorAction =
  | { type: 'loaded'; key: string; state: PreferencesState }
  | { type: 'loadFailed'; key: string; error: string }
  | { type: 'keys'; keys: KmsKeyChoice[] }
  | { type: 'keysFailed'; error: string }
  | { type: 'reload' }
  | { type: 'edit'; field: keyof Draft; value: Draft[keyof Draft] }
  | { type: 'setDraft'; draft: Draft | null }
  | { type: 'review'; mode: 'save' | 'overwrite' | null }
  | { type: 'saving' }
  | { type: 'saveOutcome'; outcome: PreferencesSaveOutcome }
  | { type: 'saveFailed'; error: string };

export const initialEditorState: EditorState = {
  loadKey: null,
  state: null,
  loadError: null,
  draft: null,
  keys: null,
  keysError: null,
  reviewing: null,
  conflict: null,
  saving: false,
  saveError: null,
  savedNote: null,
  deniedOnSave: null,
  generation: 0,
};

export function editorReducer(s: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case 'loaded':
      return { ...s, loadKey: action.key, state: action.state, loadError: null, draft: action.state.exists ? toDraft(action.state.preferences) : null };
    case 'loadFailed':
      return { ...s, loadKey: action.key, state: null, loadError: action.error };
    case 'keys':
      return { ...s, keys: action.keys, keysError: null };
    case 'keysFailed':
      return { ...s, keysError: action.error };
    case 'reload':
      return { ...s, conflict: null, saveError: null, savedNote: null, deniedOnSave: null, reviewing: null, generation: s.generation + 1 };
    case 'edit':
      return s.draft ? { ...s, savedNote: null, draft: { ...s.draft, [action.field]: action.value } } : s;
    case 'setDraft':
      return { ...s, draft: action.draft };
    case 'review':
      return { ...s, reviewing: action.mode };
    case 'saving':
      return { ...s, saving: true, saveError: null };
    case 'saveFailed':
      return { ...s, saving: false, saveError: action.error };
    case 'saveOutcome': {
      const out = action.outcome;
      const done = { ...s, saving: false, reviewing: null };
      if (out.outcome === 'saved' || out.outcome === 'unchanged') {
        return {
          ...done,
          conflict: null,
          state: out.state,
          loadError: null,
          draft: toDraft(out.state.preferences),
          savedNote: out.outcome === 'unchanged' ? 'Nothing to save: AWS already has these preferences.' : `Saved as version ${out.state.version}${out.outcome === 'saved' && out.created ? ' (document created)' : ''}.`,
        };
      }
      if (out.outcome === 'conflict') return { ...done, conflict: out.current };
      return { ...done, deniedOnSave: out.denied };
    }
  }
}

/** The loaded document's JSON, for keeping what the form does not edit; undefined when unreadable. */
export function parseContent(content: string | null): unknown {
  try {
    return content ? JSON.parse(content) : undefined;
  } catch {
    return undefined;
  }
}
