// Window-level UI state. Data from main arrives through HatchApi and is kept here;
// terminal bytes never pass through this store (xterm owns them).
import { create } from 'zustand';
import { HatchError, type Notice, type ProfileSummary, type SessionInfo, type SystemInfo, type TunnelInfo, type TunnelStats } from '../../shared/contract';
import type { InventorySnapshot } from '../../shared/domain/inventory';
import { api } from '../api';
import { prepareNodes } from '../../shared/node-filter';
import { notify } from '../ui/toast';
import { updateSettings } from '../settings';
import { loadLayout, restoreLayout, saveLayout } from '../workspace-layout';
export { tabLabels } from '../tab-labels';

export interface InventoryState {
  nodes: InventorySnapshot['nodes'];
  errors: InventorySnapshot['errors'];
  updatedAt: number | null;
  loading: boolean;
  progress: number;
  error: string | null;
  /** What to do about `error` and its kind (HatchError's action and detail), when known. */
  errorInfo?: { action: string | null; detail: string | null } | null;
  /** A first listing shows its pages as they arrive; names and tags follow with the snapshot. */
  streaming: boolean;
  /** A background refresh is running (the rows stay as they are until it ends). */
  refreshing: boolean;
}

/** Pages waiting to be shown, flushed a few times a second (one re-sort per flush, not per page). */
const pendingPages = new Map<string, InventorySnapshot['nodes']>();
const PAGE_FLUSH_MS = 200;

export type ThemeChoice = 'system' | 'light' | 'dark';

/** Tabs are a union of document kinds; later kinds (tunnels, preferences…) join it. */
export type Tab =
  | { kind: 'nodes'; id: 'nodes'; title: string }
  | {
      kind: 'terminal';
      /** The tab's first session id (stable while the tab lives). */
      id: string;
      /** The node's name (or what the person renamed the tab to). */
      title: string;
      /** Set when the person renamed the tab (double-click or its menu). */
      renamed?: boolean;
      /** The node's name, to go back to when a rename is cleared. */
      nodeName?: string;
      /** Session ids shown side by side; panes[0] is the tab's own session. */
      panes: string[];
      /** Panes whose keystrokes are mirrored to each other; null = broadcast off. */
      broadcast: string[] | null;
    }
  | { kind: 'tunnels'; id: 'tunnels'; title: string }
  | { kind: 'preferences'; id: 'preferences'; title: string }
  | { kind: 'documents'; id: 'documents'; title: string }
  | { kind: 'audit'; id: 'audit'; title: string }
  | { kind: 'settings'; id: 'settings'; title: string }
  | { kind: 'containers'; id: 'containers'; title: string };

/** Views that exist once per window and are opened (or focused) by name. */
export type SingletonTabKind = 'tunnels' | 'preferences' | 'documents' | 'audit' | 'settings' | 'containers';
export const SINGLETON_TITLES: Record<SingletonTabKind, string> = { tunnels: 'Tunnels', preferences: 'Preferences', documents: 'Documents', audit: 'Sessions & audit', settings: 'Settings', containers: 'Containers' };

/** Seconds of throughput history kept per tunnel for its sparkline. */
const RATE_HISTORY = 60;

