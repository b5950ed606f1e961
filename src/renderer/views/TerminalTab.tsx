// A terminal tab: one or more session panes side by side, a small toolbar to split the
// tab (a new session on the same node) and to broadcast typed input to chosen panes.
import { api } from '../api';
import { useAppStore, type Tab } from '../stores/app-store';
import { TerminalView } from './TerminalView';
import { HatchError } from '../../shared/contract';

type TerminalTabModel = Extract<Tab, { kind: 'terminal' }>;

export function TerminalTab({ tab }: { tab: TerminalTabModel }) {
  const sessions = useAppStore((s) => s.sessions);
  const first = sessions[tab.panes[0]];
  const broadcasting = tab.broadcast !== null;

  const split = async () => {
    if (!first) return;
    const store = useAppStore.getState();
    try {
      const session = await api.call('sessions.start', {
        profile: first.profile,
        region: first.region,
        target: first.target,
        ...(first.documentName ? { documentName: first.documentName } : {}),
        engine: first.engine,
        cols: 80,
        rows: 24,
      });
      store.addPane(tab.id, session);
    } catch (error) {
      store.pushNotice({ level: 'error', message: error instanceof Error ? error.message : String(error), action: error instanceof HatchError ? error.action : null });
    }
  };

  const toggleBroadcast = () => {
    const store = useAppStore.getState();
    if (broadcasting) store.setBroadcast(tab.id, null);
    else if (window.confirm(`Broadcast: what you type in one pane will be sent to all ${tab.panes.length} panes of this tab. Turn it on?`)) store.setBroadcast(tab.id, [...tab.panes]);
  };

  return (
    <div className="terminal-tab">
      <div className="terminal-toolbar" role="toolbar" aria-label={`${tab.title} tools`}>
        <button type="button" onClick={() => void split()} disabled={!first} title="Open another session on the same node beside this one">
          Split
        </button>
        {tab.panes.length > 1 && (
          <button type="button" aria-pressed={broadcasting} className={broadcasting ? 'broadcast-on' : ''} onClick={toggleBroadcast}>
            {broadcasting ? `Broadcasting to ${tab.broadcast!.length} panes — stop` : 'Broadcast input…'}
          </button>
        )}
      </div>
      {broadcasting && (
        <div className="broadcast-banner" role="status">
          Broadcast is ON: keystrokes go to every checked pane.
        </div>
      )}
      <div className="panes">
        {tab.panes.map((sessionId) => {
          const receiving = tab.broadcast?.includes(sessionId) ?? false;
          return (
            <div key={sessionId} className={`pane${receiving ? ' receiving' : ''}`}>
              {tab.panes.length > 1 && (
                <div className="pane-header">
                  <span className="mono small">{sessions[sessionId]?.target}</span>
                  {broadcasting && (
                    <label>
                      <input
                        type="checkbox"
                        checked={receiving}
                        onChange={(e) =>
                          useAppStore.getState().setBroadcast(tab.id, e.target.checked ? [...(tab.broadcast ?? []), sessionId] : (tab.broadcast ?? []).filter((p) => p !== sessionId))
                        }
                      />{' '}
                      receive broadcast
                    </label>
                  )}
                  <button
                    type="button"
                    className="icon-button"
                    aria-label="Close pane"
                    onClick={() => {
                      if (sessions[sessionId]?.state !== 'ended') void api.call('sessions.terminate', { sessionId }).catch(() => undefined);
                      useAppStore.getState().closePane(tab.id, sessionId);
                    }}
                  >
                    ×
                  </button>
                </div>
              )}
              <TerminalView sessionId={sessionId} broadcastTo={receiving ? tab.broadcast! : null} />
            </div>
          );
        })}
      </div>
    </div>
  );
}
