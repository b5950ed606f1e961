// The filter benchmarks' baseline (shared by bench/filter.ts and bench/inventory.ts): the
// same semantics as src/shared/node-filter.ts, done the obvious way — lowercasing and a
// RegExp per row, per keystroke — which is the per-row work the real filter avoids.
import { parseNodeQuery } from '../src/shared/node-filter';
import type { ManagedNode } from '../src/shared/domain/inventory';

export function naiveFilter(nodes: readonly ManagedNode[], query: string): ManagedNode[] {
  const { terms } = parseNodeQuery(query);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return nodes.filter((node) =>
    terms.every((term) => {
      let hit: boolean;
      if (term.type === 'text') {
        const re = new RegExp(escape(term.value), 'i');
        hit = [node.name, node.id, node.ipAddress ?? '', node.platformName ?? '', node.platformType ?? ''].some((f) => re.test(f));
      } else if (term.type === 'status') {
        hit = term.values.includes(node.pingStatus);
      } else if (term.type === 'platform') {
        hit = (node.platformType ?? '').toLowerCase() === term.value || (node.platformName ?? '').toLowerCase().includes(term.value);
      } else {
        const entry = Object.entries(node.tags).find(([k]) => k.toLowerCase() === term.key);
        const value = entry?.[1].toLowerCase();
        hit = value !== undefined && (term.value === undefined || (term.prefix ? value.startsWith(term.value) : value === term.value));
      }
      return hit !== term.negate;
    }),
  );
}
