// The items of a tab's context menu. Features add theirs with registerTabMenuItem();
// the built-in ones (rename, duplicate, reconnect, split, close others, copy node id) are
// registered in app-commands.ts. See docs/ui-components.md.
import type { Tab } from './stores/app-store';

interface TabMenuItem {
  id: string;
  label: string;
  /** Hidden for tabs it does not apply to. */
  appliesTo?(tab: Tab): boolean;
  disabled?(tab: Tab): boolean;
  run(tab: Tab): void;
  order?: number;
  danger?: boolean;
}

const items: TabMenuItem[] = [];

export function registerTabMenuItem(item: TabMenuItem): () => void {
  items.push(item);
  items.sort((a, b) => (a.order ?? 100) - (b.order ?? 100));
  return () => void items.splice(items.indexOf(item), 1);
}

export function tabMenuItems(tab: Tab): TabMenuItem[] {
  return items.filter((item) => item.appliesTo?.(tab) ?? true);
}
