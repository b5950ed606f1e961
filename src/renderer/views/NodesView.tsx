// The node browser: a virtualized table of a profile's managed nodes (one region, or all
// of the profile's regions) with a filter box that suggests tag keys and values, sorting,
// tag columns, favourites and recently used nodes first, multi-select, a resizable detail
// pane, a context menu of node actions, and Enter/double-click to start a session.
// Columns that do not fit are dropped by priority (never a sideways scrollbar). The list
// refreshes itself in the background and when the window gets focus, keeping the
// selection and the scroll position. Sorting happens once per listing or sort change; the
// filter only narrows the sorted list, so typing stays within a frame on 10,000 rows.
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Panel, PanelGroup, PanelResizeHandle } from 'react-resizable-panels';
import { useShallow } from 'zustand/react/shallow';
import type { ManagedNode } from '../../shared/domain/inventory';
import { createNodeFilter, explainEmpty, parseNodeQuery, tagCompletionAt, tagIndex } from '../../shared/node-filter';
import { useAppStore, type InventoryState } from '../stores/app-store';
import { api } from '../api';
import { openForwardDialog, startSessionOn } from '../actions';
import { NodeDetail } from '../components/NodeDetail';
import { STATUS } from '../node-status';
import { EnginePicker } from '../components/EnginePicker';
import { PreflightButton } from '../components/PreflightDialog';
import { loadViewState, saveViewState, type NodesViewState, type SortKey } from '../view-state';
import { ContextMenu, DropdownMenu } from '../ui/Menu';
import { Tip } from '../ui/Tooltip';
import { PopoverAnchor, PopoverBody, PopoverRoot } from '../ui/Popover';
import { PacingToggle } from '../components/PacingToggle';
import { updateSettings, useSettings } from '../settings';
import { actionLabel, nodeActions, whyNoSession } from '../node-actions';
import { marksOf, toggleFavourite, useNodeMarks } from '../node-marks';
import { regionsOf } from '../components/view-helpers';
import { InventoryError } from '../components/InventoryError';
import { fileDropProps } from '../transfers/transfers';

interface Column {
  key: SortKey;
  label: string;
  /** Narrowest it may get, in px; it grows with `grow` (fr) beyond that. */
  min: number;
  grow: number;
  mono?: boolean;
  /** Lower stays longer when the table is narrow. */
  priority: number;
}

const BASE_COLUMNS: Column[] = [
  { key: 'name', label: 'Name', min: 110, grow: 2, priority: 0 },
  { key: 'pingStatus', label: 'Status', min: 84, grow: 0.7, priority: 1 },
  { key: 'ipAddress', label: 'IP', min: 104, grow: 1, mono: true, priority: 3 },
  { key: 'id', label: 'ID', min: 156, grow: 1.3, mono: true, priority: 4 },
  { key: 'platformName', label: 'Platform', min: 100, grow: 1, priority: 6 },
  { key: 'agentVersion', label: 'Agent', min: 72, grow: 0.6, priority: 7 },
];
const REGION_COLUMN: Column = { key: 'region', label: 'Region', min: 90, grow: 0.8, priority: 2 };
const STAR_WIDTH = 22;
const GAP = 8;
const PADDING = 20;
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
/** A quiet re-listing this often while the view is open, and on window focus when older than FOCUS_STALE_MS. */
const REFRESH_MS = 120_000;
const FOCUS_STALE_MS = 30_000;

const NO_MARKS = { favourites: [] as string[], recent: [] as string[] };

const rowId = (node: ManagedNode) => `node-row-${node.region}-${node.id}`;

function cellValue(node: ManagedNode, key: SortKey): string {
  return key.startsWith('tag:') ? (node.tags[key.slice(4)] ?? '') : String(node[key as keyof ManagedNode] ?? '');
}

/** The columns that fit in `width`, by priority, in their display order. */
function fitColumns(columns: Column[], width: number): Column[] {
  const byPriority = [...columns].sort((a, b) => a.priority - b.priority);
  const kept = new Set<Column>();
  let used = PADDING + STAR_WIDTH;
  for (const column of byPriority) {
    const need = column.min + GAP;
    if (kept.size > 0 && used + need > width) continue;
    kept.add(column);
    used += need;
  }
  return columns.filter((c) => kept.has(c));
}

