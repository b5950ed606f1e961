// What each tab's label reads: its title, with a number when two tabs share a title
// ("web-1", "web-1 (2)"), so tabs on one node can be told apart. Pure (unit-tested).

export function tabLabels(tabs: ReadonlyArray<{ id: string; title: string }>): Map<string, string> {
  const seen = new Map<string, number>();
  const labels = new Map<string, string>();
  for (const tab of tabs) {
    const n = (seen.get(tab.title) ?? 0) + 1;
    seen.set(tab.title, n);
    labels.set(tab.id, n === 1 ? tab.title : `${tab.title} (${n})`);
  }
  return labels;
}
