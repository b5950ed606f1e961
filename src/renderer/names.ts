// People read names, not ids: a node's Name from the listing (falling back to its id),
// and tunnels as "web-1 → localhost:5432".
import type { TunnelInfo } from '../shared/contract';
import { useAppStore, type AppState } from './stores/app-store';
import { containerLabel, findContainer } from './stores/containers-store';

/** The node's Name from any listing of its profile and region that has it, else the id. */
export function nodeName(state: Pick<AppState, 'inventories'>, profile: string, region: string, target: string): string {
  // An ECS container: "app · prod/web" from the Containers listing, else cluster and task from the target.
  if (target.startsWith('ecs:')) {
    const found = findContainer(profile, region, target);
    if (found) return containerLabel(found.task.clusterName, found.task, found.container.name);
    const m = /^ecs:(.+)_([0-9a-f-]{32,36})_[^_]+$/.exec(target);
    return m ? `${m[1]}/${m[2].slice(0, 8)}` : target;
  }
  const nodes = state.inventories[`${profile}/${region}`]?.nodes;
  if (nodes) for (const node of nodes) if (node.id === target) return node.name;
  for (const [key, inventory] of Object.entries(state.inventories)) {
    if (!key.startsWith(`${profile}/`)) continue;
    for (const node of inventory.nodes) if (node.id === target) return node.name;
  }
  return target;
}

export function useNodeName(profile: string | undefined, region: string | undefined, target: string | undefined): string {
  return useAppStore((s) => (profile && region && target ? nodeName(s, profile, region, target) : (target ?? '')));
}

/** Where a tunnel leads: "web-1 → localhost:5432" or "db-jump → db.internal:5432". */
export function tunnelRoute(state: Pick<AppState, 'inventories'>, t: TunnelInfo): string {
  return `${nodeName(state, t.profile, t.region, t.target)} → ${t.remoteHost ?? 'localhost'}:${t.remotePort}`;
}

/** A tunnel's label as the person sees it: the label given, with ids swapped for names. */
export function tunnelLabel(state: Pick<AppState, 'inventories'>, t: TunnelInfo): string {
  return t.label.includes(t.target) ? t.label.replace(t.target, nodeName(state, t.profile, t.region, t.target)) : t.label;
}

export const localAddress = (t: TunnelInfo) => `${t.bindAddress === '::1' ? '[::1]' : t.bindAddress}:${t.localPort}`;

/** A title with node ids swapped for their names where any listing knows them ("Sandbox i-0abc…" → "Sandbox web-1"). */
export function withNodeNames(state: Pick<AppState, 'inventories'>, text: string): string {
  return text.replace(/\b(?:i|mi)-[0-9a-f]{8,17}\b/g, (id) => {
    for (const inventory of Object.values(state.inventories)) for (const node of inventory.nodes) if (node.id === id) return node.name;
    return id;
  });
}
