// How a session engine gets a pty: in-process node-pty (browser host, tests), or the
// Electron app's pty host (a utility process; src/main/app/pty-host.ts). One shape for both.
import * as pty from 'node-pty';
import { PtyFlow } from '../../runtime/pty-flow';
import { PtyInput } from '../../runtime/pty-input';
import type { PtySpawnOptions } from '../pty-host/protocol';

export interface SessionPty {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  kill(signal?: string): void;
  onData(listener: (data: string) => void): void;
  onExit(listener: (exit: { exitCode: number; signal: number | null; error?: string | null }) => void): void;
}

export type SpawnPty = (options: PtySpawnOptions) => SessionPty;

/** node-pty in this process. */
export const spawnLocalPty: SpawnPty = (options) => {
  const child = pty.spawn(options.file, options.args, { name: options.name ?? 'xterm-256color', cols: options.cols, rows: options.rows, env: options.env, cwd: options.cwd });
  // Keys and sizes racing the end of the session are dropped, never a write to a closed pty.
  const input = new PtyInput(child);
  // Paused when the window falls behind; resumed by itself once the process is gone, so its last output is read.
  const flow = new PtyFlow(child);
  return {
    write: (data) => input.write(data),
    resize: (cols, rows) => input.resize(cols, rows),
    pause: () => flow.pause(),
    resume: () => flow.resume(),
    kill: (signal) => child.kill(signal),
    onData: (listener) => void child.onData(listener),
    onExit: (listener) => void child.onExit(({ exitCode, signal }) => listener({ exitCode, signal: signal ?? null })),
  };
};
