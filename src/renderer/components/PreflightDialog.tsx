// Preflight checklist for a node (and optionally a document): why a session would fail,
// before starting it. `PreflightButton` is the toolbar button for the node view.
import { useCallback, useEffect, useState } from 'react';
import type { PreflightCheck } from '../../shared/domain/preflight';
import { api } from '../api';
import { errorText } from './view-helpers';
import { Modal, ModalActions } from '../ui/Modal';

const GLYPH: Record<PreflightCheck['status'], { glyph: string; label: string }> = {
  ok: { glyph: '✓', label: 'OK' },
  warn: { glyph: '!', label: 'Warning' },
  fail: { glyph: '✕', label: 'Fails' },
};

interface PreflightTarget {
  profile: string;
  region: string;
  node: { id: string; name: string };
  documentName?: string;
}

export function PreflightDialog({ profile, region, node, documentName, onClose }: PreflightTarget & { onClose(): void }) {
  const [result, setResult] = useState<{ run: number; checks: PreflightCheck[]; status: PreflightCheck['status'] } | null>(null);
  const [error, setError] = useState<{ run: number; message: string } | null>(null);
  const [run, setRun] = useState(0);

  useEffect(() => {
    let live = true;
    api.call('preflight.run', { profile, region, target: node.id, ...(documentName ? { documentName } : {}) }).then(
      (out) => live && setResult({ run, ...out }),
      (e: unknown) => live && setError({ run, message: errorText(e) }),
    );
    return () => {
      live = false;
    };
  }, [profile, region, node.id, documentName, run]);

  const again = useCallback(() => setRun((r) => r + 1), []);
  const current = result?.run === run ? result : null;
  const failed = error?.run === run ? error.message : null;
  const summary = current ? (current.status === 'ok' ? 'Nothing stands in the way of a session.' : current.status === 'warn' ? 'A session should work, with the warnings below.' : 'A session would fail: see below.') : null;

  return (
    <Modal
      title={
        <>
          Preflight · {node.name} <span className="dim mono small">{node.id}</span>
        </>
      }
      label={`Preflight for ${node.name}`}
      size="wide"
      onClose={onClose}
    >
        <p className="dim">
          {profile} · {region} · {documentName ?? 'default shell document'}
        </p>
        {!current && !failed && <p role="status">Checking…</p>}
        {failed && (
          <div className="inline-error" role="alert">
            {failed}
          </div>
        )}
        {current && (
          <>
            <p role="status" className={`check-${current.status}`}>
              {summary}
            </p>
            <ul className="checklist" aria-label="Preflight checks">
              {current.checks.map((c) => (
                <li key={c.check} aria-label={`${c.check}: ${GLYPH[c.status].label}`}>
                  <span className={`check-${c.status}`} aria-hidden="true">
                    {GLYPH[c.status].glyph}
                  </span>
                  <span>
                    <strong>{c.check}</strong> — {c.message}
                  </span>
                  {c.action && <span className="check-action">{c.action}</span>}
                </li>
              ))}
            </ul>
          </>
        )}
        <ModalActions>
          <button type="button" onClick={again} disabled={!current && !failed}>
            Run again
          </button>
          <button type="button" className="primary" autoFocus onClick={onClose}>
            Close
          </button>
        </ModalActions>
    </Modal>
  );
}

/** "Preflight" for the node toolbar: opens the checklist for the node under the cursor. */
export function PreflightButton({ profile, region, node }: { profile: string | null; region: string | null; node: { id: string; name: string } | null }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" disabled={!profile || !region || !node} onClick={() => setOpen(true)} title="Check why a session on this node would fail">
        Preflight
      </button>
      {open && profile && region && node && <PreflightDialog profile={profile} region={region} node={node} onClose={() => setOpen(false)} />}
    </>
  );
}
