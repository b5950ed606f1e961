// The node browser: a virtualized table of a profile's managed nodes with a filter box,
// sorting, tag columns, multi-select, a detail pane and Enter/double-click to start a
// session. Sorting happens once per listing or sort change; the filter only narrows the
// sorted list, so typing stays within a frame on 10,000 rows.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ManagedNode } from '../../shared/domain/inventory';
import { filterNodes, parseNodeQuery } from '../../shared/node-filter';
import { useAppStore } from '../stores/app-store';
import { api } from '../api';
import { startSessionOn } from '../actions';
import { TunnelDialog } from '../components/TunnelDialog';
import { NodeDetail } from '../components/NodeDetail';
import { STATUS } from '../node-status';
import { EnginePicker } from '../components/EnginePicker';
import { PreflightButton } from '../components/PreflightDialog';
import { loadViewState, saveViewState, type NodesViewState, type SortKey } from '../view-state';
import { DropdownMenu } from '../ui/Menu';
import { updateSettings, useSettings } from '../settings';

const BASE_COLUMNS: Array<{ key: SortKey; label: string; width: string; mono?: boolean }> = [
  { key: 'name', label: 'Name', width: 'minmax(140px, 2fr)' },
  { key: 'id', label: 'ID', width: 'minmax(170px, 1.4fr)', mono: true },
  { key: 'ipAddress', label: 'IP', width: 'minmax(110px, 1fr)', mono: true },
  { key: 'platformName', label: 'Platform', width: 'minmax(110px, 1fr)' },
  { key: 'agentVersion', label: 'Agent', width: 'minmax(80px, 0.7fr)' },
  { key: 'pingStatus', label: 'Status', width: 'minmax(100px, 0.8fr)' },
];
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

const rowId = (node: ManagedNode) => `node-row-${node.id}`;

function cellValue(node: ManagedNode, key: SortKey): string {
  return key.startsWith('tag:') ? (node.tags[key.slice(4)] ?? '') : String(node[key as keyof ManagedNode] ?? '');
}

