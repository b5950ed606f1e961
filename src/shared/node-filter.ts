// The node-table query language, as a pure module (the renderer may import it too):
//
//   web                 free text: substring of name, id, IP, platform name or type, or a tag value
//   "web server"        quotes keep spaces
//   tag:env=prod        tag equals (case-insensitive); tag:env=prod* prefix; tag:env any value.
//                       Common short keys also find their long form (env = Environment, see TAG_ALIASES)
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
  | { type: 'tag'; key: string; value?: string; prefix: boolean; negate: boolean; needle: string; needles: string[] }
  | { type: 'status'; values: PingStatus[]; negate: boolean }
  | { type: 'platform'; value: string; negate: boolean };

export interface NodeQuery {
  terms: NodeTerm[];
  /** Parts of the query that were not understood (shown to the user, otherwise ignored). */
  problems: string[];
}

/**
 * Short tag keys people type for the long ones AWS examples use, both ways: `tag:env=prod`
 * finds Environment=prod (and `tag:environment` finds env). Keys are lowercase.
 */
const TAG_ALIASES: Record<string, string[]> = {
  env: ['environment'],
  environment: ['env'],
  app: ['application'],
  application: ['app'],
  svc: ['service'],
  service: ['svc'],
  owner: ['team'],
  team: ['owner'],
};

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
      const keys = [key, ...(TAG_ALIASES[key] ?? [])];
      if (eq < 0) {
        const needles = keys.map((k) => `\u0001${k}\u0002`);
        terms.push({ type: 'tag', key, prefix: false, negate, needle: needles[0], needles });
      } else {
        let value = rest.slice(eq + 1).toLowerCase();
        const prefix = value.endsWith('*');
        if (prefix) value = value.slice(0, -1);
        // Exact: the value is followed by the next tag's separator (or the final one).
        const needles = keys.map((k) => `\u0001${k}\u0002${value}${prefix ? '' : '\u0001'}`);
        terms.push({ type: 'tag', key, value, prefix, negate, needle: needles[0], needles });
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

/**
 * Whether every node matching `next` also matches `previous`, so `next` may filter the
 * previous result instead of the whole list (typing on: "web" → "web-0"). Conservative:
 * a text term may be lengthened, any other term must stay exactly as it was, and terms
 * may be added; anything else (a deleted character, tag:Env → tag:Env=, a negation that
 * grows) filters the whole list again.
 */
export function refines(previous: NodeQuery, next: NodeQuery): boolean {
  return previous.terms.every((old) =>
    next.terms.some((term) =>
      old.type === 'text' && !old.negate && term.type === 'text' && !term.negate ? term.value.includes(old.value) : JSON.stringify(old) === JSON.stringify(term),
    ),
  );
}

/**
 * A filter that remembers its last answer: while the list is the same array and the query
 * only narrows (see `refines`), it scans the previous matches instead of every node.
 */
export function createNodeFilter(): (nodes: readonly ManagedNode[], query: string) => ManagedNode[] {
  let last: { nodes: readonly ManagedNode[]; query: NodeQuery; rows: ManagedNode[] } | null = null;
  return (nodes, text) => {
    const query = parseNodeQuery(text);
    const from = last && last.nodes === nodes && refines(last.query, query) ? last.rows : nodes;
    const rows = filterNodes(from, query);
    last = { nodes, query, rows };
    return rows;
  };
}

export function matchesNode(node: ManagedNode, query: NodeQuery): boolean {
  const key = searchKey(node);
  return query.terms.every((term) => matches(key, term) !== term.negate);
}

interface SearchKey {
  /** name, id, ip, platform name and type, tag values, lowercased, separated by a char no query holds. */
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
    let values = '';
    for (const k in node.tags) {
      tags += `\u0001${k}\u0002${node.tags[k]}`;
      values += `\u0001${node.tags[k]}`;
    }
    key = {
      text: `${node.name}\u0001${node.id}\u0001${node.ipAddress ?? ''}\u0001${platformName}\u0001${platformType}${values}`.toLowerCase(),
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
      if (term.needles.length === 1) return key.tags.includes(term.needle);
      for (const needle of term.needles) if (key.tags.includes(needle)) return true;
      return false;
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

/** What the word being typed asks to complete: a tag key (`tag:En`) or a tag value (`tag:Role=we`). */
type TagCompletion = { kind: 'key'; typed: string; start: number } | { kind: 'value'; key: string; typed: string; start: number };

/** The tag completion at the end of `query` (where the caret is while typing), if any. */
export function tagCompletionAt(query: string): TagCompletion | null {
  const start = Math.max(query.lastIndexOf(' '), query.lastIndexOf('\t')) + 1;
  let word = query.slice(start);
  let offset = start;
  if (word.startsWith('-')) {
    word = word.slice(1);
    offset++;
  }
  if (!word.toLowerCase().startsWith('tag:')) return null;
  const rest = word.slice(4);
  const eq = rest.indexOf('=');
  if (eq < 0) return { kind: 'key', typed: rest, start: offset };
  return { kind: 'value', key: rest.slice(0, eq), typed: rest.slice(eq + 1).replace(/^"/, ''), start: offset };
}

/** Tag keys and, per key, the values that occur in `nodes` (for suggestions and empty results). */
export function tagIndex(nodes: readonly ManagedNode[]): Map<string, Map<string, number>> {
  const index = new Map<string, Map<string, number>>();
  for (const node of nodes) {
    for (const k in node.tags) {
      let values = index.get(k);
      if (!values) index.set(k, (values = new Map()));
      values.set(node.tags[k], (values.get(node.tags[k]) ?? 0) + 1);
    }
  }
  return index;
}

/** Why a query found nothing, in words (one line per term that alone excludes everything). */
export function explainEmpty(nodes: readonly ManagedNode[], query: string, index: Map<string, Map<string, number>> = tagIndex(nodes)): string[] {
  const parsed = parseNodeQuery(query);
  const reasons: string[] = [];
  const keys = [...index.keys()];
  for (const term of parsed.terms) {
    const alone = { terms: [term], problems: [] };
    if (nodes.some((node) => matchesNode(node, alone))) continue;
    if (term.type === 'tag' && !term.negate) {
      const wanted = [term.key, ...(TAG_ALIASES[term.key] ?? [])];
      const real = keys.find((k) => wanted.includes(k.toLowerCase()));
      if (!real) reasons.push(`No node here has a tag "${term.key}".`);
      else {
        const values = [...index.get(real)!.keys()].slice(0, 8);
        reasons.push(`No node has ${real}=${term.value ?? ''}${term.prefix ? '*' : ''}; its values here: ${values.join(', ')}.`);
      }
    } else if (term.type === 'text') reasons.push(`${term.negate ? 'Every node matches' : 'No name, id, IP, platform or tag value contains'} "${term.value}".`);
    else if (term.type === 'status') reasons.push(`No node is ${term.negate ? 'anything but ' : ''}${term.values.join(' or ').toLowerCase()}.`);
    else if (term.type === 'platform') reasons.push(`No node runs ${term.value}.`);
  }
  if (reasons.length === 0 && parsed.terms.length > 1) reasons.push('Each term matches some nodes, but no node matches all of them.');
  return reasons;
}
