// Session Manager preferences of several profiles and regions side by side; the rows
// that differ are marked.
import { useState } from 'react';
import type { PreferencesColumn } from '../../shared/contract-documents';
import { formatPreference, PREFERENCE_FIELDS } from '../../shared/domain/preferences';
import { api } from '../api';
import { useAppStore } from '../stores/app-store';
import { errorText, regionsOf } from './view-helpers';

export function PreferencesCompare({ profile, region }: { profile: string; region: string }) {
  const profiles = useAppStore((s) => s.profiles);
  const pairs = profiles.flatMap((p) => regionsOf(p).map((r) => `${p.name}\u0000${r}`));
  const [chosen, setChosen] = useState<string[]>(() => {
    const own = pairs.filter((k) => k.startsWith(`${profile}\u0000`));
    const first = `${profile}\u0000${region}`;
    return [...new Set([first, ...own, ...pairs])].slice(0, 2);
  });
  const [result, setResult] = useState<{ columns: PreferencesColumn[]; differing: string[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const toggle = (k: string) => setChosen((c) => (c.includes(k) ? c.filter((x) => x !== k) : [...c, k].slice(-8)));
  const compare = async () => {
    setBusy(true);
    setError(null);
    try {
      const targets = chosen.map((k) => {
        const [p, r] = k.split('\u0000');
        return { profile: p, region: r };
      });
      setResult(await api.call('preferences.compare', { targets }));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="prefs">
      <fieldset className="compare-choices">
        <legend>Profiles and regions to compare (2 to 8)</legend>
        {pairs.map((k) => {
          const [p, r] = k.split('\u0000');
          const id = `cmp-${p}-${r}`.replace(/[^A-Za-z0-9_-]/g, '_');
          return (
            <span key={k} className="field-check">
              <input id={id} type="checkbox" checked={chosen.includes(k)} onChange={() => toggle(k)} />
              <label htmlFor={id}>
                {p} · {r}
              </label>
            </span>
          );
        })}
        <button type="button" className="primary" disabled={busy || chosen.length < 2} onClick={() => void compare()}>
          {busy ? 'Comparing…' : 'Compare'}
        </button>
      </fieldset>
      {error && (
        <div className="inline-error" role="alert">
          {error}
        </div>
      )}
      {result && (
        <>
          <p className="dim" role="status">
            {result.differing.length === 0 ? 'No differences.' : `${result.differing.length} setting${result.differing.length === 1 ? ' differs' : 's differ'}.`}
          </p>
          <table className="data-table compare-table" aria-label="Preferences compared">
            <thead>
              <tr>
                <th scope="col">Setting</th>
                {result.columns.map((c) => (
                  <th scope="col" key={`${c.profile}/${c.region}`}>
                    {c.profile} · {c.region}
                    <div className="dim small">{c.error ? 'error' : c.exists ? `version ${c.version}` : 'AWS defaults (no document)'}</div>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {PREFERENCE_FIELDS.map((f) => {
                const differs = result.differing.includes(f.key);
                return (
                  <tr key={f.key} className={differs ? 'differs' : undefined} aria-label={differs ? `${f.label} (differs)` : f.label}>
                    <th scope="row">
                      {differs && (
                        <span className="differs-mark" aria-hidden="true">
                          ≠{' '}
                        </span>
                      )}
                      {f.label}
                    </th>
                    {result.columns.map((c) => (
                      <td key={`${c.profile}/${c.region}`} className="mono">
                        {c.preferences ? formatPreference(f.key, c.preferences) : <span className="field-error">{c.error}</span>}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
