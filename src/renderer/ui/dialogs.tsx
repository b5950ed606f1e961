// Dialogs that anything may open (a palette command, a context menu, a node action) without
// owning a place in the tree: showDialog() puts one on the stack that <DialogHost> renders.
// confirmAction() is the app's own confirm(): one sentence with the consequence, a button
// that names the action, Cancel focused first.
import { create } from 'zustand';
import type { ReactNode } from 'react';
import { Modal, ModalActions } from './Modal';

type Render = (close: () => void) => ReactNode;

const useDialogs = create<{ stack: Array<{ id: number; render: Render }> }>(() => ({ stack: [] }));
let nextId = 0;

/** Opens a dialog; `render` gets the function that closes it. Returns that function too. */
export function showDialog(render: Render): () => void {
  const id = ++nextId;
  const close = () => useDialogs.setState((s) => ({ stack: s.stack.filter((d) => d.id !== id) }));
  useDialogs.setState((s) => ({ stack: [...s.stack, { id, render }] }));
  return close;
}

export function DialogHost() {
  const stack = useDialogs((s) => s.stack);
  return (
    <>
      {stack.map((d) => (
        <DialogSlot key={d.id} id={d.id} render={d.render} />
      ))}
    </>
  );
}

function DialogSlot({ id, render }: { id: number; render: Render }) {
  return <>{render(() => useDialogs.setState((s) => ({ stack: s.stack.filter((d) => d.id !== id) })))}</>;
}

interface ConfirmOptions {
  title: string;
  /** The consequence, in a sentence. */
  body: ReactNode;
  confirmLabel: string;
  danger?: boolean;
}

/** Resolves true when the person confirms, false on Cancel, Esc or a click outside. */
export function confirmAction(options: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    showDialog((close) => (
      <ConfirmDialog
        {...options}
        onCancel={() => {
          close();
          resolve(false);
        }}
        onConfirm={() => {
          close();
          resolve(true);
        }}
      />
    ));
  });
}

/** Asks once, clearly, before a dangerous action: the consequence is in the sentence. */
export function ConfirmDialog({
  title,
  body,
  children,
  confirmLabel,
  danger = true,
  busy = false,
  onConfirm,
  onCancel,
}: {
  title: string;
  body?: ReactNode;
  children?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  return (
    <Modal title={title} role="alertdialog" size="wide" onClose={onCancel}>
      <div className="confirm-body">
        {body !== undefined && <p>{body}</p>}
        {children}
      </div>
      <ModalActions>
        <button type="button" autoFocus onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className={danger ? 'primary danger' : 'primary'} disabled={busy} onClick={onConfirm}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </ModalActions>
    </Modal>
  );
}
