// Favourite and recently used nodes, per profile, kept in this browser profile's storage:
// they go to the top of the node list.
import { create } from 'zustand';

const RECENT_MAX = 8;
const key = (profile: string) => `hatch.nodeMarks.${profile}`;

interface Marks {
  favourites: string[];
  recent: string[];
}

function load(profile: string): Marks {
  try {
    const raw = JSON.parse(localStorage.getItem(key(profile)) ?? 'null') as Partial<Marks> | null;
    const ids = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    return { favourites: ids(raw?.favourites), recent: ids(raw?.recent).slice(0, RECENT_MAX) };
  } catch {
    return { favourites: [], recent: [] };
  }
}

export const useNodeMarks = create<{ byProfile: Record<string, Marks> }>(() => ({ byProfile: {} }));

export function marksOf(profile: string): Marks {
  const state = useNodeMarks.getState();
  const marks = state.byProfile[profile];
  if (marks) return marks;
  const loaded = load(profile);
  useNodeMarks.setState({ byProfile: { ...state.byProfile, [profile]: loaded } });
  return loaded;
}

function put(profile: string, marks: Marks): void {
  localStorage.setItem(key(profile), JSON.stringify(marks));
  useNodeMarks.setState((s) => ({ byProfile: { ...s.byProfile, [profile]: marks } }));
}

export function toggleFavourite(profile: string, nodeId: string): void {
  const marks = marksOf(profile);
  const favourites = marks.favourites.includes(nodeId) ? marks.favourites.filter((id) => id !== nodeId) : [...marks.favourites, nodeId];
  put(profile, { ...marks, favourites });
}

export function rememberNode(profile: string, nodeId: string): void {
  const marks = marksOf(profile);
  put(profile, { ...marks, recent: [nodeId, ...marks.recent.filter((id) => id !== nodeId)].slice(0, RECENT_MAX) });
}
