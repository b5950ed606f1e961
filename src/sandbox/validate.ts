// Request member checks with AWS's "1 validation error detected" wording.
import { ApiError } from './errors';

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

export function validation(member: string, value: unknown, constraint: string): ApiError {
  const shown = value === undefined || value === null ? 'null' : `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;
  return new ApiError('ValidationException', `1 validation error detected: Value ${shown} at '${lowerFirst(member)}' failed to satisfy constraint: ${constraint}`, 400);
}

export function reqString(input: Record<string, unknown>, member: string, max = 2048): string {
  const v = input[member];
  if (typeof v !== 'string') throw validation(member, v, 'Member must not be null');
  if (v.length < 1) throw validation(member, v, 'Member must have length greater than or equal to 1');
  if (v.length > max) throw validation(member, v, `Member must have length less than or equal to ${max}`);
  return v;
}

export function optString(input: Record<string, unknown>, member: string, max = 2048): string | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw validation(member, v, 'Member must be a string');
  if (v.length > max) throw validation(member, v, `Member must have length less than or equal to ${max}`);
  return v;
}

export function optInt(input: Record<string, unknown>, member: string, min: number, max: number): number | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw validation(member, v, 'Member must be an integer');
  if (v < min) throw validation(member, v, `Member must have value greater than or equal to ${min}`);
  if (v > max) throw validation(member, v, `Member must have value less than or equal to ${max}`);
  return v;
}

export function optArray<T = unknown>(input: Record<string, unknown>, member: string): T[] | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw validation(member, v, 'Member must be a list');
  return v as T[];
}
