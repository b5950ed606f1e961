// Small helpers the documents/ and audit/ services share: recognising AWS errors and
// naming the IAM action a denial is about.
import { createHash } from 'node:crypto';
import type { MissingPermission } from '../../shared/contract-documents';

export function awsErrorName(error: unknown): string {
  return (error as { name?: string })?.name ?? '';
}

export function awsErrorMessage(error: unknown): string {
  return (error as { message?: string })?.message ?? String(error);
}

const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'UnauthorizedException']);

export function isAccessDenied(error: unknown): boolean {
  return DENIED.has(awsErrorName(error));
}

/**
 * The IAM action a denial names ("… is not authorized to perform: ssm:UpdateDocument on
 * resource …"), else the action Hatch was calling.
 */
export function missingPermission(error: unknown, calling: string): MissingPermission {
  const message = awsErrorMessage(error);
  const named = /perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/.exec(message)?.[1];
  const action = named ?? calling;
  return { action, message: `Your IAM identity is not allowed ${action}, so this is read-only here. Ask for ${action} on this document. (${message})` };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export const toMs = (d: Date | undefined): number | null => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.getTime() : null);
