// The node browser: a virtualized table of a profile's managed nodes with a filter box,
// sorting, multi-select and Enter/double-click to start a session.
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ManagedNode } from '../../shared/domain/inventory';
import { filterNodes } from '../../main/inventory/filter';
import { useAppStore } from '../stores/app-store';
import { startSessionOn } from '../actions';
import { TunnelDialog } from '../components/TunnelDialog';

type SortKey = 'name' | 'id' | 'ipAddress' | 'platformName' | 'agentVersion' | 'pingStatus';
const COLUMNS: Array<{ key: SortKey; label: string; width: string }> = [
  { key: 'name', label: 'Name', width: 'minmax(140px, 2fr)' },
  { key: 'id', label: 'ID', width: 'minmax(170px, 1.4fr)' },
  { key: 'ipAddress', label: 'IP', width: 'minmax(110px, 1fr)' },
  { key: 'platformName', label: 'Platform', width: 'minmax(110px, 1fr)' },
  { key: 'agentVersion', label: 'Agent', width: 'minmax(80px, 0.7fr)' },
  { key: 'pingStatus', label: 'Status', width: 'minmax(110px, 0.8fr)' },
];
const GRID = COLUMNS.map((c) => c.width).join(' ');
const STATUS: Record<ManagedNode['pingStatus'], { label: string; className: string }> = {
  Online: { label: 'Online', className: 'dot-ok' },
  ConnectionLost: { label: 'Lost', className: 'dot-wait' },
  Inactive: { label: 'Inactive', className: 'dot-idle' },
};

export function NodesView() {
  const profile = useAppStore((s) => s.profiles.find((p) => p.name === s.selectedProfile));
  const region = useAppStore((s) => s.selectedRegion);
  const inventory = useAppStore((s) => (profile && region ? s.inventories[`${profile.name}/${region}`] : undefined));
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'name', dir: 1 });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [cursor, setCursorIndex] = useState(0);
  const setCursor = (index: number) => {
    setCursorIndex(index);
    useAppStore.setState({ selectedNodeId: rows[index]?.id ?? null });
  };
  const scroller = useRef<HTMLDivElement>(null);
  const [forwarding, setForwarding] = useState<ManagedNode | null>(null);

  const refresh = useCallback(() => {
    if (profile && region) void useAppStore.getState().loadInventory(profile.name, region);
  }, [profile, region]);

  useEffect(() => {
    if (profile && region && !inventory) refresh();
  }, [profile, region, inventory, refresh]);

  const rows = useMemo(() => {
    const filtered = filterNodes(inventory?.nodes ?? [], deferredQuery);
    const { key, dir } = sort;
    return [...filtered].sort((a, b) => dir * String(a[key] ?? '').localeCompare(String(b[key] ?? ''), undefined, { numeric: true }));
  }, [inventory?.nodes, deferredQuery, sort]);

  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => 28, overscan: 12 });

  if (!profile) {
    return (
      <div className="empty-state">
        <h1>Start here</h1>
        <p>Pick a profile on the left to list the managed nodes it can reach.</p>
      </div>
    );
  }

  const start = (node: ManagedNode | undefined) => {
    if (node && region) void startSessionOn(profile.name, region, node);
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (rows.length === 0) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = Math.min(rows.length - 1, Math.max(0, cursor + (event.key === 'ArrowDown' ? 1 : -1)));
      setCursor(next);
      setSelected(new Set([rows[next].id]));
      virtualizer.scrollToIndex(next);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      start(rows[cursor]);
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
      const [from, to] = [Math.min(cursor, index), Math.max(cursor, index)];
      setSelected(new Set(rows.slice(from, to + 1).map((n) => n.id)));
    } else setSelected(new Set([id]));
  };

  const loading = inventory?.loading ?? true;
  const firstSelected = rows.find((n) => selected.has(n.id));
  return (
    <div className="nodes-view">
      <div className="nodes-toolbar">
        <input
          className="filter"
          type="search"
          aria-label="Filter nodes"
          placeholder="Filter nodes: text, tag:Key=Value, status:online"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <button type="button" onClick={refresh} disabled={loading} aria-label="Refresh nodes">
          {loading ? `Listing… ${inventory?.progress ?? 0}` : 'Refresh'}
        </button>
      </div>
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
      <div className="node-table" role="grid" aria-label="Managed nodes" aria-rowcount={rows.length} tabIndex={0} onKeyDown={onKeyDown}>
        <div className="node-row header" role="row" style={{ gridTemplateColumns: GRID }}>
          {COLUMNS.map((column) => (
            <button
              key={column.key}
              type="button"
              role="columnheader"
              aria-sort={sort.key === column.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}
              onClick={() => setSort((s) => ({ key: column.key, dir: s.key === column.key ? (-s.dir as 1 | -1) : 1 }))}
            >
              {column.label}
              {sort.key === column.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
            </button>
          ))}
        </div>
        <div className="node-scroller" ref={scroller}>
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const node = rows[item.index];
              const status = STATUS[node.pingStatus];
              return (
                <div
                  key={node.id}
                  role="row"
                  aria-selected={selected.has(node.id)}
                  className={`node-row${selected.has(node.id) ? ' selected' : ''}${item.index === cursor ? ' cursor' : ''}`}
                  style={{ gridTemplateColumns: GRID, transform: `translateY(${item.start}px)` }}
                  onClick={(e) => click(item.index, e)}
                  onDoubleClick={() => start(node)}
                >
                  <span role="gridcell">{node.name}</span>
                  <span role="gridcell" className="mono">
                    {node.id}
                  </span>
                  <span role="gridcell" className="mono">
                    {node.ipAddress ?? ''}
                  </span>
                  <span role="gridcell">{node.platformName ?? node.platformType ?? ''}</span>
                  <span role="gridcell">{node.agentVersion ?? ''}</span>
                  <span role="gridcell">
                    <span className={`dot ${status.className}`}>●</span> {status.label}
                  </span>
                </div>
              );
            })}
          </div>
        </div>
      </div>
      <div className="nodes-footer">
        <button type="button" className="primary" disabled={!firstSelected || firstSelected.pingStatus !== 'Online'} onClick={() => start(firstSelected)}>
          Start session
        </button>
        <button type="button" disabled={!firstSelected || firstSelected.pingStatus !== 'Online'} onClick={() => firstSelected && setForwarding(firstSelected)}>
          Forward port
        </button>
        <span className="statusbar-spacer" />
        <span>
          {rows.length.toLocaleString()} of {(inventory?.nodes.length ?? 0).toLocaleString()}
        </span>
        {inventory?.updatedAt ? <span className="dim">updated {new Date(inventory.updatedAt).toLocaleTimeString()}</span> : null}
      </div>
      {forwarding && region && <TunnelDialog node={forwarding} profile={profile.name} region={region} onClose={() => setForwarding(null)} />}
    </div>
  );
}