export interface AppState {
  systemInfo: SystemInfo | null;
  connectionError: string | null;
  profiles: ProfileSummary[];
  selectedProfile: string | null;
  selectedRegion: string | null;
  /** The node under the cursor in the node table (Ctrl/Cmd+T starts a session on it). */
  selectedNodeId: string | null;
  inventories: Record<string, InventoryState>;
  /** Lists the nodes; `background`: a quiet refresh that keeps the rows (and their selection) on screen. */
  loadInventory(profile: string, region: string, options?: { background?: boolean }): Promise<void>;
  inventoryProgress(profile: string, region: string, count: number, page?: InventorySnapshot['nodes']): void;
  selectRegion(region: string): void;
  tabs: Tab[];
  activeTabId: string;
  theme: ThemeChoice;
  sessions: Record<string, SessionInfo>;
  tunnels: Record<string, TunnelInfo>;
  tunnelStats: Record<string, { latest: TunnelStats; history: number[] }>;
  upsertTunnel(tunnel: TunnelInfo): void;
  removeTunnel(tunnelId: string): void;
  addTunnelStats(stats: TunnelStats[]): void;
  openTunnelsTab(): void;
  openView(kind: SingletonTabKind): void;
  upsertSession(session: SessionInfo): void;
  /**
   * After connecting: take main's sessions and reopen this window's tabs (saved across a
   * reload), or a tab per running session in a new window; from then on the layout is saved.
   */
  restoreWorkspace(sessions: SessionInfo[]): void;
  openTerminalTab(session: SessionInfo, title: string): void;
  addPane(tabId: string, session: SessionInfo): void;
  closePane(tabId: string, sessionId: string): void;
  setBroadcast(tabId: string, panes: string[] | null): void;
  closeTab(id: string): void;
  /** Renames a tab; an empty title goes back to the node's name. */
  renameTab(id: string, title: string): void;
  activateTab(id: string): void;
  cycleTab(step: 1 | -1): void;
  setSystemInfo(info: SystemInfo): void;
  setConnectionError(message: string | null): void;
  setProfiles(profiles: ProfileSummary[]): void;
  selectProfile(name: string): void;
  /** Changes the theme (saved in the settings unless `save` is false: the change came from them). */
  setTheme(theme: ThemeChoice, options?: { save?: boolean }): void;
  pushNotice(notice: Notice): void;
}

const THEME_KEY = 'hatch.theme';
const TAB_KINDS: ReadonlySet<Tab['kind']> = new Set(['nodes', 'terminal', 'tunnels', 'preferences', 'documents', 'audit', 'settings', 'containers']);
/** Set once the window's layout is restored: saving starts only then, so a reload never overwrites it with an empty window. */
let layoutSaver: (() => void) | null = null;

