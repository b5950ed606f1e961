// The tab strip: titles truncate (never wrap) with the full name on hover, a number when
// two tabs share a name, double-click (or F2) to rename, a context menu from tab-menu.ts.
// More tabs than fit: the strip scrolls (wheel, the ‹ › buttons), the active tab is kept in
// view, and the ▾ menu lists every tab.
import { useEffect, useRef, useState } from 'react';
import { useAppStore, tabLabels, type Tab } from '../stores/app-store';
import { endReasonText } from '../views/TerminalView';
import { closeTabs } from '../actions';
import { ContextMenu, DropdownMenu } from '../ui/Menu';
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

/** Whether the strip can scroll either way; follows resizes, scrolls and tab changes. */
function useStripOverflow(strip: React.RefObject<HTMLDivElement | null>, tabCount: number) {
  const [edges, setEdges] = useState({ left: false, right: false });
  useEffect(() => {
    const el = strip.current;
    if (!el) return;
    const measure = () => {
      const left = el.scrollLeft > 1;
      const right = el.scrollLeft + el.clientWidth < el.scrollWidth - 1;
      setEdges((e) => (e.left === left && e.right === right ? e : { left, right }));
    };
    const observer = new ResizeObserver(measure); // also reports once when it starts
    observer.observe(el);
    el.addEventListener('scroll', measure, { passive: true });
    return () => {
      observer.disconnect();
      el.removeEventListener('scroll', measure);
    };
  }, [strip, tabCount]);
  return edges;
}

export function TabBar() {
  const tabs = useAppStore((s) => s.tabs);
  const activeTabId = useAppStore((s) => s.activeTabId);
  const activate = useAppStore((s) => s.activateTab);
  const labels = tabLabels(tabs);
  const [renaming, setRenaming] = useState<string | null>(null);
  const strip = useRef<HTMLDivElement>(null);
  const edges = useStripOverflow(strip, tabs.length);
  const overflowing = edges.left || edges.right;

  // The active tab is always in view (opened from the palette, Ctrl+PageDown, the ▾ menu…).
  useEffect(() => {
    document.getElementById(`tab-${activeTabId}`)?.parentElement?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [activeTabId, tabs.length]);

  const scrollBy = (direction: -1 | 1) => {
    const el = strip.current;
    if (el) el.scrollBy({ left: direction * Math.max(120, el.clientWidth * 0.6), behavior: 'smooth' });
  };
  // A mouse wheel scrolls the strip sideways (the strip has no scrollbar of its own).
  const onWheel = (event: React.WheelEvent) => {
    const el = strip.current;
    if (!el) return;
    el.scrollLeft += Math.abs(event.deltaX) > Math.abs(event.deltaY) ? event.deltaX : event.deltaY;
  };

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
    <div className="tabbar">
      {overflowing && (
        <button type="button" className="tab-scroll" aria-label="Scroll tabs left" tabIndex={-1} disabled={!edges.left} onClick={() => scrollBy(-1)}>
          ‹
        </button>
      )}
      <div className="tab-strip" role="tablist" aria-label="Open tabs" ref={strip} onKeyDown={onKeyDown} onWheel={onWheel}>
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
      {overflowing && (
        <>
          <button type="button" className="tab-scroll" aria-label="Scroll tabs right" tabIndex={-1} disabled={!edges.right} onClick={() => scrollBy(1)}>
            ›
          </button>
          <DropdownMenu
            label="All tabs"
            trigger={
              <button type="button" className="tab-scroll tab-all" aria-label={`All tabs (${tabs.length})`} title="All tabs">
                ▾
              </button>
            }
            items={tabs.map((tab) => ({
              id: tab.id,
              label: `${tab.id === activeTabId ? '• ' : ''}${labels.get(tab.id) ?? tab.title}`,
              onSelect: () => activate(tab.id),
            }))}
          />
        </>
      )}
    </div>
  );
}
