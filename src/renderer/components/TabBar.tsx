import { useAppStore, type Tab } from '../stores/app-store';
import { api } from '../api';
import { endReasonText } from '../views/TerminalView';

function SessionDot({ tab }: { tab: Tab }) {
  const session = useAppStore((s) => (tab.kind === 'terminal' ? s.sessions[tab.id] : undefined));
  if (!session) return null;
  const label =
    session.state === 'ended' ? `ended: ${endReasonText(session.endReason ?? 'failed', session.exitCode)}` : session.state;
  return (
    <span className={`dot state-${session.state}`} aria-label={label} title={label}>
      ●
    </span>
  );
}

export function TabBar() {
  const tabs = useAppStore((s) => s.tabs);
  const activeTabId = useAppStore((s) => s.activeTabId);
  const activate = useAppStore((s) => s.activateTab);
  const closeTab = useAppStore((s) => s.closeTab);
  const close = (tab: Tab) => {
    const { sessions } = useAppStore.getState();
    for (const sessionId of tab.kind === 'terminal' ? tab.panes : []) {
      if (sessions[sessionId] && sessions[sessionId].state !== 'ended') void api.call('sessions.terminate', { sessionId }).catch(() => undefined);
    }
    closeTab(tab.id);
  };
  // Left/Right (Home/End) move between tabs and show them, as in any tab strip.
  const onKeyDown = (event: React.KeyboardEvent) => {
    const index = tabs.findIndex((t) => t.id === activeTabId);
    const next = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined || !(event.target instanceof HTMLElement) || !event.target.matches('[role="tab"]')) return;
    event.preventDefault();
    const tab = tabs[(next + tabs.length) % tabs.length];
    activate(tab.id);
    document.getElementById(`tab-${tab.id}`)?.focus();
  };
  return (
    <div className="tabbar" role="tablist" aria-label="Open tabs" onKeyDown={onKeyDown}>
      {tabs.map((tab) => (
        <div key={tab.id} className={tab.id === activeTabId ? 'tab active' : 'tab'}>
          <button
            id={`tab-${tab.id}`}
            type="button"
            role="tab"
            aria-selected={tab.id === activeTabId}
            tabIndex={tab.id === activeTabId ? 0 : -1}
            className="tab-label"
            onClick={() => activate(tab.id)}
            onAuxClick={(e) => e.button === 1 && close(tab)}
          >
            <SessionDot tab={tab} />
            {tab.title}
          </button>
          {tab.kind !== 'nodes' && (
            <button type="button" className="tab-close" aria-label={`Close ${tab.title}`} onClick={() => close(tab)}>
              ×
            </button>
          )}
        </div>
      ))}
    </div>
  );
}
