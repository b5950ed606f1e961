// Start a session from a Session document: a form built from its parameters (types,
// defaults, allowed values and patterns). Shell-type documents open a terminal tab;
// AWS's port-forwarding documents become a tunnel.
import { useEffect, useMemo, useState } from 'react';
import { parameterValueProblems, parametersForStart, type DocumentDetail } from '../../shared/domain/documents';
import { api } from '../api';
import { useAppStore } from '../stores/app-store';
import { PreflightDialog } from './PreflightDialog';
import { Modal, ModalActions, FormError } from '../ui/Modal';
import { useBusyAction } from '../ui/use-busy-action';

export function StartDocumentDialog({ profile, region, doc, onClose }: { profile: string; region: string; doc: DocumentDetail; onClose(): void }) {
  const key = `${profile}/${region}`;
  const inventory = useAppStore((s) => s.inventories[key]);
  const [target, setTarget] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const { busy, error, run } = useBusyAction();
  const [preflight, setPreflight] = useState(false);

  useEffect(() => {
    if (!inventory) void useAppStore.getState().loadInventory(profile, region);
  }, [inventory, profile, region]);

  const nodes = useMemo(() => (inventory?.nodes ?? []).filter((n) => n.pingStatus === 'Online').sort((a, b) => a.name.localeCompare(b.name)), [inventory]);
  const chosen = nodes.find((n) => n.id === target) ?? null;
  const problems = parameterValueProblems(doc.parameters, values);
  const isPort = doc.sessionType === 'Port';
  const canStart = !isPort || doc.portForward !== null;
  const valid = chosen !== null && Object.keys(problems).length === 0 && canStart;

  const start = async () => {
    if (!chosen) return;
    const store = useAppStore.getState();
    await run(async () => {
      if (isPort) {
        const value = (name: string) => values[name] || doc.parameters.find((p) => p.name === name)?.defaults?.[0] || '';
        const tunnel = await api.call('tunnels.start', {
          profile,
          region,
          target: chosen.id,
          remotePort: Number(value('portNumber')),
          localPort: Number(value('localPortNumber') || 0),
          ...(doc.portForward === 'remote-host' ? { remoteHost: value('host') } : {}),
        });
        store.upsertTunnel(tunnel);
        store.openTunnelsTab();
      } else {
        const session = await api.call('sessions.start', {
          profile,
          region,
          target: chosen.id,
          documentName: doc.name,
          parameters: parametersForStart(doc.parameters, values),
          ...(reason.trim() ? { reason: reason.trim() } : {}),
          cols: 120,
          rows: 32,
        });
        store.openTerminalTab(session, `${chosen.name} · ${doc.name}`);
      }
      onClose();
    });
  };

  return (
    <Modal
      title={`Start ${doc.name}`}
      size="wide"
      onClose={onClose}
      onSubmit={() => {
        if (valid && !busy) void start();
      }}
    >
        {doc.description && <p className="dim">{doc.description}</p>}
        {!canStart && (
          <div className="banner banner-warn">Hatch forwards ports through AWS’s port-forwarding documents only; this Port document cannot be started from here.</div>
        )}
        <label htmlFor="start-target">Node</label>
        <select id="start-target" value={target} onChange={(e) => setTarget(e.target.value)} autoFocus>
          <option value="">{inventory?.loading ? 'Loading nodes…' : nodes.length ? 'Choose an online node…' : 'No online nodes'}</option>
          {nodes.map((n) => (
            <option key={n.id} value={n.id}>
              {n.name} ({n.id})
            </option>
          ))}
        </select>
        {doc.parameters.map((p) => {
          const id = `start-param-${p.name}`;
          const options = p.allowedValues ?? (p.type === 'Boolean' ? ['true', 'false'] : null);
          const hint = [p.type, p.allowedPattern ? `pattern ${p.allowedPattern}` : null, p.defaults ? `default ${p.defaults.join(', ')}` : 'required'].filter(Boolean).join(' · ');
          return (
            <div key={p.name}>
              <label htmlFor={id}>
                {p.name} <span className="dim small">{hint}</span>
              </label>
              {options ? (
                <select id={id} value={values[p.name] ?? ''} onChange={(e) => setValues({ ...values, [p.name]: e.target.value })}>
                  <option value="">{p.defaults ? `Default (${p.defaults.join(', ')})` : 'Choose…'}</option>
                  {options.map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  id={id}
                  value={values[p.name] ?? ''}
                  placeholder={p.defaults?.join(', ') ?? ''}
                  aria-invalid={problems[p.name] && values[p.name] ? true : undefined}
                  aria-describedby={problems[p.name] ? `${id}-error` : undefined}
                  onChange={(e) => setValues({ ...values, [p.name]: e.target.value })}
                />
              )}
              {p.description && <div className="dim small">{p.description}</div>}
              {problems[p.name] && (values[p.name] ?? '') !== '' && (
                <div className="field-error" id={`${id}-error`}>
                  {problems[p.name]}
                </div>
              )}
            </div>
          );
        })}
        {!isPort && (
          <>
            <label htmlFor="start-reason">Reason (optional, recorded by AWS)</label>
            <input id="start-reason" value={reason} maxLength={256} onChange={(e) => setReason(e.target.value)} />
          </>
        )}
        <FormError error={error} />
        <ModalActions>
          <button type="button" disabled={!chosen} onClick={() => setPreflight(true)}>
            Preflight…
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!valid || busy}>
            {busy ? 'Starting…' : isPort ? 'Start forwarding' : 'Start session'}
          </button>
        </ModalActions>
      {preflight && chosen && <PreflightDialog profile={profile} region={region} node={chosen} documentName={doc.name} onClose={() => setPreflight(false)} />}
    </Modal>
  );
}
