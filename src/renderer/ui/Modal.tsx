// The app's one dialog: Radix Dialog (focus trapped and given back, Esc closes, outside
// click dismisses, nested dialogs stack), drawn in the app's theme. Render it when it
// should be open; `onClose` is how it asks to go away.
import * as Dialog from '@radix-ui/react-dialog';
import { useState, type FormEvent, type ReactNode } from 'react';
import { focusActiveTab } from '../focus';

interface ModalProps {
  /** The heading; also the dialog's accessible name unless `label` is given. */
  title: ReactNode;
  /** An accessible name when the heading carries more than the name (ids, glyphs). */
  label?: string;
  children: ReactNode;
  onClose(): void;
  /** 'alertdialog' for confirmations of dangerous actions. */
  role?: 'dialog' | 'alertdialog';
  size?: 'normal' | 'wide' | 'player';
  className?: string;
  /** The content is a form: Enter submits it. */
  onSubmit?(event: FormEvent<HTMLFormElement>): void;
  /** false: an outside click does not close it (a prompt that needs an answer). */
  dismissable?: boolean;
  /** Return true to keep focus from going back to where it was (the caller moves it). */
  onCloseFocus?(): boolean | void;
  /** The heading is for screen readers only (the palette). */
  hideTitle?: boolean;
}

export function Modal({ title, label, children, onClose, role = 'dialog', size = 'normal', className, onSubmit, dismissable = true, onCloseFocus, hideTitle = false }: ModalProps) {
  // Focus goes back where it was; if that is gone (its tab was hidden, its row removed),
  // to the active tab's main control instead of <body>.
  const [returnTo] = useState(() => document.activeElement);
  const classes = [className === 'palette' ? '' : 'modal', size === 'wide' ? 'modal-wide' : size === 'player' ? 'modal-player' : '', className ?? ''].filter(Boolean).join(' ');
  const body = (
    <>
      <Dialog.Title asChild>
        <h2 className={hideTitle ? 'sr-only' : undefined}>{title}</h2>
      </Dialog.Title>
      {children}
    </>
  );
  return (
    <Dialog.Root open onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="modal-backdrop" />
        <Dialog.Content
          className={classes}
          role={role}
          aria-describedby={undefined}
          {...(label ? { 'aria-label': label, 'aria-labelledby': undefined } : {})}
          onPointerDownOutside={(e) => !dismissable && e.preventDefault()}
          onInteractOutside={(e) => !dismissable && e.preventDefault()}
          onCloseAutoFocus={(e) => {
            if (onCloseFocus?.() === true) return e.preventDefault();
            if (returnTo instanceof HTMLElement && returnTo.isConnected && returnTo.checkVisibility?.() !== false) return;
            e.preventDefault();
            focusActiveTab();
          }}
          asChild={onSubmit !== undefined}
        >
          {onSubmit ? (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                onSubmit(e);
              }}
            >
              {body}
            </form>
          ) : (
            body
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/** The row of buttons at the bottom of a dialog. */
export function ModalActions({ children }: { children: ReactNode }) {
  return <div className="modal-actions">{children}</div>;
}

/** A form's failure, announced to screen readers as it appears. */
export function FormError({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <div className="field-error" role="alert">
      {error}
    </div>
  );
}

/** A form dialog's footer: Cancel, then the submit button that shows when it is busy. */
export function SubmitActions({ label, busyLabel, busy, disabled, onCancel, children }: { label: string; busyLabel: string; busy: boolean; disabled?: boolean; onCancel(): void; children?: ReactNode }) {
  return (
    <ModalActions>
      {children}
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className="primary" disabled={disabled || busy}>
        {busy ? busyLabel : label}
      </button>
    </ModalActions>
  );
}
