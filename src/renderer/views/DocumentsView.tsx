// The Session document catalogue of the selected profile and region: AWS-owned and the
// account's own, with their parameters; create and edit own documents in a JSON editor
// with validation; start a session from any of them.
import { useEffect, useMemo, useState } from 'react';
import { documentTemplate, EDITABLE_SESSION_TYPES, sessionDocumentProblem, type DocumentDetail, type DocumentSummary } from '../../shared/domain/documents';
import { DocumentName } from '../../shared/domain/documents';
import { api } from '../api';
import { useAppStore } from '../stores/app-store';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { StartDocumentDialog } from '../components/StartDocumentDialog';
import { errorText } from '../components/view-helpers';

type EditorState = { mode: 'new'; name: string; type: (typeof EDITABLE_SESSION_TYPES)[number]; text: string } | { mode: 'edit'; doc: DocumentDetail; text: string };

export function DocumentsView() {
  const profile = useAppStore((s) => s.selectedProfile);
  const region = useAppStore((s) => s.selectedRegion);
  if (!profile || !region) {
    return (
      <div className="empty-state">
        <h1>Documents</h1>
        <p className="hint">Choose a profile and region in the sidebar.</p>
      </div>
    );
  }
  return <DocumentsPanel key={`${profile}/${region}`} profile={profile} region={region} />;
}

