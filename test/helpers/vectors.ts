// Byte vectors from the reference client, kept in the repository (test/fixtures/vectors).
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const vectorsDir = process.env.HATCH_VECTORS_DIR ?? path.resolve(__dirname, '../fixtures/vectors');

export function loadVectors<T = Record<string, unknown>>(file: string): T[] {
  return JSON.parse(readFileSync(path.join(vectorsDir, file), 'utf8')) as T[];
}
