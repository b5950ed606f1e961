// The pty host's logic, apart from its transport so that it runs in plain Node tests:
// one node-pty process per session id, driven by ToPtyHost messages, reporting through
// FromPtyHost messages. Output is coalesced here, in the pty host's own process, with the
// same batcher main uses (a quiet spell's first chunk at once, a burst in 5 ms / 64 Ki
// batches), so a flood costs main one message per batch, not one per pty read.
import type { IPty, IPtyForkOptions } from 'node-pty';
import { PtyFlow } from '../../runtime/pty-flow';
import { PtyInput } from '../../runtime/pty-input';
import { OutputBatcher } from '../sessions/output-batcher';
import { isToPtyHost, type FromPtyHost, type PtySpawnOptions } from './protocol';

export type SpawnPty = (file: string, args: string[], options: IPtyForkOptions) => IPty;

export class PtyHostCore {
  private readonly sessions = new Map<string, { pty: IPty; input: PtyInput; flow: PtyFlow }>();

  constructor(
    private readonly spawn: SpawnPty,
    private readonly post: (message: FromPtyHost) => void,
  ) {}

  handle(message: unknown): void {
    if (!isToPtyHost(message)) {
      const id = typeof (message as { id?: unknown })?.id === 'string' ? (message as { id: string }).id : '';
      this.post({ type: 'error', id, message: 'malformed message to the pty host' });
      return;
    }
    const session = this.sessions.get(message.id);
    if (message.type === 'spawn') {
      if (session) return this.post({ type: 'error', id: message.id, message: 'a session with this id is already running' });
      return this.start(message.id, message.options);
    }
    // Messages for a session that has just exited are expected (a race with the user), not errors.
    if (!session) return;
    switch (message.type) {
      case 'write':
        // Keys racing the end of the session are dropped, never a write to a closed pty.
        return session.input.write(message.data);
      case 'resize':
        return session.input.resize(message.cols, message.rows);
      case 'pause':
        return session.flow.pause();
      case 'resume':
        return session.flow.resume();
      case 'kill':
        // Windows ptys take no signal argument.
        return process.platform === 'win32' ? session.pty.kill() : session.pty.kill(message.signal ?? 'SIGHUP');
    }
  }

  /** Kill every session (the host is shutting down). */
  dispose(): void {
    for (const session of this.sessions.values()) {
      try {
        session.input.end();
        session.pty.kill();
      } catch {
        // Already gone.
      }
    }
    this.sessions.clear();
  }

  private start(id: string, options: PtySpawnOptions): void {
    let pty: IPty;
    try {
      pty = this.spawn(options.file, options.args, { name: options.name ?? 'xterm-256color', cols: options.cols, rows: options.rows, env: options.env, cwd: options.cwd });
    } catch (error) {
      this.post({ type: 'error', id, message: error instanceof Error ? error.message : String(error) });
      this.post({ type: 'exit', id, exitCode: -1, signal: null });
      return;
    }
    this.sessions.set(id, { pty, input: new PtyInput(pty), flow: new PtyFlow(pty) });
    this.post({ type: 'spawned', id, pid: pty.pid });
    const batcher = new OutputBatcher({ send: (data) => this.post({ type: 'data', id, data }) });
    pty.onData((data) => batcher.push(data));
    pty.onExit(({ exitCode, signal }) => {
      this.sessions.delete(id);
      batcher.end(); // the last output goes before the exit
      this.post({ type: 'exit', id, exitCode, signal: signal ?? null });
    });
  }
}
