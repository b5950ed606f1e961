// The Containers view: a profile and region's ECS clusters → services → tasks → containers
// as a tree, a filter like the node list's, and for the selected container whether ECS Exec
// can reach it (and why not), a shell in a tab (command chosen, /bin/sh by default) and a
// port forward to it.
import { useEffect, useMemo, useRef, useState } from 'react';
import { containerRows, filterContainers, parseContainerQuery, type ContainerRow } from '../../shared/container-filter';
import type { EcsClusterInfo, EcsContainerInfo, EcsTaskInfo } from '../../shared/domain/containers';
import { useAppStore } from '../stores/app-store';
import { containerLabel, listingKey, useContainersStore } from '../stores/containers-store';
import { copyText, openContainerShell } from '../actions';
import { showDialog } from '../ui/dialogs';
import { ContainerForwardDialog } from '../components/ContainerForwardDialog';

const QUERY_KEY = (profile: string) => `hatch.containers.${profile}`;

/** One line of the tree: a cluster, a service (or the standalone tasks), a task or a container. */
type Item =
  | { kind: 'cluster'; id: string; level: 1; cluster: EcsClusterInfo; count: number }
  | { kind: 'service'; id: string; level: 2; cluster: EcsClusterInfo; name: string | null; count: number }
  | { kind: 'task'; id: string; level: 3; cluster: EcsClusterInfo; task: EcsTaskInfo }
  | { kind: 'container'; id: string; level: 4; cluster: EcsClusterInfo; task: EcsTaskInfo; container: EcsContainerInfo };

/** The tree for the matching rows: every parent of a match, in listing order. */
function buildTree(clusters: readonly EcsClusterInfo[], rows: readonly ContainerRow[], collapsed: ReadonlySet<string>, filtering: boolean): Item[] {
  const matching = new Set(rows.map((r) => r.container));
  const out: Item[] = [];
  for (const cluster of clusters) {
    const tasks = cluster.tasks.filter((t) => t.containers.some((c) => matching.has(c)));
    // An empty cluster still shows (there is nothing to filter in it) unless a filter is on.
    if (filtering && tasks.length === 0) continue;
    const clusterId = `c:${cluster.clusterArn}`;
    out.push({ kind: 'cluster', id: clusterId, level: 1, cluster, count: tasks.length });
    if (collapsed.has(clusterId) && !filtering) continue;
    const groups = new Map<string | null, EcsTaskInfo[]>();
    for (const s of cluster.services) if (!filtering) groups.set(s.serviceName, []);
    for (const t of tasks) groups.set(t.serviceName, [...(groups.get(t.serviceName) ?? []), t]);
    for (const [name, list] of groups) {
      const serviceId = `s:${cluster.clusterArn}/${name ?? ''}`;
      out.push({ kind: 'service', id: serviceId, level: 2, cluster, name, count: list.length });
      if (collapsed.has(serviceId) && !filtering) continue;
      for (const task of list) {
        const taskId = `t:${task.taskArn}`;
        out.push({ kind: 'task', id: taskId, level: 3, cluster, task });
        if (collapsed.has(taskId) && !filtering) continue;
        for (const container of task.containers) if (matching.has(container)) out.push({ kind: 'container', id: `k:${task.taskArn}/${container.name}`, level: 4, cluster, task, container });
      }
    }
  }
  return out;
}

function ExecBadge({ container }: { container: EcsContainerInfo }) {
  return container.exec.possible ? (
    <span className="exec-badge exec-ok">● exec ready</span>
  ) : (
    <span className="exec-badge exec-no" title={container.exec.reason ?? undefined}>
      ✕ no exec
    </span>
  );
}

function itemText(item: Item): string {
  switch (item.kind) {
    case 'cluster':
      return item.cluster.clusterName;
    case 'service':
      return item.name ?? 'Standalone tasks';
    case 'task':
      return `Task ${item.task.taskId.slice(0, 12)}`;
    case 'container':
      return item.container.name;
  }
}