export function NodesView() {
  const profile = useAppStore((s) => s.profiles.find((p) => p.name === s.selectedProfile));
  const region = useAppStore((s) => s.selectedRegion);
  const profileName = profile?.name ?? '';
  const [view, setView] = useState<NodesViewState>(() => loadViewState(profileName));
  const [viewProfile, setViewProfile] = useState(profileName);
  if (viewProfile !== profileName) {
    // Each profile keeps its own filter, sort and columns.
    setViewProfile(profileName);
    setView(loadViewState(profileName));
  }
  const update = (patch: Partial<NodesViewState>) => {
    const next = { ...view, ...patch };
    setView(next);
    saveViewState(profileName, next);
  };
  const engine = useSettings((s) => s.settings.profileEngines[profileName] ?? 'auto');
  const regions = useMemo(() => (profile ? regionsOf(profile) : []), [profile]);
  const allRegions = view.allRegions && regions.length > 1;
  const shownRegions = useMemo(() => (allRegions ? regions : region ? [region] : []), [allRegions, regions, region]);
  const inventories = useAppStore(useShallow((s) => shownRegions.map((r) => s.inventories[`${profileName}/${r}`] as InventoryState | undefined)));
  const inventory = inventories[0];
  const marks = useNodeMarks((s) => s.byProfile[profileName]) ?? NO_MARKS;
  useEffect(() => {
    if (profileName) marksOf(profileName); // loads this profile's favourites into the store
  }, [profileName]);

  const query = view.query;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [cursorId, setCursorId] = useState<string | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const filterRef = useRef<HTMLInputElement>(null);
  const menuNode = useRef<ManagedNode | null>(null);
  const [width, setWidth] = useState(800);
  const [suggestIndex, setSuggestIndex] = useState(0);
  const [suggestClosed, setSuggestClosed] = useState<string | null>(null);

  const refresh = useCallback(
    (background = false) => {
      if (!profileName) return;
      for (const r of shownRegions) void useAppStore.getState().loadInventory(profileName, r, { background });
    },
    [profileName, shownRegions],
  );

  // First listing of each shown region.
  useEffect(() => {
    if (!profileName) return;
    shownRegions.forEach((r, i) => {
      if (!inventories[i]) void useAppStore.getState().loadInventory(profileName, r);
    });
  }, [profileName, shownRegions, inventories]);

  // Background refresh: every REFRESH_MS while shown, and when the window comes back into focus.
  useEffect(() => {
    const timer = setInterval(() => !document.hidden && refresh(true), REFRESH_MS);
    const onFocus = () => {
      const oldest = Math.min(...shownRegions.map((r) => useAppStore.getState().inventories[`${profileName}/${r}`]?.updatedAt ?? Date.now()));
      if (Date.now() - oldest > FOCUS_STALE_MS) refresh(true);
    };
    window.addEventListener('focus', onFocus);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', onFocus);
    };
  }, [refresh, shownRegions, profileName]);

  // The table's width decides which columns fit.
  useEffect(() => {
    const el = gridRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    setWidth(el.clientWidth);
    return () => observer.disconnect();
  }, [profileName]);

  const allNodes = useMemo(() => inventories.flatMap((inv) => inv?.nodes ?? []), [inventories]);
  const sorted = useMemo(() => {
    const { key, dir } = view.sort;
    const values = new Map(allNodes.map((n) => [n, cellValue(n, key)]));
    const byColumn = [...allNodes].sort((a, b) => dir * collator.compare(values.get(a)!, values.get(b)!));
    // Favourites first, then the recently used (most recent first), then the rest.
    const favourites = new Set(marks.favourites);
    const recent = new Map(marks.recent.map((id, i) => [id, i]));
    const rank = (n: ManagedNode) => (favourites.has(n.id) ? 0 : recent.has(n.id) ? 1 : 2);
    return byColumn.sort((a, b) => rank(a) - rank(b) || (rank(a) === 1 ? recent.get(a.id)! - recent.get(b.id)! : 0));
  }, [allNodes, view.sort, marks]);
  // Typing on narrows the previous matches instead of scanning every node again.
  const [filter] = useState(createNodeFilter);
  const rows = useMemo(() => filter(sorted, query), [filter, sorted, query]);
  const problems = useMemo(() => parseNodeQuery(query).problems, [query]);
  const tags = useMemo(() => tagIndex(allNodes), [allNodes]);
  const tagKeys = useMemo(() => [...tags.keys()].sort(collator.compare), [tags]);

  const columns = useMemo(() => {
    const tagColumns: Column[] = view.tagColumns.map((tag, i) => ({ key: `tag:${tag}` as SortKey, label: tag, min: 80, grow: 0.8, priority: 5 + i * 0.01 }));
    const base = allRegions ? [BASE_COLUMNS[0], REGION_COLUMN, ...BASE_COLUMNS.slice(1)] : BASE_COLUMNS;
    return fitColumns([...base, ...tagColumns], width);
  }, [view.tagColumns, allRegions, width]);
  const hiddenColumns = BASE_COLUMNS.length + view.tagColumns.length + (allRegions ? 1 : 0) - columns.length;
  const grid = `${STAR_WIDTH}px ${columns.map((c) => `minmax(${c.min}px, ${c.grow}fr)`).join(' ')}`;

  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => 28, overscan: 12 });

  // Tag suggestions for the word being typed (tag:Ke… or tag:Key=Va…).
  const completion = useMemo(() => tagCompletionAt(query), [query]);
  const suggestions = useMemo(() => {
    if (!completion) return [];
    if (completion.kind === 'key') {
      const typed = completion.typed.toLowerCase();
      return tagKeys.filter((k) => k.toLowerCase().startsWith(typed) && k.toLowerCase() !== typed).slice(0, 12).map((k) => ({ label: k, insert: `tag:${k}=` }));
    }
    const key = tagKeys.find((k) => k.toLowerCase() === completion.key.toLowerCase());
    if (!key) return [];
    const typed = completion.typed.toLowerCase();
    return [...tags.get(key)!.entries()]
      .filter(([v]) => v.toLowerCase().startsWith(typed) && v.toLowerCase() !== typed)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([v, count]) => ({ label: `${v} (${count})`, insert: `tag:${key}=${/\s/.test(v) ? `"${v}"` : v} ` }));
  }, [completion, tagKeys, tags]);
  const suggesting = suggestions.length > 0 && suggestClosed !== query;

  if (!profile) {
    return (
      <div className="empty-state">
        <h1>Start here</h1>
        <p>Pick a profile on the left to list the managed nodes it can reach.</p>
      </div>
    );
  }

  const found = rows.findIndex((n) => n.id === cursorId);
  const cursorIndex = found >= 0 ? found : Math.max(0, Math.min(rows.length - 1, 0));
  const setCursor = (index: number) => {
    const node = rows[index];
    setCursorId(node?.id ?? null);
    useAppStore.setState({ selectedNodeId: node?.id ?? null });
  };
  const moveCursor = (index: number) => {
    const next = Math.min(rows.length - 1, Math.max(0, index));
    setCursor(next);
    setSelected(new Set([rows[next].id]));
    virtualizer.scrollToIndex(next);
  };
  const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 280) / 28) - 1);
  const start = (node: ManagedNode | undefined) => {
    if (node && !whyNoSession(node)) void startSessionOn(profile.name, node.region, node);
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (rows.length === 0) return;
    if (event.target !== event.currentTarget) return; // a column header button has focus
    const moves: Record<string, number> = { ArrowDown: cursorIndex + 1, ArrowUp: cursorIndex - 1, PageDown: cursorIndex + page, PageUp: cursorIndex - page, Home: 0, End: rows.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      moveCursor(moves[event.key]);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      start(rows[cursorIndex]);
    } else if (event.key.toLowerCase() === 'a' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      setSelected(new Set(rows.map((n) => n.id)));
    }
  };
  const click = (index: number, event: React.MouseEvent) => {
    const id = rows[index].id;
    if (event.ctrlKey || event.metaKey) {
      const next = new Set(selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      setSelected(next);
    } else if (event.shiftKey) {
      const [from, to] = [Math.min(cursorIndex, index), Math.max(cursorIndex, index)];
      setSelected(new Set(rows.slice(from, to + 1).map((n) => n.id)));
    } else setSelected(new Set([id]));
    setCursor(index);
  };
  const acceptSuggestion = (insert: string) => {
    if (!completion) return;
    update({ query: query.slice(0, completion.start) + insert });
    setSuggestIndex(0);
    filterRef.current?.focus();
  };
  const insertTagKey = (key: string) => {
    update({ query: `${query.trim() ? `${query.trim()} ` : ''}tag:${key}=` });
    filterRef.current?.focus();
  };

  const loading = inventories.some((inv) => inv?.loading ?? true);
  const refreshing = inventories.some((inv) => inv?.refreshing);
  const progress = inventories.reduce((n, inv) => n + (inv?.progress ?? 0), 0);
  const selectedNodes = rows.filter((n) => selected.has(n.id));
  const detail = selectedNodes.length === 1 ? selectedNodes[0] : null;
  const first = selectedNodes[0];
  const blocked = first ? whyNoSession(first) : 'Select a node first.';
  const updatedAt = Math.min(...inventories.map((inv) => inv?.updatedAt ?? Infinity));
  // Listings that failed, one alert per cause: "All regions" against an unreachable endpoint
  // says so once (naming the other regions), not once per region.
  const failed: Array<{ region: string; inv: InventoryState; alsoIn: string[] }> = [];
  inventories.forEach((inv, i) => {
    if (!inv?.error) return;
    const cause = inv.errorInfo?.detail ? `${inv.errorInfo.detail}\n${inv.errorInfo.action ?? ''}` : null;
    const same = cause ? failed.find((f) => f.inv.errorInfo?.detail && `${f.inv.errorInfo.detail}\n${f.inv.errorInfo.action ?? ''}` === cause) : undefined;
    if (same) same.alsoIn.push(shownRegions[i]);
    else failed.push({ region: shownRegions[i], inv, alsoIn: [] });
  });
  const menuItems = () => {
    const node = menuNode.current ?? rows[cursorIndex];
    if (!node) return [];
    const context = { node, profile: profile.name, region: node.region };
    return [
      { kind: 'label' as const, id: 'title', label: `${node.name} · ${node.id}` },
      ...nodeActions().map((action) => {
        const why = action.unavailable?.(context) ?? null;
        return { id: action.id, label: why ? `${actionLabel(action, context)} — ${why.split(':')[0]}` : actionLabel(action, context), disabled: why !== null, onSelect: () => action.run(context) };
      }),
    ];
  };

  const table = (
    <ContextMenu label="Node actions" items={menuItems}>
      <div
        ref={gridRef}
        className="node-table"
        role="grid"
        aria-label="Managed nodes"
        aria-rowcount={rows.length}
        aria-multiselectable
        aria-activedescendant={rows[cursorIndex] ? rowId(rows[cursorIndex]) : undefined}
        tabIndex={0}
        data-primary-focus
        onKeyDown={onKeyDown}
        onContextMenuCapture={() => (menuNode.current = null)}
        onFocus={(event) => {
          // Arriving by keyboard selects the row under the cursor, so the actions below
          // (Start session, Forward port, Preflight) apply to it and can be reached.
          if (event.target === event.currentTarget && rows.length > 0 && selectedNodes.length === 0) moveCursor(cursorIndex);
        }}
      >
        <div className="node-row header" role="row" style={{ gridTemplateColumns: grid }}>
          <span role="columnheader" aria-label="Favourite" className="star-cell">
            ★
          </span>
          {columns.map((column) => (
            <button
              key={column.key}
              type="button"
              role="columnheader"
              aria-sort={view.sort.key === column.key ? (view.sort.dir === 1 ? 'ascending' : 'descending') : 'none'}
              onClick={() => update({ sort: { key: column.key, dir: view.sort.key === column.key ? (-view.sort.dir as 1 | -1) : 1 } })}
            >
              {column.label}
              {view.sort.key === column.key ? (view.sort.dir === 1 ? ' ▲' : ' ▼') : ''}
            </button>
          ))}
        </div>
        <div className="node-scroller" ref={scroller} tabIndex={-1}>
          {!loading && rows.length === 0 && (
            <EmptyResult inventory={inventory} nodes={allNodes} tags={tags} query={query} tagKeys={tagKeys} onTagKey={insertTagKey} onClear={() => update({ query: '' })} failed={failed.length > 0} />
          )}
          {/* One handler each for the rows' clicks (rows are memoised and carry no closures of their own). */}
          <div
            style={{ height: virtualizer.getTotalSize(), position: 'relative' }}
            onClick={(e) => {
              const index = rowIndexOf(e);
              if (index >= 0) click(index, e);
            }}
            onDoubleClick={(e) => start(rows[rowIndexOf(e)])}
            onContextMenu={(e) => {
              const index = rowIndexOf(e);
              const node = rows[index];
              if (!node) return;
              menuNode.current = node;
              if (!selected.has(node.id)) click(index, { ctrlKey: false, metaKey: false, shiftKey: false } as React.MouseEvent);
            }}
          >
            {virtualizer.getVirtualItems().map((item) => {
              const node = rows[item.index];
              return (
                <NodeRow
                  key={rowId(node)}
                  node={node}
                  index={item.index}
                  top={item.start}
                  selected={selected.has(node.id)}
                  cursor={item.index === cursorIndex}
                  favourite={marks.favourites.includes(node.id)}
                  grid={grid}
                  columns={columns}
                  profile={profileName}
                />
              );
            })}
          </div>
        </div>
      </div>
    </ContextMenu>
  );

  return (
    <div className="nodes-view">
      <div className="nodes-toolbar">
        <PopoverRoot open={suggesting}>
          <PopoverAnchor asChild>
            <input
              ref={filterRef}
              className="filter"
              type="search"
              aria-label="Filter nodes"
              aria-autocomplete="list"
              aria-expanded={suggesting}
              placeholder="Filter: name, id, IP or tag value · tag:Key=Value · status:online · -exclude"
              value={view.query}
              onChange={(e) => {
                update({ query: e.target.value });
                setSuggestIndex(0);
                setSuggestClosed(null);
              }}
              onKeyDown={(e) => {
                if (suggesting) {
                  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                    e.preventDefault();
                    setSuggestIndex((i) => (i + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
                    return;
                  }
                  if (e.key === 'Enter' || (e.key === 'Tab' && !e.shiftKey)) {
                    e.preventDefault();
                    acceptSuggestion(suggestions[Math.min(suggestIndex, suggestions.length - 1)].insert);
                    return;
                  }
                  if (e.key === 'Escape') {
                    e.preventDefault();
                    setSuggestClosed(query);
                    return;
                  }
                }
                // Down from the filter goes to the table, on its current row.
                if (e.key === 'ArrowDown' && rows.length > 0) {
                  e.preventDefault();
                  gridRef.current?.focus();
                }
              }}
            />
          </PopoverAnchor>
          <PopoverBody label="Tag suggestions" onOpenAutoFocus={(e) => e.preventDefault()}>
            <ul className="suggestions" role="listbox" aria-label={completion?.kind === 'value' ? `Values of ${completion.key}` : 'Tag keys'}>
              {suggestions.map((s, i) => (
                <li key={s.insert} role="option" aria-selected={i === suggestIndex} className={i === suggestIndex ? 'active' : undefined} onMouseDown={(e) => e.preventDefault()} onClick={() => acceptSuggestion(s.insert)}>
                  {s.label}
                </li>
              ))}
            </ul>
          </PopoverBody>
        </PopoverRoot>
        {regions.length > 1 && (
          <label className="toolbar-check" title={`List ${regions.join(', ')} together`}>
            <input type="checkbox" checked={allRegions} onChange={(e) => update({ allRegions: e.target.checked })} /> All regions
          </label>
        )}
        <DropdownMenu
          label="Tag columns"
          trigger={<button type="button">Columns{hiddenColumns > 0 ? ` (${hiddenColumns} hidden)` : ''}</button>}
          items={[
            ...(hiddenColumns > 0 ? [{ kind: 'label' as const, id: 'hidden', label: `${hiddenColumns} column${hiddenColumns > 1 ? 's' : ''} hidden: the window is narrow` }] : []),
            ...(tagKeys.length === 0
              ? [{ kind: 'label' as const, id: 'none', label: 'No tags on these nodes' }]
              : tagKeys.map((tag) => ({
                  kind: 'check' as const,
                  id: tag,
                  label: tag,
                  checked: view.tagColumns.includes(tag),
                  onCheckedChange: (checked: boolean) => update({ tagColumns: checked ? [...view.tagColumns, tag] : view.tagColumns.filter((t) => t !== tag) }),
                }))),
          ]}
        />
        {loading ? (
          <>
            <span className="dim nowrap" role="status">
              Listing… {progress.toLocaleString()}
            </span>
            <button type="button" onClick={() => shownRegions.forEach((r) => void api.call('inventory.cancel', { profile: profile.name, region: r }).catch(() => undefined))}>
              Cancel
            </button>
          </>
        ) : (
          <button type="button" onClick={() => refresh(false)} aria-label="Refresh nodes" disabled={refreshing}>
            {refreshing ? 'Refreshing…' : 'Refresh'}
          </button>
        )}
      </div>
      {problems.length > 0 && <div className="inline-note">Not understood: {problems.join(', ')}</div>}
      {inventories.flatMap((inv) => inv?.errors ?? []).map((e) => (
        <div key={`${e.region}-${e.message}`} className="inline-error" role="alert">
          {e.region}: {e.message}
        </div>
      ))}
      {failed.map(({ region: r, inv, alsoIn }) => (
        <InventoryError
          key={r}
          profile={profile}
          region={r}
          alsoIn={alsoIn}
          inventory={inv}
          stale={inv.nodes.length > 0}
          onRetry={() => [r, ...alsoIn].forEach((each) => void useAppStore.getState().loadInventory(profile.name, each))}
        />
      ))}
      <PanelGroup direction="horizontal" className="nodes-body" autoSaveId="hatch.nodes.detail">
        <Panel id="nodes-table" order={0} minSize={40} className="nodes-table-panel">
          {table}
        </Panel>
        {detail && (
          <>
            <PanelResizeHandle className="resize-handle" aria-label="Resize the details pane" />
            <Panel id="nodes-detail" order={1} defaultSize={28} minSize={18} maxSize={50} className="nodes-detail-panel">
              <NodeDetail node={detail} profile={profile.name} region={detail.region} />
            </Panel>
          </>
        )}
      </PanelGroup>
      <div className="nodes-footer">
        <Tip content={first ? blocked : null}>
          <span className="button-wrap">
            <button type="button" className="primary" disabled={blocked !== null} onClick={() => start(first)}>
              Start session
            </button>
          </span>
        </Tip>
        <Tip content={first ? blocked : null}>
          <span className="button-wrap">
            <button type="button" disabled={blocked !== null} onClick={() => first && openForwardDialog(profile.name, first.region, first)}>
              Forward port
            </button>
          </span>
        </Tip>
        <PreflightButton profile={profile.name} region={first?.region ?? region} node={first ? { id: first.id, name: first.name } : null} />
        {selectedNodes.length > 1 && (
          <button type="button" onClick={() => selectedNodes.filter((n) => !whyNoSession(n)).forEach(start)}>
            Open {selectedNodes.filter((n) => !whyNoSession(n)).length} sessions
          </button>
        )}
        <span className="statusbar-spacer" />
        <EnginePicker value={engine} onChange={(choice) => void updateSettings({ profileEngines: { [profile.name]: choice === 'auto' ? null : choice } })} />
        <PacingToggle profile={profile.name} />
        <span className="node-count nowrap">
          {selected.size > 1 ? `${selected.size} selected · ` : ''}
          {rows.length.toLocaleString()} of {allNodes.length.toLocaleString()}
        </span>
        {Number.isFinite(updatedAt) ? <span className="dim nowrap node-updated">updated {new Date(updatedAt).toLocaleTimeString()}</span> : null}
      </div>
    </div>
  );
}

/** The row index of the row an event happened in, or -1. */
function rowIndexOf(event: React.MouseEvent): number {
  const row = (event.target as HTMLElement).closest<HTMLElement>('[data-index]');
  return row ? Number(row.dataset.index) : -1;
}

/**
 * One row of the table. Memoised: a keystroke in the filter re-renders only the rows whose
 * node, place or state changed (the props are all values or stable arrays).
 */
const NodeRow = memo(function NodeRow({
  node,
  index,
  top,
  selected,
  cursor,
  favourite,
  grid,
  columns,
  profile,
}: {
  node: ManagedNode;
  index: number;
  top: number;
  selected: boolean;
  cursor: boolean;
  favourite: boolean;
  grid: string;
  columns: Column[];
  profile: string;
}) {
  const status = STATUS[node.pingStatus];
  const why = whyNoSession(node);
  return (
    <div
      id={rowId(node)}
      role="row"
      data-index={index}
      aria-selected={selected}
      className={`node-row${selected ? ' selected' : ''}${cursor ? ' cursor' : ''}${why ? ' unavailable' : ''}`}
      style={{ gridTemplateColumns: grid, transform: `translateY(${top}px)` }}
      title={why ?? undefined}
      {...fileDropProps(() => (why ? null : { profile, region: node.region, target: node.id, nodeName: node.name }))}
    >
      <span role="gridcell" className="star-cell">
        <button
          type="button"
          tabIndex={-1}
          className={favourite ? 'star on' : 'star'}
          aria-pressed={favourite}
          aria-label={`${favourite ? 'Remove' : 'Add'} ${node.name} ${favourite ? 'from' : 'to'} favourites`}
          title={favourite ? 'Favourite (click to remove)' : 'Add to favourites'}
          onClick={(e) => {
            e.stopPropagation();
            toggleFavourite(profile, node.id);
          }}
        >
          {favourite ? '★' : '☆'}
        </button>
      </span>
      {columns.map((column) =>
        column.key === 'pingStatus' ? (
          <span role="gridcell" key={column.key}>
            <span className={`dot ${status.className}`}>●</span> {status.label}
          </span>
        ) : (
          <span role="gridcell" key={column.key} className={column.mono ? 'mono' : undefined} title={column.key === 'name' && !why ? `${node.name} · ${node.id}` : undefined}>
            {cellValue(node, column.key)}
          </span>
        ),
      )}
    </div>
  );
});

/** Nothing to show: say why, and offer the next step. */
function EmptyResult({
  inventory,
  nodes,
  tags,
  query,
  tagKeys,
  onTagKey,
  onClear,
  failed,
}: {
  inventory: InventoryState | undefined;
  nodes: ManagedNode[];
  tags: Map<string, Map<string, number>>;
  query: string;
  tagKeys: string[];
  onTagKey(key: string): void;
  onClear(): void;
  failed: boolean;
}) {
  if (failed && nodes.length === 0) return <div className="empty-state small-empty">No nodes to show: the listing failed (see above).</div>;
  if (nodes.length === 0) return <div className="empty-state small-empty">{inventory ? 'This profile and region have no managed nodes.' : 'Not listed yet.'}</div>;
  const reasons = explainEmpty(nodes, query, tags);
  return (
    <div className="empty-state small-empty empty-why" role="status">
      <p>
        <strong>No node matches “{query.trim()}”.</strong>
      </p>
      {reasons.map((r) => (
        <p key={r}>{r}</p>
      ))}
      {tagKeys.length > 0 && (
        <p className="tag-keys">
          Tag keys here:{' '}
          {tagKeys.slice(0, 12).map((k) => (
            <button key={k} type="button" className="chip" onClick={() => onTagKey(k)}>
              {k}
            </button>
          ))}
        </p>
      )}
      <button type="button" onClick={onClear}>
        Clear the filter
      </button>
    </div>
  );
}
