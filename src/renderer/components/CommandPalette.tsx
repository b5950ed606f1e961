// Ctrl/Cmd+K: every command the app has (registered in commands.ts), plus nodes by name.
// cmdk draws the list and handles the keys; the ranking is ours: fuzzy score, with
// recently used commands first (and first of all when nothing is typed).
import { useMemo, useRef, useState } from 'react';
import { Command as Cmdk } from 'cmdk';
import { collectCommands, collectSearch, recentCommandIds, rememberCommand, type Command } from '../commands';
import { fuzzyScore } from '../fuzzy';
import { Modal } from '../ui/Modal';
import { focusActiveTab } from '../focus';

const MAX_ITEMS = 60;

function rank(query: string, commands: Command[], recent: string[]): Command[] {
  const recency = new Map(recent.map((id, i) => [id, recent.length - i]));
  if (!query.trim()) {
    const used = commands.filter((c) => recency.has(c.id)).sort((a, b) => recency.get(b.id)! - recency.get(a.id)!);
    return [...used, ...commands.filter((c) => !recency.has(c.id))];
  }
  const scored: Array<{ command: Command; score: number }> = [];
  for (const command of commands) {
    const score = Math.max(fuzzyScore(query, command.title), command.keywords ? fuzzyScore(query, command.keywords) * 0.8 : 0);
    if (score > 0) scored.push({ command, score: score + (recency.get(command.id) ?? 0) * 20 });
  }
  return scored.sort((a, b) => b.score - a.score).map((s) => s.command);
}

export function CommandPalette({ onClose }: { onClose(): void }) {
  const [query, setQuery] = useState('');
  const commands = useMemo(() => collectCommands(), []);
  const recent = useMemo(() => recentCommandIds(), []);
  const items = useMemo(() => {
    const seen = new Set<string>();
    // The same action can come from a command and a node search ("Forward port on web-1…"): once.
    return [...rank(query, commands, recent), ...collectSearch(query)].filter((c) => !seen.has(c.title) && seen.add(c.title)).slice(0, MAX_ITEMS);
  }, [query, commands, recent]);
  const [selected, setSelected] = useState('');
  const current = items.some((i) => i.id === selected) ? selected : (items[0]?.id ?? '');
  const ran = useRef(false);

  const choose = (command: Command) => {
    rememberCommand(command.id);
    ran.current = true;
    onClose();
    // After the palette has gone (and focus with it), so a dialog the command opens keeps focus.
    setTimeout(() => {
      command.run();
      setTimeout(() => {
        if (!document.querySelector('[role="dialog"], [role="alertdialog"]') && (document.activeElement === document.body || document.activeElement === null)) focusActiveTab();
      }, 0);
    }, 0);
  };

  return (
    <Modal title="Command palette" onClose={onClose} className="palette" hideTitle onCloseFocus={() => ran.current}>
      <Cmdk label="Jump to node, tab or action" shouldFilter={false} value={current} onValueChange={setSelected} vimBindings={false} loop>
        <Cmdk.Input autoFocus placeholder="Jump to node, tab or action…" value={query} onValueChange={setQuery} />
        <Cmdk.List aria-label="Matches">
          <Cmdk.Empty>No matches. Try a node name, “forward”, “settings” or “shortcuts”.</Cmdk.Empty>
          {items.map((item) => (
            <Cmdk.Item key={item.id} value={item.id} onSelect={() => choose(item)}>
              <span className="palette-title">{item.title}</span>
              {item.hint && <span className="dim palette-hint">{item.hint}</span>}
            </Cmdk.Item>
          ))}
        </Cmdk.List>
      </Cmdk>
    </Modal>
  );
}
