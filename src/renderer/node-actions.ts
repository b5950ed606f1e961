// What can be done with a node, in one list that the node table's context menu, the
// detail pane and the palette all read. A feature adds an entry with registerNodeAction()
// (e.g. "SSH config…", "Download file…"); see docs/ui-components.md.
import type { ManagedNode } from '../shared/domain/inventory';

interface NodeActionContext {
  node: ManagedNode;
  profile: string;
  region: string;
}

interface NodeAction {
  id: string;
  /** What the menu says, e.g. "Start session" (the palette adds " on <name>"). */
  label: string | ((context: NodeActionContext) => string);
  /** Why it cannot be done now (shown on hover, the item disabled); null = it can. */
  unavailable?(context: NodeActionContext): string | null;
  run(context: NodeActionContext): void;
  /** Offered in the palette for nodes that match what is typed (default true). */
  inPalette?: boolean;
  /** Order in menus (lower first; default 100). */
  order?: number;
}

const actions: NodeAction[] = [];

export function registerNodeAction(action: NodeAction): () => void {
  actions.push(action);
  actions.sort((a, b) => (a.order ?? 100) - (b.order ?? 100));
  return () => void actions.splice(actions.indexOf(action), 1);
}

export function nodeActions(): readonly NodeAction[] {
  return actions;
}

/** Why a session cannot start on this node, in words; null when it can. */
export function whyNoSession(node: ManagedNode): string | null {
  switch (node.pingStatus) {
    case 'Online':
      return null;
    case 'ConnectionLost':
      return `${node.name}'s SSM agent has lost its connection to Session Manager${node.lastPingAt ? ` (last seen ${new Date(node.lastPingAt).toLocaleString()})` : ''}: the node may be stopped, or cannot reach the SSM endpoints.`;
    case 'Inactive':
      return `${node.name} is inactive: its SSM agent has not reported for a long time (stopped, terminated or deregistered).`;
  }
}

export function actionLabel(action: NodeAction, context: NodeActionContext): string {
  return typeof action.label === 'function' ? action.label(context) : action.label;
}
