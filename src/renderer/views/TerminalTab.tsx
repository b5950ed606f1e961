// A terminal tab: one or more session panes side by side (resizable, the sizes remembered
// per number of panes), a small toolbar to split the tab (a new session on the same node)
// and to broadcast typed input to chosen panes.
import { Fragment } from 'react';
import { Panel, PanelGroup, PanelResizeHandle } from 'react-resizable-panels';
import { api } from '../api';
import { useAppStore, type Tab } from '../stores/app-store';
import { TerminalView } from './TerminalView';
import { splitTab, toggleBroadcast } from '../actions';
import { nodeName } from '../names';
import { Tip } from '../ui/Tooltip';

type TerminalTabModel = Extract<Tab, { kind: 'terminal' }>;

function PaneHeader({ tab, sessionId, index }: { tab: TerminalTabModel; sessionId: string; index: number }) {
  const session = useAppStore((s) => s.sessions[sessionId]);
  const name = useAppStore((s) => (session ? nodeName(s, session.profile, session.region, session.target) : sessionId));
  const receiving = tab.broadcast?.includes(sessionId) ?? false;
  return (
    <div className="pane-header">
      <Tip content={session ? `${session.target} · ${session.profile} · ${session.region}` : null}>
        <span className="pane-title" tabIndex={-1}>
          <span className={`dot state-${session?.state ?? 'connecting'}`} aria-hidden="true">
            ●
          </span>{' '}
          {name} <span className="dim">#{index + 1}</span>
        </span>
      </Tip>
      {tab.broadcast !== null && (
        <label>
          <input
            type="checkbox"
            checked={receiving}
            onChange={(e) => useAppStore.getState().setBroadcast(tab.id, e.target.checked ? [...(tab.broadcast ?? []), sessionId] : (tab.broadcast ?? []).filter((p) => p !== sessionId))}
          />{' '}
          receive broadcast
        </label>
      )}
      <button
        type="button"
        className="icon-button"
        aria-label={`Close pane ${index + 1} (${name})`}
        onClick={() => {
          if (session && session.state !== 'ended') void api.call('sessions.terminate', { sessionId }).catch(() => undefined);
          useAppStore.getState().closePane(tab.id, sessionId);
        }}
      >
        ×
      </button>
    </div>
  );
}

export function TerminalTab({ tab }: { tab: TerminalTabModel }) {
  const first = useAppStore((s) => s.sessions[tab.panes[0]]);
  const broadcasting = tab.broadcast !== null;
  const several = tab.panes.length > 1;

  return (
    <div className="terminal-tab">
      <div className="terminal-toolbar" role="toolbar" aria-label={`${tab.title} tools`}>
        <button type="button" onClick={() => void splitTab(tab)} disabled={!first} title="Open another session on the same node beside this one">
          Split
        </button>
        {several && (
          <button type="button" aria-pressed={broadcasting} className={broadcasting ? 'broadcast-on' : ''} onClick={() => void toggleBroadcast(tab)}>
            {broadcasting ? `Broadcasting to ${tab.broadcast!.length} panes — stop` : 'Broadcast input…'}
          </button>
        )}
      </div>
      {broadcasting && (
        <div className="broadcast-banner" role="status">
          Broadcast is ON: keystrokes go to every checked pane.
        </div>
      )}
      <PanelGroup direction="horizontal" className="panes" autoSaveId={`hatch.panes.${tab.panes.length}`}>
        {tab.panes.map((sessionId, index) => {
          const receiving = tab.broadcast?.includes(sessionId) ?? false;
          return (
            <Fragment key={sessionId}>
              {index > 0 && <PanelResizeHandle className="resize-handle" />}
              <Panel id={sessionId} order={index} minSize={15} className={`pane${receiving ? ' receiving' : ''}`}>
                {several && <PaneHeader tab={tab} sessionId={sessionId} index={index} />}
                <TerminalView sessionId={sessionId} broadcastTo={receiving ? tab.broadcast! : null} />
              </Panel>
            </Fragment>
          );
        })}
      </PanelGroup>
    </div>
  );
}