function DocumentsPanel({ profile, region }: { profile: string; region: string }) {
  const [listing, setListing] = useState<{ generation: number; documents: DocumentSummary[]; error: string | null } | null>(null);
  const [generation, setGeneration] = useState(0);
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [detail, setDetail] = useState<{ name: string; doc: DocumentDetail | null; error: string | null } | null>(null);
  const [editor, setEditor] = useState<EditorState | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [starting, setStarting] = useState<DocumentDetail | null>(null);
  const [deleting, setDeleting] = useState<DocumentDetail | null>(null);

  useEffect(() => {
    let live = true;
    api.call('documents.list', { profile, region }).then(
      ({ documents }) => live && setListing({ generation, documents, error: null }),
      (e: unknown) => live && setListing({ generation, documents: [], error: errorText(e) }),
    );
    return () => {
      live = false;
    };
  }, [profile, region, generation]);

  useEffect(() => {
    if (!selected) return;
    let live = true;
    api.call('documents.get', { profile, region, name: selected }).then(
      (doc) => live && setDetail({ name: selected, doc, error: null }),
      (e: unknown) => live && setDetail({ name: selected, doc: null, error: errorText(e) }),
    );
    return () => {
      live = false;
    };
  }, [profile, region, selected, generation]);

  const documents = useMemo(() => (listing?.documents ?? []).filter((d) => d.name.toLowerCase().includes(filter.toLowerCase())), [listing, filter]);
  const doc = detail?.name === selected ? detail?.doc : null;
  const problem = editor ? sessionDocumentProblem(editor.text) : null;
  const nameProblem = editor?.mode === 'new' ? (DocumentName.safeParse(editor.name).error?.issues[0]?.message ?? null) : null;

  const save = async () => {
    if (!editor) return;
    setSaving(true);
    setSaveError(null);
    try {
      const name = editor.mode === 'new' ? editor.name : editor.doc.name;
      const saved = await api.call('documents.save', { profile, region, name, content: editor.text, baseVersion: editor.mode === 'new' ? null : editor.doc.latestVersion });
      setEditor(null);
      setSelected(saved.name);
      setDetail({ name: saved.name, doc: saved, error: null });
      setGeneration((g) => g + 1);
    } catch (e) {
      setSaveError(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const remove = async (d: DocumentDetail) => {
    try {
      await api.call('documents.delete', { profile, region, name: d.name });
      setDeleting(null);
      setSelected(null);
      setGeneration((g) => g + 1);
    } catch (e) {
      setDeleting(null);
      setSaveError(errorText(e));
    }
  };

  return (
    <div className="docs-view">
      <div className="docs-toolbar">
        <h1 className="docs-title">Session documents</h1>
        <span className="dim">
          {profile} · {region}
        </span>
        <span className="titlebar-spacer" />
        <button type="button" onClick={() => setGeneration((g) => g + 1)}>
          Refresh
        </button>
        <button
          type="button"
          onClick={() => {
            setSaveError(null);
            setEditor({ mode: 'new', name: '', type: 'InteractiveCommands', text: documentTemplate('InteractiveCommands') });
          }}
        >
          New document…
        </button>
      </div>
      <div className="docs-split">
        <div className="docs-list">
          <div className="docs-pad">
            <input type="search" aria-label="Filter documents" placeholder="Filter documents" value={filter} onChange={(e) => setFilter(e.target.value)} style={{ width: '100%' }} />
          </div>
          {listing?.error && (
            <div className="inline-error" role="alert">
              {listing.error}
            </div>
          )}
          {!listing && <p className="docs-pad dim">Loading documents…</p>}
          <table className="data-table" aria-label="Session documents">
            <tbody>
              {documents.map((d) => (
                <tr
                  key={d.name}
                  tabIndex={0}
                  aria-selected={d.name === selected}
                  className={d.name === selected ? 'selected' : undefined}
                  onClick={() => {
                    setEditor(null);
                    setSelected(d.name);
                  }}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      setEditor(null);
                      setSelected(d.name);
                    }
                  }}
                >
                  <td>
                    {d.name}
                    <div className="dim small">{d.own ? `Own · version ${d.documentVersion ?? '—'}` : d.owner === 'Amazon' ? 'AWS' : `Shared by ${d.owner}`}</div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="docs-detail">
          {saveError && !editor && (
            <div className="inline-error" role="alert">
              {saveError}
            </div>
          )}
          {editor ? (
            <form
              aria-label={editor.mode === 'new' ? 'New session document' : `Edit ${editor.doc.name}`}
              onSubmit={(e) => {
                e.preventDefault();
                if (!problem && !nameProblem && !saving) void save();
              }}
            >
              <h2 className="docs-title">{editor.mode === 'new' ? 'New session document' : `Edit ${editor.doc.name} (from version ${editor.doc.latestVersion})`}</h2>
              {editor.mode === 'new' && (
                <div className="prefs-form" style={{ gridTemplateColumns: '1fr 1fr' }}>
                  <div className="field">
                    <label htmlFor="doc-name">Name</label>
                    <input id="doc-name" value={editor.name} aria-invalid={editor.name && nameProblem ? true : undefined} onChange={(e) => setEditor({ ...editor, name: e.target.value.trim() })} />
                    {editor.name && nameProblem && <div className="field-error">{nameProblem}</div>}
                  </div>
                  <div className="field">
                    <label htmlFor="doc-type">Session type (replaces the text with a template)</label>
                    <select
                      id="doc-type"
                      value={editor.type}
                      onChange={(e) => {
                        const type = e.target.value as (typeof EDITABLE_SESSION_TYPES)[number];
                        setEditor({ ...editor, type, text: documentTemplate(type) });
                      }}
                    >
                      {EDITABLE_SESSION_TYPES.map((t) => (
                        <option key={t} value={t}>
                          {t}
                        </option>
                      ))}
                    </select>
                  </div>
                </div>
              )}
              <div className="field">
                <label htmlFor="doc-content">Content (JSON)</label>
                <textarea
                  id="doc-content"
                  className="docs-editor"
                  spellCheck={false}
                  value={editor.text}
                  aria-invalid={problem ? true : undefined}
                  aria-describedby="doc-content-status"
                  onChange={(e) => setEditor({ ...editor, text: e.target.value })}
                />
                <div id="doc-content-status" className={problem ? 'field-error' : 'ok-text small'} role="status">
                  {problem ?? 'Valid Session document.'}
                </div>
              </div>
              {saveError && (
                <div className="inline-error" role="alert">
                  {saveError}
                </div>
              )}
              <div className="prefs-actions">
                <button type="button" onClick={() => setEditor(null)}>
                  Cancel
                </button>
                <button type="submit" className="primary" disabled={!!problem || !!nameProblem || saving}>
                  {saving ? 'Saving…' : editor.mode === 'new' ? 'Create document' : 'Save as new version'}
                </button>
              </div>
            </form>
          ) : !selected ? (
            <p className="dim">Select a document to see its parameters, or create your own.</p>
          ) : detail?.name === selected && detail.error ? (
            <div className="inline-error" role="alert">
              {detail.error}
            </div>
          ) : !doc ? (
            <p className="dim" role="status">
              Loading {selected}…
            </p>
          ) : (
            <section aria-label={`Document ${doc.name}`}>
              <h2 className="docs-title">{doc.name}</h2>
              <p className="dim">
                {doc.sessionType ?? 'Unknown type'} · {doc.own ? 'own document' : doc.owner === 'Amazon' ? 'AWS-owned' : `shared by ${doc.owner}`} · default version {doc.defaultVersion ?? '—'}
                {doc.latestVersion && doc.latestVersion !== doc.defaultVersion ? ` · latest ${doc.latestVersion}` : ''}
              </p>
              {doc.description && <p>{doc.description}</p>}
              <div className="banner-actions">
                <button type="button" className="primary" onClick={() => setStarting(doc)}>
                  Start session…
                </button>
                {doc.own && doc.sessionType !== 'Standard_Stream' && (
                  <button
                    type="button"
                    onClick={() => {
                      setSaveError(null);
                      setEditor({ mode: 'edit', doc, text: prettify(doc.content) });
                    }}
                  >
                    Edit
                  </button>
                )}
                {doc.own && doc.sessionType !== 'Standard_Stream' && (
                  <button type="button" className="danger-outline" onClick={() => setDeleting(doc)}>
                    Delete…
                  </button>
                )}
              </div>
              <h3>Parameters</h3>
              {doc.parameters.length === 0 ? (
                <p className="dim">None.</p>
              ) : (
                <table className="data-table" aria-label="Parameters">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Type</th>
                      <th scope="col">Default</th>
                      <th scope="col">Allowed</th>
                      <th scope="col">Description</th>
                    </tr>
                  </thead>
                  <tbody>
                    {doc.parameters.map((p) => (
                      <tr key={p.name}>
                        <td className="mono">{p.name}</td>
                        <td>{p.type}</td>
                        <td className="mono">{p.defaults?.join(', ') ?? 'required'}</td>
                        <td className="mono ellipsis" title={p.allowedValues?.join(', ') ?? p.allowedPattern ?? ''}>
                          {p.allowedValues?.join(', ') ?? p.allowedPattern ?? '—'}
                        </td>
                        <td style={{ whiteSpace: 'normal' }}>{p.description ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <h3>Content</h3>
              <pre className="diff-body" aria-label="Document content">
                {prettify(doc.content)}
              </pre>
            </section>
          )}
        </div>
      </div>
      {starting && <StartDocumentDialog profile={profile} region={region} doc={starting} onClose={() => setStarting(null)} />}
      {deleting && (
        <ConfirmDialog title={`Delete ${deleting.name}?`} confirmLabel="Delete document" onCancel={() => setDeleting(null)} onConfirm={() => void remove(deleting)}>
          <p>
            Delete {deleting.name} and all its versions from {region}? Anyone who starts sessions with it gets an error from then on.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function prettify(content: string): string {
  try {
    return JSON.stringify(JSON.parse(content), null, 2);
  } catch {
    return content;
  }
}
