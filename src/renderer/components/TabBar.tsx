// The tab strip: titles truncate (never wrap) with the full name on hover, a number when
// two tabs share a name, double-click (or F2) to rename, a context menu from tab-menu.ts.
import { useEffect, useState } from 'react';
import { useAppStore, tabLabels, type Tab } from '../stores/app-store';
import { endReasonText } from '../views/TerminalView';
import { closeTabs } from '../actions';
import { ContextMenu } from '../ui/Menu';
import { tabMenuItems } from '../tab-menu';
import { nodeName } from '../names';
import { fileDropProps, sessionNode } from '../transfers/transfers';

function SessionDot({ tab }: { tab: Tab }) {
  const session = useAppStore((s) => (tab.kind === 'terminal' ? s.sessions[tab.id] : undefined));
  if (!session) return null;
  const label = session.state === 'ended' ? `ended: ${endReasonText(session.endReason ?? 'failed', session.exitCode)}${session.message ? ` — ${session.message}` : ''}` : session.state;
  return (
    <span className={`dot state-${session.state}`} aria-label={label}>
      ●
    </span>
  );
}

function RenameField({ tab, onDone }: { tab: Tab; onDone(): void }) {
  const [value, setValue] = useState(tab.title);
  const commit = () => {
    useAppStore.getState().renameTab(tab.id, value);
    onDone();
  };
  return (
    <input
      className="tab-rename"
      aria-label={`Rename ${tab.title}`}
      autoFocus
      value={value}
      maxLength={80}
      onFocus={(e) => e.currentTarget.select()}
      onChange={(e) => setValue(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'Enter') commit();
        else if (e.key === 'Escape') onDone();
      }}
    />
  );
}

export function TabBar() {
  const tabs = useAppStore((s) => s.tabs);
  const activeTabId = useAppStore((s) => s.activeTabId);
  const activate = useAppStore((s) => s.activateTab);
  const labels = tabLabels(tabs);
  const [renaming, setRenaming] = useState<string | null>(null);

  useEffect(() => {
    const onRename = (event: Event) => {
      const id = (event as CustomEvent<string>).detail;
      useAppStore.getState().activateTab(id);
      setRenaming(id);
    };
    window.addEventListener('hatch:rename-tab', onRename);
    return () => window.removeEventListener('hatch:rename-tab', onRename);
  }, []);

  // Left/Right (Home/End) move between tabs and show them, as in any tab strip; F2 renames.
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (!(event.target instanceof HTMLElement) || !event.target.matches('[role="tab"]')) return;
    const index = tabs.findIndex((t) => t.id === activeTabId);
    if (event.key === 'F2' && tabs[index]?.kind === 'terminal') {
      event.preventDefault();
      return setRenaming(tabs[index].id);
    }
    const next = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const tab = tabs[(next + tabs.length) % tabs.length];
    activate(tab.id);
    document.getElementById(`tab-${tab.id}`)?.focus();
  };
  const hover = (tab: Tab) => {
    if (tab.kind !== 'terminal') return labels.get(tab.id);
    const s = useAppStore.getState();
    const session = s.sessions[tab.panes[0]];
    if (!session) return labels.get(tab.id);
    const node = nodeName(s, session.profile, session.region, session.target);
    return `${labels.get(tab.id)}${tab.renamed ? ` (${node})` : ''} — ${session.target} · ${session.profile} · ${session.region} · ${session.state}${tab.panes.length > 1 ? ` · ${tab.panes.length} panes` : ''}`;
  };
  return (
    <div className="tabbar" role="tablist" aria-label="Open tabs" onKeyDown={onKeyDown}>
      {tabs.map((tab) => {
        const label = labels.get(tab.id) ?? tab.title;
        return (
          <ContextMenu
            key={tab.id}
            label={`${label} tab actions`}
            items={() =>
              tabMenuItems(tab).map((item) => ({ id: item.id, label: item.label, disabled: item.disabled?.(tab), danger: item.danger, onSelect: () => item.run(tab) }))
            }
          >
            <div
              className={tab.id === activeTabId ? 'tab active' : 'tab'}
              title={hover(tab)}
              // Files dropped on a terminal's tab go to its node, like a drop on the terminal itself.
              {...(tab.kind === 'terminal' ? fileDropProps(() => sessionNode(tab.panes[0] ?? tab.id)) : {})}
            >
              {renaming === tab.id ? (
                <RenameField tab={tab} onDone={() => setRenaming(null)} />
              ) : (
                <button
                  id={`tab-${tab.id}`}
                  type="button"
                  role="tab"
                  aria-selected={tab.id === activeTabId}
                  aria-controls={`panel-${tab.id}`}
                  tabIndex={tab.id === activeTabId ? 0 : -1}
                  className="tab-label"
                  onClick={() => activate(tab.id)}
                  onDoubleClick={() => tab.kind === 'terminal' && setRenaming(tab.id)}
                  onAuxClick={(e) => e.button === 1 && void closeTabs([tab])}
                >
                  <SessionDot tab={tab} />
                  <span className="tab-title">{label}</span>
                </button>
              )}
              {tab.kind !== 'nodes' && (
                <button type="button" className="tab-close" aria-label={`Close ${label}`} onClick={() => void closeTabs([tab])}>
                  ×
                </button>
              )}
            </div>
          </ContextMenu>
        );
      })}
    </div>
  );
}
