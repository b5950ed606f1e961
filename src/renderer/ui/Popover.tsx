// The app's one popover: Radix Popover (Esc and outside clicks close it, focus returns to
// its button, it sits below any dialog opened later).
import * as RadixPopover from '@radix-ui/react-popover';
import type { ReactElement, ReactNode } from 'react';

export function Popover({
  trigger,
  children,
  label,
  open,
  onOpenChange,
  align = 'end',
}: {
  /** The button that opens it (rendered as-is). */
  trigger: ReactElement;
  children: ReactNode;
  label: string;
  open?: boolean;
  onOpenChange?(open: boolean): void;
  align?: 'start' | 'center' | 'end';
}) {
  return (
    <RadixPopover.Root open={open} onOpenChange={onOpenChange}>
      <RadixPopover.Trigger asChild>{trigger}</RadixPopover.Trigger>
      <RadixPopover.Portal>
        <RadixPopover.Content className="popover" aria-label={label} align={align} sideOffset={4} collisionPadding={8}>
          {children}
        </RadixPopover.Content>
      </RadixPopover.Portal>
    </RadixPopover.Root>
  );
}

/** A popover anchored to something that is not its trigger (e.g. suggestions under an input). */
export const PopoverRoot = RadixPopover.Root;
export const PopoverAnchor = RadixPopover.Anchor;
export function PopoverBody({ children, label, onOpenAutoFocus }: { children: ReactNode; label: string; onOpenAutoFocus?(e: Event): void }) {
  return (
    <RadixPopover.Portal>
      <RadixPopover.Content className="popover" aria-label={label} align="start" sideOffset={2} collisionPadding={8} onOpenAutoFocus={onOpenAutoFocus}>
        {children}
      </RadixPopover.Content>
    </RadixPopover.Portal>
  );
}