export function NodesView() {
  const profile = useAppStore((s) => s.profiles.find((p) => p.name === s.selectedProfile));
  const region = useAppStore((s) => s.selectedRegion);
  const inventory = useAppStore((s) => (profile && region ? s.inventories[`${profile.name}/${region}`] : undefined));
  const profileName = profile?.name ?? '';
  const engine = useSettings((s) => s.settings.profileEngines[profileName] ?? 'auto');
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
  // Filtering 10,000 rows takes well under a millisecond: no deferred second render needed.
  const query = view.query;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [cursor, setCursorIndex] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const [forwarding, setForwarding] = useState<ManagedNode | null>(null);

  const refresh = useCallback(() => {
    if (profile && region) void useAppStore.getState().loadInventory(profile.name, region);
  }, [profile, region]);

  useEffect(() => {
    if (profile && region && !inventory) refresh();
  }, [profile, region, inventory, refresh]);

  const sorted = useMemo(() => {
    const { key, dir } = view.sort;
    const nodes = inventory?.nodes ?? [];
    const values = new Map(nodes.map((n) => [n, cellValue(n, key)]));
    return [...nodes].sort((a, b) => dir * collator.compare(values.get(a)!, values.get(b)!));
  }, [inventory?.nodes, view.sort]);
  const rows = useMemo(() => filterNodes(sorted, query), [sorted, query]);
  const problems = useMemo(() => parseNodeQuery(query).problems, [query]);
  const tagKeys = useMemo(() => [...new Set((inventory?.nodes ?? []).flatMap((n) => Object.keys(n.tags)))].sort(collator.compare), [inventory?.nodes]);
  const columns = [...BASE_COLUMNS, ...view.tagColumns.map((tag) => ({ key: `tag:${tag}` as SortKey, label: tag, width: 'minmax(90px, 1fr)', mono: false }))];
  const grid = columns.map((c) => c.width).join(' ');

  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => 28, overscan: 12 });

  if (!profile) {
    return (
      <div className="empty-state">
        <h1>Start here</h1>
        <p>Pick a profile on the left to list the managed nodes it can reach.</p>
      </div>
    );
  }

  // The filter may have narrowed the list under the cursor: keep it on a row.
  const cursorIndex = Math.max(0, Math.min(cursor, rows.length - 1));
  const setCursor = (index: number) => {
    setCursorIndex(index);
    useAppStore.setState({ selectedNodeId: rows[index]?.id ?? null });
  };
  const moveCursor = (index: number) => {
    const next = Math.min(rows.length - 1, Math.max(0, index));
    setCursor(next);
    setSelected(new Set([rows[next].id]));
    virtualizer.scrollToIndex(next);
  };
  const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 280) / 28) - 1);
  const start = (node: ManagedNode | undefined) => {
    if (node && region) void startSessionOn(profile.name, region, node);
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
    setCursor(index);
    if (event.ctrlKey || event.metaKey) {
      const next = new Set(selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      setSelected(next);
    } else if (event.shiftKey) {
      const [from, to] = [Math.min(cursorIndex, index), Math.max(cursorIndex, index)];
      setSelected(new Set(rows.slice(from, to + 1).map((n) => n.id)));
    } else setSelected(new Set([id]));
  };

  const loading = inventory?.loading ?? true;
  const selectedNodes = rows.filter((n) => selected.has(n.id));
  const detail = selectedNodes.length === 1 ? selectedNodes[0] : null;
  return (
    <div className="nodes-view">
      <div className="nodes-toolbar">
        <input
          className="filter"
          type="search"
          aria-label="Filter nodes"
          placeholder="Filter nodes: text, tag:Key=Value, status:online, platform:linux, -exclude"
          value={view.query}
          onChange={(e) => update({ query: e.target.value })}
          onKeyDown={(e) => {
            // Down from the filter goes to the table, on its current row.
            if (e.key === 'ArrowDown' && rows.length > 0) {
              e.preventDefault();
              gridRef.current?.focus();
            }
          }}
        />
        <DropdownMenu
          label="Tag columns"
          trigger={<button type="button">Columns</button>}
          items={
            tagKeys.length === 0
              ? [{ kind: 'label', id: 'none', label: 'No tags on these nodes' }]
              : tagKeys.map((tag) => ({
                  kind: 'check',
                  id: tag,
                  label: tag,
                  checked: view.tagColumns.includes(tag),
                  onCheckedChange: (checked: boolean) => update({ tagColumns: checked ? [...view.tagColumns, tag] : view.tagColumns.filter((t) => t !== tag) }),
                }))
          }
        />
        {loading ? (
          <>
            <span className="dim" role="status">
              Listing… {(inventory?.progress ?? 0).toLocaleString()} nodes
            </span>
            <button type="button" onClick={() => region && void api.call('inventory.cancel', { profile: profile.name, region }).catch(() => undefined)}>
              Cancel
            </button>
          </>
        ) : (
          <button type="button" onClick={refresh} aria-label="Refresh nodes">
            Refresh
          </button>
        )}
      </div>
      {problems.length > 0 && <div className="inline-note">Not understood: {problems.join(', ')}</div>}
      {inventory?.errors.map((e) => (
        <div key={e.region} className="inline-error" role="alert">
          {e.region}: {e.message}
        </div>
      ))}
      {inventory?.error && (
        <div className="inline-error" role="alert">
          {inventory.error}
        </div>
      )}
      <div className="nodes-body">
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
          onFocus={(event) => {
            // Arriving by keyboard selects the row under the cursor, so the actions below
            // (Start session, Forward port, Preflight) apply to it and can be reached.
            if (event.target === event.currentTarget && rows.length > 0 && selectedNodes.length === 0) moveCursor(cursorIndex);
          }}
        >
          <div className="node-row header" role="row" style={{ gridTemplateColumns: grid }}>
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
              <div className="empty-state small-empty">
                {inventory?.nodes.length ? 'No node matches the filter.' : 'This profile and region have no managed nodes.'}
              </div>
            )}
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualizer.getVirtualItems().map((item) => {
                const node = rows[item.index];
                const status = STATUS[node.pingStatus];
                return (
                  <div
                    key={node.id}
                    id={rowId(node)}
                    role="row"
                    aria-selected={selected.has(node.id)}
                    className={`node-row${selected.has(node.id) ? ' selected' : ''}${item.index === cursorIndex ? ' cursor' : ''}`}
                    style={{ gridTemplateColumns: grid, transform: `translateY(${item.start}px)` }}
                    onClick={(e) => click(item.index, e)}
                    onDoubleClick={() => start(node)}
                  >
                    {columns.map((column) =>
                      column.key === 'pingStatus' ? (
                        <span role="gridcell" key={column.key}>
                          <span className={`dot ${status.className}`}>●</span> {status.label}
                        </span>
                      ) : (
                        <span role="gridcell" key={column.key} className={column.mono ? 'mono' : undefined}>
                          {cellValue(node, column.key)}
                        </span>
                      ),
                    )}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
        {detail && <NodeDetail node={detail} profile={profile.name} region={region ?? ''} />}
      </div>
      <div className="nodes-footer">
        <button type="button" className="primary" disabled={!selectedNodes[0] || selectedNodes[0].pingStatus !== 'Online'} onClick={() => start(selectedNodes[0])}>
          Start session
        </button>
        <button type="button" disabled={!selectedNodes[0] || selectedNodes[0].pingStatus !== 'Online'} onClick={() => selectedNodes[0] && setForwarding(selectedNodes[0])}>
          Forward port
        </button>
        <PreflightButton profile={profile.name} region={region} node={selectedNodes[0] ? { id: selectedNodes[0].id, name: selectedNodes[0].name } : null} />
        {selectedNodes.length > 1 && (
          <button type="button" onClick={() => selectedNodes.filter((n) => n.pingStatus === 'Online').forEach(start)}>
            Open {selectedNodes.filter((n) => n.pingStatus === 'Online').length} sessions
          </button>
        )}
        <span className="statusbar-spacer" />
        <EnginePicker value={engine} onChange={(choice) => void updateSettings({ profileEngines: { [profile.name]: choice === 'auto' ? null : choice } })} />
        <span>
          {selected.size > 1 ? `${selected.size} selected · ` : ''}
          {rows.length.toLocaleString()} of {(inventory?.nodes.length ?? 0).toLocaleString()}
        </span>
        {inventory?.updatedAt ? <span className="dim">updated {new Date(inventory.updatedAt).toLocaleTimeString()}</span> : null}
      </div>
      {forwarding && region && <TunnelDialog node={forwarding} profile={profile.name} region={region} onClose={() => setForwarding(null)} />}
    </div>
  );
}
