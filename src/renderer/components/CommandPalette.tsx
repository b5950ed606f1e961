// Ctrl/Cmd+K: jump to any node, tab or action by typing.
import { useMemo, useState } from 'react';
import { useAppStore } from '../stores/app-store';
import { filterNodes } from '../../shared/node-filter';
import { startSessionOn } from '../actions';

interface Item {
  id: string;
  label: string;
  hint: string;
  run(): void;
}

const MAX_ITEMS = 50;

export function CommandPalette({ onClose }: { onClose(): void }) {
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  const tabs = useAppStore((s) => s.tabs);
  const profile = useAppStore((s) => s.selectedProfile);
  const region = useAppStore((s) => s.selectedRegion);
  const inventory = useAppStore((s) => (profile && region ? s.inventories[`${profile}/${region}`] : undefined));

  const items = useMemo<Item[]>(() => {
    const state = useAppStore.getState();
    const q = query.trim().toLowerCase();
    const actions: Item[] = [
      { id: 'a:refresh', label: 'Refresh nodes', hint: 'action', run: () => profile && region && void state.loadInventory(profile, region) },
      { id: 'a:theme', label: 'Toggle theme', hint: 'action', run: () => state.setTheme(document.querySelector('.app')?.getAttribute('data-theme') === 'dark' ? 'light' : 'dark') },
    ];
    const tabItems: Item[] = tabs.map((tab) => ({ id: `t:${tab.id}`, label: tab.title, hint: 'tab', run: () => state.activateTab(tab.id) }));
    const fixed = [...tabItems, ...actions].filter((item) => !q || item.label.toLowerCase().includes(q));
    const nodes = q && inventory ? filterNodes(inventory.nodes, query).slice(0, MAX_ITEMS) : [];
    const nodeItems: Item[] = nodes.map((node) => ({
      id: `n:${node.id}`,
      label: `${node.name}  ${node.id}`,
      hint: node.pingStatus === 'Online' ? 'start session' : node.pingStatus,
      run: () => profile && region && void startSessionOn(profile, region, node),
    }));
    return [...fixed, ...nodeItems].slice(0, MAX_ITEMS);
  }, [query, tabs, inventory, profile, region]);

  const choose = (item: Item | undefined) => {
    if (!item) return;
    onClose();
    item.run();
  };

  return (
    <div className="palette-backdrop" onMouseDown={onClose}>
      <div className="palette" role="dialog" aria-modal="true" aria-label="Command palette" onMouseDown={(e) => e.stopPropagation()}>
        <input
          autoFocus
          aria-label="Jump to node, tab or action"
          aria-controls="palette-matches"
          aria-activedescendant={items[index] ? `palette-item-${index}` : undefined}
          placeholder="Jump to node, tab or action…"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setIndex(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') onClose();
            else if (e.key === 'ArrowDown') setIndex((i) => Math.min(items.length - 1, i + 1));
            else if (e.key === 'ArrowUp') setIndex((i) => Math.max(0, i - 1));
            else if (e.key === 'Enter') choose(items[index]);
            else return;
            e.preventDefault();
          }}
        />
        <ul role="listbox" id="palette-matches" aria-label="Matches" tabIndex={-1}>
          {items.map((item, i) => (
            <li key={item.id} id={`palette-item-${i}`} role="option" aria-selected={i === index} className={i === index ? 'active' : ''} onMouseEnter={() => setIndex(i)} onClick={() => choose(item)}>
              <span>{item.label}</span>
              <span className="dim">{item.hint}</span>
            </li>
          ))}
          {items.length === 0 && <li className="dim">No matches</li>}
        </ul>
      </div>
    </div>
  );
}
