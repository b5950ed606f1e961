// Menus from one description: a list of items shown as a dropdown (under a button) or a
// context menu (right click / the Menu key). Radix handles keys, focus and dismissal.
import * as Dropdown from '@radix-ui/react-dropdown-menu';
import * as Context from '@radix-ui/react-context-menu';
import type { ReactElement } from 'react';

type MenuItem =
  | { kind?: 'item'; id: string; label: string; onSelect(): void; disabled?: boolean; danger?: boolean; shortcut?: string }
  | { kind: 'check'; id: string; label: string; checked: boolean; onCheckedChange(checked: boolean): void }
  | { kind: 'separator'; id: string }
  | { kind: 'label'; id: string; label: string };

type Parts = typeof Dropdown | typeof Context;

function Items({ items, parts }: { items: MenuItem[]; parts: Parts }) {
  const P = parts as typeof Dropdown; // both packages expose the same part names
  return (
    <>
      {items.map((item) => {
        switch (item.kind) {
          case 'separator':
            return <P.Separator key={item.id} className="menu-separator" />;
          case 'label':
            return (
              <P.Label key={item.id} className="menu-label">
                {item.label}
              </P.Label>
            );
          case 'check':
            return (
              <P.CheckboxItem key={item.id} className="menu-item" checked={item.checked} onCheckedChange={item.onCheckedChange} onSelect={(e) => e.preventDefault()}>
                <span className="menu-check" aria-hidden="true">
                  {item.checked ? '✓' : ''}
                </span>
                {item.label}
              </P.CheckboxItem>
            );
          default:
            return (
              <P.Item key={item.id} className={item.danger ? 'menu-item danger' : 'menu-item'} disabled={item.disabled} onSelect={item.onSelect}>
                <span className="menu-check" aria-hidden="true" />
                <span className="menu-text">{item.label}</span>
                {item.shortcut && <kbd>{item.shortcut}</kbd>}
              </P.Item>
            );
        }
      })}
    </>
  );
}

/** Computes its items when it mounts, i.e. when the menu opens. */
function LazyItems({ get }: { get(): MenuItem[] }) {
  return <Items items={get()} parts={Context} />;
}

/** A button that opens a menu. */
export function DropdownMenu({ trigger, items, label, align = 'end' }: { trigger: ReactElement; items: MenuItem[]; label: string; align?: 'start' | 'end' }) {
  return (
    <Dropdown.Root modal={false}>
      <Dropdown.Trigger asChild>{trigger}</Dropdown.Trigger>
      <Dropdown.Portal>
        <Dropdown.Content className="menu" aria-label={label} align={align} sideOffset={4} collisionPadding={8}>
          {items.length === 0 ? <div className="menu-label">Nothing here</div> : <Items items={items} parts={Dropdown} />}
        </Dropdown.Content>
      </Dropdown.Portal>
    </Dropdown.Root>
  );
}

/**
 * Right click (or the Menu key / Shift+F10 on the focused child) opens `items()`; they are
 * computed when the menu opens, so a big table pays nothing per row.
 */
export function ContextMenu({ children, items, label, onOpen }: { children: ReactElement; items: () => MenuItem[]; label: string; onOpen?(): void }) {
  return (
    <Context.Root modal={false} onOpenChange={(open) => open && onOpen?.()}>
      <Context.Trigger asChild>{children}</Context.Trigger>
      <Context.Portal>
        <Context.Content className="menu" aria-label={label} collisionPadding={8}>
          <LazyItems get={items} />
        </Context.Content>
      </Context.Portal>
    </Context.Root>
  );
}
