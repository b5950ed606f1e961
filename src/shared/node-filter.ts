// The node-table query language, as a pure module (the renderer may import it too):
//
//   web                 free text: substring of name, id, IP, platform name or type
//   "web server"        quotes keep spaces
//   tag:env=prod        tag equals (case-insensitive); tag:env=prod* prefix; tag:env any value
//   status:online       online | lost | inactive (comma for either: status:online,lost)
//   platform:linux      platform type (linux/windows/macos) or a word of the platform name
//   -term               any term negated
//
// Terms combine with AND. Matching uses per-node keys lowercased once and cached by
// node identity, and only string comparisons per row (no regex), so 10,000 rows filter
// well within a frame.
import type { ManagedNode, PingStatus } from './domain/inventory';

export type NodeTerm =
  | { type: 'text'; value: string; negate: boolean }
  | { type: 'tag'; key: string; value?: string; prefix: boolean; negate: boolean; needle: string }
  | { type: 'status'; values: PingStatus[]; negate: boolean }
  | { type: 'platform'; value: string; negate: boolean };

export interface NodeQuery {
  terms: NodeTerm[];
  /** Parts of the query that were not understood (shown to the user, otherwise ignored). */
  problems: string[];
}

const STATUS: Record<string, PingStatus> = {
  online: 'Online',
  lost: 'ConnectionLost',
  connectionlost: 'ConnectionLost',
  offline: 'ConnectionLost',
  inactive: 'Inactive',
};

export function parseNodeQuery(query: string): NodeQuery {
  const terms: NodeTerm[] = [];
  const problems: string[] = [];
  for (let token of tokenize(query)) {
    let negate = false;
    if (token.length > 1 && token.startsWith('-')) {
      negate = true;
      token = token.slice(1);
    }
    const colon = token.indexOf(':');
    const qualifier = colon > 0 ? token.slice(0, colon).toLowerCase() : '';
    const rest = colon > 0 ? token.slice(colon + 1) : '';
    if (qualifier === 'tag' && rest) {
      const eq = rest.indexOf('=');
      const key = (eq < 0 ? rest : rest.slice(0, eq)).toLowerCase();
      if (!key) {
        problems.push(`"${token}": a tag needs a key (tag:Key=Value).`);
        continue;
      }
      if (eq < 0) {
        terms.push({ type: 'tag', key, prefix: false, negate, needle: `\u0001${key}\u0002` });
      } else {
        let value = rest.slice(eq + 1).toLowerCase();
        const prefix = value.endsWith('*');
        if (prefix) value = value.slice(0, -1);
        // Exact: the value is followed by the next tag's separator (or the final one).
        terms.push({ type: 'tag', key, value, prefix, negate, needle: `\u0001${key}\u0002${value}${prefix ? '' : '\u0001'}` });
      }
    } else if (qualifier === 'status' && rest) {
      const values: PingStatus[] = [];
      for (const part of rest.toLowerCase().split(/[,|]/)) {
        const status = STATUS[part];
        if (status) values.push(status);
        else if (part) problems.push(`"${part}" is not a status (online, lost, inactive).`);
      }
      if (values.length > 0) terms.push({ type: 'status', values, negate });
    } else if (qualifier === 'platform' && rest) {
      terms.push({ type: 'platform', value: rest.toLowerCase(), negate });
    } else {
      terms.push({ type: 'text', value: token.toLowerCase(), negate });
    }
  }
  return { terms, problems };
}

/**
 * Build the search keys of a listing ahead of the first keystroke (once per node object;
 * ~1 µs a node), so typing never pays for it.
 */
export function prepareNodes(nodes: readonly ManagedNode[]): void {
  for (const node of nodes) searchKey(node);
}

/** The nodes matching `query` (a string or a parsed query), in their original order. */
export function filterNodes(nodes: readonly ManagedNode[], query: string | NodeQuery): ManagedNode[] {
  const parsed = typeof query === 'string' ? parseNodeQuery(query) : query;
  if (parsed.terms.length === 0) return nodes.slice();
  const out: ManagedNode[] = [];
  for (const node of nodes) {
    const key = searchKey(node);
    let ok = true;
    for (const term of parsed.terms) {
      if (matches(key, term) === term.negate) {
        ok = false;
        break;
      }
    }
    if (ok) out.push(node);
  }
  return out;
}

export function matchesNode(node: ManagedNode, query: NodeQuery): boolean {
  const key = searchKey(node);
  return query.terms.every((term) => matches(key, term) !== term.negate);
}

interface SearchKey {
  /** name, id, ip, platform name and type, lowercased, separated by a char no query holds. */
  text: string;
  /** "\u0001key\u0002value" per tag, lowercased: tag terms are substring checks. */
  tags: string;
  status: PingStatus;
  platformType: string;
  platformName: string;
}

const keys = new WeakMap<ManagedNode, SearchKey>();

function searchKey(node: ManagedNode): SearchKey {
  let key = keys.get(node);
  if (!key) {
    const platformType = (node.platformType ?? '').toLowerCase();
    const platformName = (node.platformName ?? '').toLowerCase();
    let tags = '';
    for (const k in node.tags) tags += `\u0001${k}\u0002${node.tags[k]}`;
    key = {
      text: `${node.name}\u0001${node.id}\u0001${node.ipAddress ?? ''}\u0001${platformName}\u0001${platformType}`.toLowerCase(),
      tags: `${tags.toLowerCase()}\u0001`,
      status: node.pingStatus,
      platformType,
      platformName,
    };
    keys.set(node, key);
  }
  return key;
}

function matches(key: SearchKey, term: NodeTerm): boolean {
  switch (term.type) {
    case 'text':
      return key.text.includes(term.value);
    case 'status':
      return term.values.includes(key.status);
    case 'platform':
      return key.platformType === term.value || key.platformName.includes(term.value);
    case 'tag':
      return key.tags.includes(term.needle);
  }
}

/** Split on whitespace, keeping "quoted parts" (also inside a term: tag:Name="web 1"). Shared with the container filter. */
export function tokenize(query: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quoted = false;
  let started = false;
  for (const ch of query) {
    if (ch === '"') {
      quoted = !quoted;
      started = true;
    } else if (!quoted && (ch === ' ' || ch === '\t' || ch === '\n')) {
      if (started) tokens.push(current);
      current = '';
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (started && current) tokens.push(current);
  return tokens.filter((t) => t.length > 0);
}
