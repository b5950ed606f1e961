// A window's tabs survive a reload: their order, titles, panes (split layout) and the
// active tab are kept in the window's sessionStorage, which a reload keeps and a new window
// starts without. Sessions live in main, so after a reload the window asks main what is
// running and reopens what it had; each terminal then replays main's recent output.
import type { SessionInfo } from '../shared/contract';

/** The shape a tab must have to be restored (the store's Tab; extra fields ride along). */
export interface LayoutTab {
  kind: string;
  id: string;
  title: string;
  panes?: string[];
  broadcast?: string[] | null;
}

export interface Layout<T extends LayoutTab = LayoutTab> {
  tabs: T[];
  activeTabId: string;
}

export const LAYOUT_KEY = 'hatch.layout.v1';

export function saveLayout(storage: Pick<Storage, 'setItem'> | undefined, layout: Layout): void {
  try {
    storage?.setItem(LAYOUT_KEY, JSON.stringify(layout));
  } catch {
    // storage full or disabled: the layout is simply not kept
  }
}

/** The saved layout, or null when there is none or it cannot be read (never fatal). */
export function loadLayout(storage: Pick<Storage, 'getItem'> | undefined): Layout | null {
  try {
    const raw = JSON.parse(storage?.getItem(LAYOUT_KEY) ?? 'null') as { tabs?: unknown; activeTabId?: unknown } | null;
    if (!raw || !Array.isArray(raw.tabs)) return null;
    const tabs = raw.tabs.filter(isLayoutTab);
    return { tabs, activeTabId: typeof raw.activeTabId === 'string' ? raw.activeTabId : 'nodes' };
  } catch {
    return null;
  }
}

function isLayoutTab(value: unknown): value is LayoutTab {
  if (typeof value !== 'object' || value === null) return false;
  const tab = value as Record<string, unknown>;
  if (typeof tab.kind !== 'string' || typeof tab.id !== 'string' || typeof tab.title !== 'string') return false;
  if (tab.kind !== 'terminal') return true;
  return Array.isArray(tab.panes) && tab.panes.every((p) => typeof p === 'string') && (tab.broadcast === null || (Array.isArray(tab.broadcast) && tab.broadcast.every((p) => typeof p === 'string')));
}

/**
 * The tabs a window shows after it (re)connects. With a saved layout: its tabs, terminal
 * panes limited to sessions main still knows (a tab left with none is dropped), then any
 * tab the window opened meanwhile. Without one (a new window): a tab per running session.
 * `kinds` are the tab kinds this build knows.
 */
export function restoreLayout<T extends LayoutTab>(
  saved: Layout | null,
  sessions: readonly SessionInfo[],
  current: Layout<T>,
  kinds: ReadonlySet<string>,
  newTerminalTab: (session: SessionInfo) => T,
): Layout<T> {
  const known = new Set(sessions.map((s) => s.id));
  const tabs: T[] = [];
  const taken = new Set<string>();
  const add = (tab: T) => {
    if (taken.has(tab.id)) return;
    taken.add(tab.id);
    tabs.push(tab);
  };
  if (saved) {
    for (const tab of saved.tabs) {
      if (!kinds.has(tab.kind)) continue;
      if (tab.kind !== 'terminal') {
        add(tab as T);
        continue;
      }
      const panes = (tab.panes ?? []).filter((p) => known.has(p));
      if (panes.length === 0) continue;
      const broadcast = tab.broadcast ? tab.broadcast.filter((p) => panes.includes(p)) : null;
      add({ ...tab, panes, broadcast: broadcast && broadcast.length > 1 ? broadcast : null } as T);
    }
  } else {
    const shown = new Set(current.tabs.flatMap((t) => t.panes ?? []));
    for (const session of sessions) if (session.state !== 'ended' && !shown.has(session.id)) add(newTerminalTab(session));
  }
  for (const tab of current.tabs) add(tab);
  // The nodes tab always exists, first.
  const nodes = tabs.findIndex((t) => t.kind === 'nodes');
  if (nodes > 0) tabs.unshift(...tabs.splice(nodes, 1));
  const wanted = saved?.activeTabId ?? current.activeTabId;
  const activeTabId = tabs.some((t) => t.id === wanted) ? wanted : current.activeTabId;
  return { tabs, activeTabId };
}
