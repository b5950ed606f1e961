import type { ManagedNode } from '../shared/domain/inventory';

/** How a node's ping status reads in the table and the detail pane. */
export const STATUS: Record<ManagedNode['pingStatus'], { label: string; className: string }> = {
  Online: { label: 'Online', className: 'dot-ok' },
  ConnectionLost: { label: 'Lost', className: 'dot-wait' },
  Inactive: { label: 'Inactive', className: 'dot-idle' },
};
