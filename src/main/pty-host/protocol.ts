// The messages between main and the pty host (an Electron utility process that owns every
// node-pty session; see docs/architecture-notes.md). Both ends are Hatch's own code, but
// the worker still checks the shape of what it receives: a bad message must become an
// `error` reply, never a crash that takes every terminal down with it.

export interface PtySpawnOptions {
  file: string;
  args: string[];
  cols: number;
  rows: number;
  env: Record<string, string>;
  cwd?: string;
  /** $TERM for the child. */
  name?: string;
}

/** main → pty host. `id` is chosen by main and names the session in every later message. */
export type ToPtyHost =
  | { type: 'spawn'; id: string; options: PtySpawnOptions }
  | { type: 'write'; id: string; data: string }
  | { type: 'resize'; id: string; cols: number; rows: number }
  | { type: 'pause'; id: string }
  | { type: 'resume'; id: string }
  | { type: 'kill'; id: string; signal?: string };

/** pty host → main. Every session ends with exactly one `exit` (after `error` too). */
export type FromPtyHost =
  | { type: 'spawned'; id: string; pid: number }
  | { type: 'data'; id: string; data: string }
  | { type: 'exit'; id: string; exitCode: number; signal: number | null }
  | { type: 'error'; id: string; message: string };

const isString = (value: unknown): value is string => typeof value === 'string';
const isSize = (value: unknown, max: number): value is number => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= max;

function isSpawnOptions(value: unknown): value is PtySpawnOptions {
  if (typeof value !== 'object' || value === null) return false;
  const o = value as Record<string, unknown>;
  return (
    isString(o.file) &&
    o.file.length > 0 &&
    Array.isArray(o.args) &&
    o.args.every(isString) &&
    isSize(o.cols, 1000) &&
    isSize(o.rows, 500) &&
    typeof o.env === 'object' &&
    o.env !== null &&
    Object.values(o.env).every(isString) &&
    (o.cwd === undefined || isString(o.cwd)) &&
    (o.name === undefined || isString(o.name))
  );
}

/** A structural check of a message for the pty host (cheap: no schema library in the worker). */
export function isToPtyHost(value: unknown): value is ToPtyHost {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (!isString(m.id) || m.id.length === 0 || m.id.length > 200) return false;
  switch (m.type) {
    case 'spawn':
      return isSpawnOptions(m.options);
    case 'write':
      return isString(m.data);
    case 'resize':
      return isSize(m.cols, 1000) && isSize(m.rows, 500);
    case 'pause':
    case 'resume':
      return true;
    case 'kill':
      return m.signal === undefined || isString(m.signal);
    default:
      return false;
  }
}
