// Managed nodes as the renderer sees them, and the progress of a listing.
import { z } from 'zod';

export const PingStatus = z.enum(['Online', 'ConnectionLost', 'Inactive']);
export type PingStatus = z.infer<typeof PingStatus>;

export const ManagedNode = z.object({
  id: z.string(),
  /** Name tag (EC2 or hybrid), else the computer name, else the id. */
  name: z.string(),
  ipAddress: z.string().nullable(),
  platformType: z.string().nullable(),
  platformName: z.string().nullable(),
  agentVersion: z.string().nullable(),
  pingStatus: PingStatus,
  resourceType: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  region: z.string(),
  /** epoch ms */
  lastPingAt: z.number().optional(),
});
export type ManagedNode = z.infer<typeof ManagedNode>;

const ListPhase = z.enum(['nodes', 'names', 'tags', 'done']);
export const ListProgress = z.object({
  profile: z.string(),
  region: z.string(),
  phase: ListPhase,
  /** Nodes listed so far (SSM pages read). */
  count: z.number().int().nonnegative(),
  /** Phase "nodes": the page just read, before EC2 names and tags (shown while listing). */
  page: z.array(ManagedNode).optional(),
});
export type ListProgress = z.infer<typeof ListProgress>;

/** A region that could not be listed (or only partly enriched); the others still show. */
export const RegionError = z.object({
  region: z.string(),
  /** Names the AWS error (AccessDeniedException, ThrottlingException, …) when there is one. */
  code: z.string().nullable(),
  message: z.string(),
  /** true: nodes were listed but names/tags are incomplete. */
  partial: z.boolean(),
});
export type RegionError = z.infer<typeof RegionError>;

export const InventorySnapshot = z.object({
  profile: z.string(),
  region: z.string(),
  nodes: z.array(ManagedNode),
  /** epoch ms of the listing that produced these nodes */
  updatedAt: z.number(),
  errors: z.array(RegionError),
});
export type InventorySnapshot = z.infer<typeof InventorySnapshot>;
