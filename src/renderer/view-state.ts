// What each profile's node table remembers between runs: filter, sort and tag columns.
// (The engine a profile uses is an app setting, kept by main: settings.profileEngines.)
import type { ManagedNode } from '../shared/domain/inventory';

export type SortKey = Exclude<keyof ManagedNode, 'tags' | 'lastPingAt'> | `tag:${string}`;

export interface NodesViewState {
  query: string;
  sort: { key: SortKey; dir: 1 | -1 };
  tagColumns: string[];
  /** List every region of the profile together (a Region column appears). */
  allRegions: boolean;
}

const DEFAULTS: NodesViewState = { query: '', sort: { key: 'name', dir: 1 }, tagColumns: [], allRegions: false };
const key = (profile: string) => `hatch.nodes.${profile}`;

export function loadViewState(profile: string): NodesViewState {
  const unsaved = pending.get(profile);
  if (unsaved) return unsaved;
  try {
    const raw = JSON.parse(localStorage.getItem(key(profile)) ?? 'null') as Partial<NodesViewState> | null;
    if (!raw || typeof raw !== 'object') return DEFAULTS;
    return {
      query: typeof raw.query === 'string' ? raw.query : '',
      sort: raw.sort && typeof raw.sort.key === 'string' && (raw.sort.dir === 1 || raw.sort.dir === -1) ? raw.sort : DEFAULTS.sort,
      tagColumns: Array.isArray(raw.tagColumns) ? raw.tagColumns.filter((t): t is string => typeof t === 'string') : [],
      allRegions: raw.allRegions === true,
    };
  } catch {
    return DEFAULTS; // unreadable state is replaced, never fatal
  }
}

// Writes are gathered for a moment (typing a filter would otherwise write on every key) and
// flushed before the page goes away.
const pending = new Map<string, NodesViewState>();
let flushTimer: ReturnType<typeof setTimeout> | null = null;
function flush(): void {
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = null;
  for (const [profile, state] of pending) localStorage.setItem(key(profile), JSON.stringify(state));
  pending.clear();
}
globalThis.addEventListener?.('pagehide', flush);

export function saveViewState(profile: string, state: NodesViewState): void {
  pending.set(profile, state);
  flushTimer ??= setTimeout(flush, 300);
}