export function ContainersView() {
  const profile = useAppStore((s) => s.selectedProfile);
  const region = useAppStore((s) => s.selectedRegion);
  const listing = useContainersStore((s) => (profile && region ? s.listings[listingKey(profile, region)] : undefined));
  const load = useContainersStore((s) => s.load);
  const [query, setQueryState] = useState(() => (profile ? (localStorage.getItem(QUERY_KEY(profile)) ?? '') : ''));
  const [queryProfile, setQueryProfile] = useState(profile);
  if (queryProfile !== profile) {
    // Each profile keeps its own filter.
    setQueryProfile(profile);
    setQueryState(profile ? (localStorage.getItem(QUERY_KEY(profile)) ?? '') : '');
  }
  const setQuery = (q: string) => {
    setQueryState(q);
    if (profile) localStorage.setItem(QUERY_KEY(profile), q);
  };
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [cursorId, setCursorId] = useState<string | null>(null);
  const treeRef = useRef<HTMLUListElement>(null);

  useEffect(() => {
    if (profile && region && !listing) void load(profile, region);
  }, [profile, region, listing, load]);

  const clusters = useMemo(() => listing?.snapshot?.clusters ?? [], [listing?.snapshot]);
  const all = useMemo(() => containerRows(clusters), [clusters]);
  const parsed = useMemo(() => parseContainerQuery(query), [query]);
  const rows = useMemo(() => filterContainers(all, parsed), [all, parsed]);
  const filtering = parsed.terms.length > 0;
  const items = useMemo(() => buildTree(clusters, rows, collapsed, filtering), [clusters, rows, collapsed, filtering]);

  if (!profile || !region) {
    return (
      <div className="empty-state">
        <h1>Containers</h1>
        <p>Pick a profile on the left to list the ECS clusters it can reach.</p>
      </div>
    );
  }

  const cursorIndex = Math.max(0, items.findIndex((i) => i.id === cursorId));
  const current = items[cursorIndex] as Item | undefined;
  const toggle = (id: string) => {
    const next = new Set(collapsed);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setCollapsed(next);
  };
  const move = (index: number) => {
    const item = items[Math.max(0, Math.min(items.length - 1, index))];
    if (!item) return;
    setCursorId(item.id);
    document.getElementById(`tree-${cssId(item.id)}`)?.scrollIntoView({ block: 'nearest' });
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (!current) return;
    const parentIndex = () => {
      for (let i = cursorIndex - 1; i >= 0; i--) if (items[i].level < current.level) return i;
      return cursorIndex;
    };
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(cursorIndex + 1),
      ArrowUp: () => move(cursorIndex - 1),
      Home: () => move(0),
      End: () => move(items.length - 1),
      ArrowRight: () => (current.kind !== 'container' && collapsed.has(current.id) ? toggle(current.id) : move(cursorIndex + 1)),
      ArrowLeft: () => (current.kind !== 'container' && !collapsed.has(current.id) && !filtering ? toggle(current.id) : move(parentIndex())),
      Enter: () => {
        if (current.kind === 'container' && current.container.exec.possible) void shell(current, '/bin/sh');
        else if (current.kind !== 'container') toggle(current.id);
      },
    };
    const run = keys[event.key];
    if (!run) return;
    event.preventDefault();
    run();
  };
  const shell = (item: Extract<Item, { kind: 'container' }>, command: string) =>
    openContainerShell(profile, region, {
      cluster: item.cluster.clusterName,
      task: item.task.taskArn,
      container: item.container.name,
      command,
      title: containerLabel(item.cluster.clusterName, item.task, item.container.name),
    });

  const total = all.length;
  return (
    <div className="nodes-view containers-view">
      <div className="nodes-toolbar">
        <input
          className="filter"
          type="search"
          aria-label="Filter containers"
          placeholder="Filter containers: text, cluster:prod, service:web, exec:yes, tag:Key=Value, -exclude"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' && items.length > 0) {
              e.preventDefault();
              treeRef.current?.focus();
            }
          }}
        />
        {listing?.loading ? (
          <span className="dim" role="status">
            Listing clusters…
          </span>
        ) : (
          <button type="button" onClick={() => void load(profile, region, true)} aria-label="Refresh containers">
            Refresh
          </button>
        )}
      </div>
      {parsed.problems.length > 0 && <div className="inline-note">Not understood: {parsed.problems.join(' ')}</div>}
      {listing?.error && (
        <div className="inline-error" role="alert">
          {listing.error}
        </div>
      )}
      <div className="nodes-body">
        <ul
          ref={treeRef}
          className="container-tree"
          role="tree"
          aria-label="ECS clusters, services, tasks and containers"
          tabIndex={0}
          data-primary-focus
          aria-activedescendant={current ? `tree-${cssId(current.id)}` : undefined}
          onKeyDown={onKeyDown}
          onFocus={(e) => e.target === e.currentTarget && !cursorId && items[0] && setCursorId(items[0].id)}
        >
          {!listing?.loading && items.length === 0 && (
            <li className="empty-state small-empty" role="none">
              {filtering ? 'No container matches the filter.' : `No ECS clusters in ${region}.`}
            </li>
          )}
          {items.map((item, index) => {
            const expandable = item.kind !== 'container';
            const open = expandable && (filtering || !collapsed.has(item.id));
            return (
              <li
                key={item.id}
                id={`tree-${cssId(item.id)}`}
                role="treeitem"
                aria-level={item.level}
                aria-expanded={expandable ? open : undefined}
                aria-selected={index === cursorIndex}
                className={`tree-row level-${item.level}${index === cursorIndex ? ' cursor selected' : ''}`}
                onClick={() => setCursorId(item.id)}
                onDoubleClick={() => (item.kind === 'container' ? item.container.exec.possible && void shell(item, '/bin/sh') : toggle(item.id))}
              >
                {expandable ? (
                  <button
                    type="button"
                    className="tree-twisty"
                    tabIndex={-1}
                    aria-hidden="true"
                    onClick={(e) => {
                      e.stopPropagation();
                      toggle(item.id);
                    }}
                  >
                    {open ? '▾' : '▸'}
                  </button>
                ) : (
                  <span className="tree-twisty" />
                )}
                <span className="tree-name">{itemText(item)}</span>
                {item.kind === 'cluster' && (
                  <span className="dim">
                    {plural(item.cluster.activeServicesCount, 'service')} · {plural(item.cluster.runningTasksCount, 'running task')}{item.cluster.error ? ' · could not list everything' : ''}
                  </span>
                )}
                {item.kind === 'service' && <span className="dim">{plural(item.count, 'task')}{item.name !== null && !item.cluster.services.find((s) => s.serviceName === item.name)?.enableExecuteCommand ? ' · exec off' : ''}</span>}
                {item.kind === 'task' && (
                  <span className="dim">
                    {item.task.lastStatus?.toLowerCase()} · {item.task.taskDefinition}
                  </span>
                )}
                {item.kind === 'container' && (
                  <>
                    <span className="dim tree-image">{item.container.image}</span>
                    <ExecBadge container={item.container} />
                  </>
                )}
              </li>
            );
          })}
        </ul>
        {current && <ContainerDetail item={current} profile={profile} region={region} onShell={shell} />}
      </div>
      <div className="nodes-footer">
        <span className="statusbar-spacer" />
        <span>
          {rows.length.toLocaleString()} of {total.toLocaleString()} containers
        </span>
        {listing?.snapshot ? <span className="dim">updated {new Date(listing.snapshot.updatedAt).toLocaleTimeString()}</span> : null}
      </div>
    </div>
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const cssId = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, '_');

