// The confirmation dialog lives with the other primitives (ui/dialogs.tsx).
export { ConfirmDialog } from '../ui/dialogs';
