// What a `hatch` subcommand may touch of its process: streams, environment and signals,
// passed in so tests can run a command in-process with their own streams.
import type { Readable, Writable } from 'node:stream';

export interface CliIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Registers a signal handler (process.on in the real program). */
  onSignal(signal: NodeJS.Signals, handler: () => void): void;
}

export function processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    onSignal: (signal, handler) => process.on(signal, handler),
  };
}

/** A failure the user can act on: printed as one line `hatch <command>: <message>`, exit `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
