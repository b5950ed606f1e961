export { InventoryService, type InventoryClients, type InventoryServiceOptions, type ListOptions, type MultiRegionResult } from './inventory-service';
export { filterNodes, parseNodeQuery, matchesNode, type NodeQuery, type NodeTerm } from '../../shared/node-filter';
