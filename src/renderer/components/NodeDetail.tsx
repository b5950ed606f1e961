// The selected node at a glance: identity, agent, tags, and what to do with it.
import type { ManagedNode } from '../../shared/domain/inventory';
import { STATUS } from '../node-status';
import { actionLabel, nodeActions, whyNoSession } from '../node-actions';
import { Tip } from '../ui/Tooltip';

/** Actions the node list's footer already offers as buttons. */
const IN_FOOTER = new Set(['forward', 'preflight']);

export function NodeDetail({ node, profile, region }: { node: ManagedNode; profile: string; region: string }) {
  const status = STATUS[node.pingStatus];
  const rows: Array<[string, string]> = [
    ['ID', node.id],
    ['IP address', node.ipAddress ?? '—'],
    ['Platform', [node.platformName, node.platformType].filter(Boolean).join(' · ') || '—'],
    ['Agent', node.agentVersion ?? '—'],
    ['Type', node.resourceType ?? '—'],
    ['Region', node.region],
    ['Last ping', node.lastPingAt ? new Date(node.lastPingAt).toLocaleString() : '—'],
  ];
  return (
    <aside className="node-detail" aria-label={`Details of ${node.name}`}>
      <h2>{node.name}</h2>
      <p>
        <span className={`dot ${status.className}`}>●</span> {status.label}
      </p>
      <dl>
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd className={label === 'ID' || label === 'IP address' ? 'mono' : undefined}>{value}</dd>
          </div>
        ))}
      </dl>
      <h3>Tags</h3>
      {Object.keys(node.tags).length === 0 ? (
        <p className="dim">No tags.</p>
      ) : (
        <dl>
          {Object.entries(node.tags).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      )}
      {whyNoSession(node) && <p className="dim small">{whyNoSession(node)}</p>}
      <div className="node-detail-actions">
        {nodeActions()
          .filter((action) => !IN_FOOTER.has(action.id))
          .map((action, i) => {
          const context = { node, profile, region };
          const why = action.unavailable?.(context) ?? null;
          return (
            <Tip key={action.id} content={why}>
              <span className="button-wrap">
                <button type="button" className={i === 0 ? 'primary' : undefined} disabled={why !== null} onClick={() => action.run(context)}>
                  {actionLabel(action, context)}
                </button>
              </span>
            </Tip>
          );
        })}
      </div>
    </aside>
  );
}
