// The Containers view's filter, in the node filter's style (pure; runs in the renderer):
//
//   web                 free text: cluster, service, task id, container name or image
//   cluster:prod        cluster name (prefix with *: cluster:prod*)
//   service:web         service name (standalone tasks have none)
//   exec:yes | exec:no  whether ECS Exec can reach the container
//   tag:Environment=prod  a tag of the cluster (same rules as the node filter)
//   -term               any term negated
//
// Terms combine with AND, and match containers; the view shows the clusters, services and
// tasks that hold a match.
import type { EcsClusterInfo, EcsContainerInfo, EcsTaskInfo } from './domain/containers';
import { tokenize } from './node-filter';

export interface ContainerRow {
  cluster: EcsClusterInfo;
  task: EcsTaskInfo;
  container: EcsContainerInfo;
}

type Term =
  | { type: 'text'; value: string; negate: boolean }
  | { type: 'cluster' | 'service'; value: string; prefix: boolean; negate: boolean }
  | { type: 'exec'; value: boolean; negate: boolean }
  | { type: 'tag'; key: string; value?: string; prefix: boolean; negate: boolean };

interface ContainerQuery {
  terms: Term[];
  problems: string[];
}

export function parseContainerQuery(query: string): ContainerQuery {
  const terms: Term[] = [];
  const problems: string[] = [];
  for (let token of tokenize(query)) {
    let negate = false;
    if (token.length > 1 && token.startsWith('-')) {
      negate = true;
      token = token.slice(1);
    }
    const colon = token.indexOf(':');
    const qualifier = colon > 0 ? token.slice(0, colon).toLowerCase() : '';
    const rest = colon > 0 ? token.slice(colon + 1).toLowerCase() : '';
    if ((qualifier === 'cluster' || qualifier === 'service') && rest) {
      const prefix = rest.endsWith('*');
      terms.push({ type: qualifier, value: prefix ? rest.slice(0, -1) : rest, prefix, negate });
    } else if (qualifier === 'exec' && rest) {
      if (['yes', 'true', 'on', 'ok'].includes(rest)) terms.push({ type: 'exec', value: true, negate });
      else if (['no', 'false', 'off'].includes(rest)) terms.push({ type: 'exec', value: false, negate });
      else problems.push(`"${rest}" is not exec:yes or exec:no.`);
    } else if (qualifier === 'tag' && rest) {
      const eq = rest.indexOf('=');
      const key = eq < 0 ? rest : rest.slice(0, eq);
      let value = eq < 0 ? undefined : rest.slice(eq + 1);
      const prefix = value?.endsWith('*') ?? false;
      if (prefix && value !== undefined) value = value.slice(0, -1);
      if (!key) problems.push(`"${token}": a tag needs a key (tag:Key=Value).`);
      else terms.push({ type: 'tag', key, value, prefix, negate });
    } else {
      terms.push({ type: 'text', value: token.toLowerCase(), negate });
    }
  }
  return { terms, problems };
}

/** Every container of a snapshot, cluster by cluster, in listing order. */
export function containerRows(clusters: readonly EcsClusterInfo[]): ContainerRow[] {
  const rows: ContainerRow[] = [];
  for (const cluster of clusters) for (const task of cluster.tasks) for (const container of task.containers) rows.push({ cluster, task, container });
  return rows;
}

const same = (actual: string, value: string, prefix: boolean) => (prefix ? actual.startsWith(value) : actual === value);

function matches(row: ContainerRow, term: Term): boolean {
  switch (term.type) {
    case 'text':
      return [row.cluster.clusterName, row.task.serviceName ?? '', row.task.taskId, row.container.name, row.container.image ?? '', row.task.taskDefinition ?? '']
        .join('\u0001')
        .toLowerCase()
        .includes(term.value);
    case 'cluster':
      return same(row.cluster.clusterName.toLowerCase(), term.value, term.prefix);
    case 'service':
      return same((row.task.serviceName ?? '').toLowerCase(), term.value, term.prefix);
    case 'exec':
      return row.container.exec.possible === term.value;
    case 'tag':
      return Object.entries(row.cluster.tags).some(([k, v]) => k.toLowerCase() === term.key && (term.value === undefined || same(v.toLowerCase(), term.value, term.prefix)));
  }
}

export function filterContainers(rows: readonly ContainerRow[], query: string | ContainerQuery): ContainerRow[] {
  const parsed = typeof query === 'string' ? parseContainerQuery(query) : query;
  if (parsed.terms.length === 0) return rows.slice();
  return rows.filter((row) => parsed.terms.every((term) => matches(row, term) !== term.negate));
}