function ContainerDetail({ item, profile, region, onShell }: { item: Item; profile: string; region: string; onShell(item: Extract<Item, { kind: 'container' }>, command: string): Promise<boolean> }) {
  const [command, setCommand] = useState('/bin/sh');
  const [busy, setBusy] = useState(false);
  if (item.kind !== 'container') {
    const rows: Array<[string, string]> =
      item.kind === 'cluster'
        ? [
            ['Cluster', item.cluster.clusterName],
            ['Status', item.cluster.status ?? '—'],
            ['Services', String(item.cluster.activeServicesCount)],
            ['Running tasks', String(item.cluster.runningTasksCount)],
            ...Object.entries(item.cluster.tags).map(([k, v]): [string, string] => [k, v]),
          ]
        : item.kind === 'service'
          ? (() => {
              const s = item.cluster.services.find((x) => x.serviceName === item.name);
              return [
                ['Service', item.name ?? 'Standalone tasks'],
                ['Cluster', item.cluster.clusterName],
                ...(s
                  ? ([
                      ['ECS Exec', s.enableExecuteCommand ? 'enabled' : 'not enabled'],
                      ['Tasks', `${s.runningCount} running of ${s.desiredCount}`],
                      ['Launch type', s.launchType ?? '—'],
                    ] as Array<[string, string]>)
                  : []),
              ];
            })()
          : [
              ['Task', item.task.taskId],
              ['Cluster', item.cluster.clusterName],
              ['Service', item.task.serviceName ?? '—'],
              ['Definition', item.task.taskDefinition ?? '—'],
              ['Status', item.task.lastStatus ?? '—'],
              ['ECS Exec', item.task.enableExecuteCommand ? 'enabled' : 'not enabled'],
              ['Launch type', item.task.launchType ?? '—'],
              ['Started', item.task.startedAt ? new Date(item.task.startedAt).toLocaleString() : '—'],
            ];
    return (
      <aside className="node-detail" aria-label={`Details of ${itemText(item)}`}>
        <h2>{itemText(item)}</h2>
        <dl>
          {rows.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </aside>
    );
  }
  const { container, task, cluster } = item;
  const rows: Array<[string, string]> = [
    ['Image', container.image ?? '—'],
    ['Cluster', cluster.clusterName],
    ['Service', task.serviceName ?? '—'],
    ['Task', task.taskId],
    ['Runtime id', container.runtimeId ?? '—'],
    ['Status', container.lastStatus ?? '—'],
    ['Exec agent', container.agentStatus ?? 'none'],
  ];
  const open = async () => {
    setBusy(true);
    await onShell(item, command.trim() || '/bin/sh');
    setBusy(false);
  };
  return (
    <aside className="node-detail" aria-label={`Details of ${container.name}`}>
      <h2>{container.name}</h2>
      <dl>
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd className={label === 'Task' || label === 'Runtime id' ? 'mono' : undefined}>{value}</dd>
          </div>
        ))}
      </dl>
      <h3>ECS Exec</h3>
      {container.exec.possible ? (
        <p className="exec-ok">Ready: the ExecuteCommandAgent is running.</p>
      ) : (
        <p className="exec-why" role="note" aria-label="Why ECS Exec is not possible">
          {container.exec.reason}
        </p>
      )}
      <form
        className="exec-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (container.exec.possible && !busy) void open();
        }}
      >
        <label htmlFor="exec-command">Command</label>
        <input id="exec-command" className="mono" value={command} onChange={(e) => setCommand(e.target.value)} disabled={!container.exec.possible} />
        <div className="node-detail-actions">
          <button type="submit" className="primary" disabled={!container.exec.possible || busy} title={container.exec.reason ?? undefined}>
            {busy ? 'Opening…' : 'Open shell'}
          </button>
          <button
            type="button"
            disabled={!container.exec.possible || !container.target}
            title={container.exec.reason ?? undefined}
            onClick={() => showDialog((close) => <ContainerForwardDialog profile={profile} region={region} target={container.target ?? ''} name={containerLabel(cluster.clusterName, task, container.name)} onClose={close} />)}
          >
            Forward port…
          </button>
          {container.target && (
            <button type="button" onClick={() => copyText(container.target ?? '')}>
              Copy target
            </button>
          )}
        </div>
      </form>
    </aside>
  );
}
