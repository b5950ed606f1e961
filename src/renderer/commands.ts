// The palette's command registry. Any feature adds its commands with registerCommands():
// a function that returns the commands that make sense right now (it runs when the palette
// opens, so it may read the stores). Query-dependent items (nodes by name) come from
// registerSearch(). See docs/ui-components.md.

export interface Command {
  /** Stable id: remembered for "recent first". */
  id: string;
  title: string;
  /** Shown on the right: a kind ("tab", "tunnel") or a key ("Ctrl+T"). */
  hint?: string;
  /** More words the fuzzy match looks at (not shown). */
  keywords?: string;
  run(): void;
}

type Source = () => Command[];
type SearchSource = (query: string) => Command[];

const sources: Source[] = [];
const searches: SearchSource[] = [];

/** Adds a source of commands; returns a function that removes it. */
export function registerCommands(source: Source): () => void {
  sources.push(source);
  return () => void sources.splice(sources.indexOf(source), 1);
}

/** Adds items that depend on what is typed (they are ranked after the commands). */
export function registerSearch(source: SearchSource): () => void {
  searches.push(source);
  return () => void searches.splice(searches.indexOf(source), 1);
}

export function collectCommands(): Command[] {
  const seen = new Set<string>();
  const out: Command[] = [];
  for (const source of sources) {
    for (const command of source()) {
      if (seen.has(command.id)) continue;
      seen.add(command.id);
      out.push(command);
    }
  }
  return out;
}

export function collectSearch(query: string): Command[] {
  return query.trim() ? searches.flatMap((source) => source(query)) : [];
}

// ── Recently used, most recent first ────────────────────────────────────────────────
const RECENT_KEY = 'hatch.palette.recent';
const RECENT_MAX = 30;

export function recentCommandIds(): string[] {
  try {
    const list = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]') as unknown;
    return Array.isArray(list) ? list.filter((id): id is string => typeof id === 'string').slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

export function rememberCommand(id: string): void {
  const list = [id, ...recentCommandIds().filter((r) => r !== id)].slice(0, RECENT_MAX);
  localStorage.setItem(RECENT_KEY, JSON.stringify(list));
}
