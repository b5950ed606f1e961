// Saved tunnel sets: named groups of port forwards an operator starts together
// ("prod databases"). Kept in the window's storage, like the other view state.
import { z } from 'zod';

const TunnelSpec = z.object({
  profile: z.string(),
  region: z.string(),
  target: z.string(),
  targetName: z.string(),
  remotePort: z.number().int(),
  remoteHost: z.string().optional(),
  localPort: z.number().int(),
  bindAddress: z.enum(['127.0.0.1', '::1', '0.0.0.0', 'localhost']),
  label: z.string().optional(),
  /** Parallel sessions behind the one local port (1 = a plain tunnel). */
  poolSize: z.number().int().min(1).max(8).optional(),
});
type TunnelSpec = z.infer<typeof TunnelSpec>;

const TunnelSets = z.record(z.string(), z.array(TunnelSpec));
export type TunnelSets = z.infer<typeof TunnelSets>;

const KEY = 'hatch.tunnelSets';

export function loadTunnelSets(): TunnelSets {
  try {
    const parsed = TunnelSets.safeParse(JSON.parse(localStorage.getItem(KEY) ?? '{}'));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

export function saveToSet(name: string, spec: TunnelSpec): TunnelSets {
  const sets = loadTunnelSets();
  const list = (sets[name] ?? []).filter((s) => !(s.target === spec.target && s.remotePort === spec.remotePort && s.remoteHost === spec.remoteHost));
  sets[name] = [...list, spec];
  localStorage.setItem(KEY, JSON.stringify(sets));
  return sets;
}

export function deleteSet(name: string): TunnelSets {
  const sets = loadTunnelSets();
  delete sets[name];
  localStorage.setItem(KEY, JSON.stringify(sets));
  return sets;
}