function storedTheme(): ThemeChoice {
  const value = globalThis.localStorage?.getItem(THEME_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export const useAppStore = create<AppState>((set, get) => ({
  systemInfo: null,
  connectionError: null,
  profiles: [],
  selectedProfile: null,
  selectedRegion: null,
  selectedNodeId: null,
  inventories: {},
  loadInventory: async (profile, region, options) => {
    const key = `${profile}/${region}`;
    const previous = get().inventories[key];
    const patch = (value: Partial<InventoryState>) => {
      const current = get().inventories[key] ?? { nodes: [], errors: [], updatedAt: null, loading: false, progress: 0, error: null, streaming: false, refreshing: false };
      set({ inventories: { ...get().inventories, [key]: { ...current, ...value } } });
    };
    const background = options?.background === true && previous !== undefined && !previous.loading;
    if (background) {
      if (previous.refreshing) return;
      patch({ refreshing: true });
    } else {
      pendingPages.delete(key);
      patch({ loading: true, progress: 0, error: null, nodes: previous?.nodes ?? [], streaming: !previous?.nodes.length });
    }
    try {
      const snapshot = await api.call('inventory.list', { profile, region, refresh: previous !== undefined });
      prepareNodes(snapshot.nodes); // build the search keys now, not on the first keystroke
      if (!background) pendingPages.delete(key);
      patch({ nodes: snapshot.nodes, errors: snapshot.errors, updatedAt: snapshot.updatedAt, loading: false, streaming: false, refreshing: false, error: null, errorInfo: null });
      const named = nameTabsByNode(get(), profile, region);
      if (named) set({ tabs: named });
    } catch (error) {
      if (!background) pendingPages.delete(key);
      // A failed background refresh keeps the rows it had, and says why.
      patch({ loading: false, streaming: false, refreshing: false, error: error instanceof Error ? error.message : String(error), errorInfo: error instanceof HatchError ? { action: error.action, detail: error.detail } : null });
    }
  },
  inventoryProgress: (profile, region, count, page) => {
    const key = `${profile}/${region}`;
    const current = get().inventories[key];
    if (!current?.loading) return;
    set({ inventories: { ...get().inventories, [key]: { ...current, progress: count } } });
    if (!current.streaming || !page?.length) return;
    const waiting = pendingPages.get(key);
    if (waiting) return void waiting.push(...page);
    pendingPages.set(key, [...page]);
    setTimeout(() => {
      const pages = pendingPages.get(key);
      pendingPages.delete(key);
      const now = get().inventories[key];
      if (!pages || !now?.loading || !now.streaming) return;
      set({ inventories: { ...get().inventories, [key]: { ...now, nodes: [...now.nodes, ...pages] } } });
    }, PAGE_FLUSH_MS);
  },
  selectRegion: (selectedRegion) => set({ selectedRegion }),
  tabs: [{ kind: 'nodes', id: 'nodes', title: 'Nodes' }],
  activeTabId: 'nodes',
  theme: storedTheme(),
  sessions: {},
  tunnels: {},
  tunnelStats: {},
  upsertTunnel: (tunnel) => set({ tunnels: { ...get().tunnels, [tunnel.id]: tunnel } }),
  removeTunnel: (tunnelId) => {
    const { [tunnelId]: _gone, ...tunnels } = get().tunnels;
    const { [tunnelId]: _stats, ...tunnelStats } = get().tunnelStats;
    set({ tunnels, tunnelStats });
  },
  addTunnelStats: (stats) => {
    const next = { ...get().tunnelStats };
    for (const s of stats) {
      const history = [...(next[s.id]?.history ?? []), s.rateUp + s.rateDown].slice(-RATE_HISTORY);
      next[s.id] = { latest: s, history };
    }
    set({ tunnelStats: next });
  },
  openTunnelsTab: () => get().openView('tunnels'),
  openView: (kind) => {
    const { tabs } = get();
    const tab = { kind, id: kind, title: SINGLETON_TITLES[kind] } as Tab;
    set({ tabs: tabs.some((t) => t.id === kind) ? tabs : [...tabs, tab], activeTabId: kind });
  },
  upsertSession: (session) => set({ sessions: { ...get().sessions, [session.id]: session } }),
  restoreWorkspace: (list) => {
    const storage = globalThis.sessionStorage;
    const sessions = { ...get().sessions };
    for (const session of list) sessions[session.id] = session;
    const { tabs, activeTabId } = get();
    const restored = restoreLayout<Tab>(loadLayout(storage), list, { tabs, activeTabId }, TAB_KINDS, (session) => ({
      kind: 'terminal',
      id: session.id,
      // A container shell is named by its container, not its ecs:… target.
      title: session.exec ? `${session.exec.container} · ${session.exec.cluster}` : session.target,
      panes: [session.id],
      broadcast: null,
    }));
    set({ sessions, tabs: restored.tabs, activeTabId: restored.activeTabId });
    for (const key of Object.keys(get().inventories)) {
      const [profile, region] = key.split('/');
      const named = nameTabsByNode(get(), profile, region);
      if (named) set({ tabs: named });
    }
    if (layoutSaver) return;
    const save = (state: AppState) => saveLayout(storage, { tabs: state.tabs, activeTabId: state.activeTabId });
    save(get());
    layoutSaver = useAppStore.subscribe((state, previous) => {
      if (state.tabs !== previous.tabs || state.activeTabId !== previous.activeTabId) save(state);
    });
  },
  openTerminalTab: (session, title) => {
    const { tabs, sessions } = get();
    set({
      sessions: { ...sessions, [session.id]: session },
      tabs: tabs.some((t) => t.id === session.id) ? tabs : [...tabs, { kind: 'terminal', id: session.id, title, nodeName: title, panes: [session.id], broadcast: null }],
      activeTabId: session.id,
    });
  },
  addPane: (tabId, session) => {
    set({
      sessions: { ...get().sessions, [session.id]: session },
      tabs: get().tabs.map((t) => (t.kind === 'terminal' && t.id === tabId ? { ...t, panes: [...t.panes, session.id] } : t)),
    });
  },
  closePane: (tabId, sessionId) => {
    const tab = get().tabs.find((t) => t.id === tabId);
    if (tab?.kind !== 'terminal') return;
    if (tab.panes.length === 1) return get().closeTab(tabId);
    set({
      tabs: get().tabs.map((t) =>
        t.kind === 'terminal' && t.id === tabId
          ? { ...t, panes: t.panes.filter((p) => p !== sessionId), broadcast: t.broadcast?.filter((p) => p !== sessionId) ?? null }
          : t,
      ),
    });
  },
  setBroadcast: (tabId, panes) => set({ tabs: get().tabs.map((t) => (t.kind === 'terminal' && t.id === tabId ? { ...t, broadcast: panes } : t)) }),
  closeTab: (id) => {
    if (id === 'nodes') return;
    const { tabs, activeTabId } = get();
    const index = tabs.findIndex((t) => t.id === id);
    const rest = tabs.filter((t) => t.id !== id);
    set({ tabs: rest, activeTabId: activeTabId === id ? (rest[Math.max(0, index - 1)]?.id ?? 'nodes') : activeTabId });
  },
  renameTab: (id, title) =>
    set({
      tabs: get().tabs.map((t) => {
        if (t.id !== id || t.kind !== 'terminal') return t;
        const trimmed = title.trim().slice(0, 80);
        return trimmed ? { ...t, title: trimmed, renamed: true } : { ...t, title: t.nodeName ?? t.title, renamed: false };
      }),
    }),
  activateTab: (activeTabId) => set({ activeTabId }),
  cycleTab: (step) => {
    const { tabs, activeTabId } = get();
    const index = tabs.findIndex((t) => t.id === activeTabId);
    set({ activeTabId: tabs[(index + step + tabs.length) % tabs.length].id });
  },
  setSystemInfo: (systemInfo) => set({ systemInfo }),
  setConnectionError: (connectionError) => set({ connectionError }),
  setProfiles: (profiles) => {
    const selected = get().selectedProfile;
    const selectedProfile = profiles.some((p) => p.name === selected) ? selected : (profiles[0]?.name ?? null);
    const profile = profiles.find((p) => p.name === selectedProfile);
    set({ profiles, selectedProfile, selectedRegion: get().selectedRegion ?? profile?.region ?? 'us-east-1' });
  },
  selectProfile: (selectedProfile) => {
    const profile = get().profiles.find((p) => p.name === selectedProfile);
    set({ selectedProfile, selectedRegion: profile?.region ?? 'us-east-1' });
  },
  setTheme: (theme, options) => {
    // Kept locally too, so the next start paints in the right theme before settings arrive.
    globalThis.localStorage?.setItem(THEME_KEY, theme);
    set({ theme });
    if (options?.save !== false) void updateSettings({ theme });
  },
  pushNotice: (notice) => notify(notice),
}));

/**
 * A window that reopens running sessions before their node list has loaded names their tabs
 * by node id; once the list of that profile and region is known, such tabs take the node's
 * Name (a tab the person renamed keeps its name). Returns null when nothing changes.
 */
function nameTabsByNode(state: AppState, profile: string, region: string): Tab[] | null {
  const nodes = state.inventories[`${profile}/${region}`]?.nodes;
  if (!nodes?.length) return null;
  let changed = false;
  const tabs = state.tabs.map((tab) => {
    if (tab.kind !== 'terminal' || tab.renamed) return tab;
    const session = state.sessions[tab.panes[0]];
    if (!session || session.profile !== profile || session.region !== region || tab.title !== session.target) return tab;
    const node = nodes.find((n) => n.id === session.target);
    if (!node || node.name === tab.title) return tab;
    changed = true;
    return { ...tab, title: node.name, nodeName: node.name };
  });
  return changed ? tabs : null;
}
