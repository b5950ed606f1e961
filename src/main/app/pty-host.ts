// Main's side of the pty host: forks the utility process (src/main/pty-host/worker.ts) on
// first use and gives each session a small handle with node-pty's shape. If the host dies,
// every session it held ends (exit -1) and the next spawn starts a fresh host.
import { utilityProcess, type UtilityProcess } from 'electron';
import { randomUUID } from 'node:crypto';
import type { FromPtyHost, PtySpawnOptions, ToPtyHost } from '../pty-host/protocol';
import type { SessionPty } from '../sessions/pty';
import { Emitter } from '../../shared/emitter';

interface PtyExit {
  exitCode: number;
  signal: number | null;
  /** Why the host ended the session itself (spawn failure, host crash); null for a normal exit. */
  error: string | null;
}

/** A pty in the host: the engines' SessionPty shape, plus the host's id and the child's pid. */
interface PtyHandle extends SessionPty {
  readonly id: string;
  /** Resolves with the child's pid, or rejects if it could not be started. */
  readonly pid: Promise<number>;
  onExit(listener: (exit: PtyExit) => void): void;
}

interface Entry {
  data: Emitter<[data: string]>;
  exit: Emitter<[exit: PtyExit]>;
  error: string | null;
  spawned(pid: number): void;
  failed(error: Error): void;
}

export class PtyHost {
  private child: UtilityProcess | null = null;
  private readonly sessions = new Map<string, Entry>();

  /** `workerPath`: the built worker bundle (dist/main/pty-host.cjs). */
  constructor(private readonly workerPath: string) {}

  spawn(options: PtySpawnOptions): PtyHandle {
    const id = randomUUID();
    let spawned!: (pid: number) => void;
    let failed!: (error: Error) => void;
    const pid = new Promise<number>((resolve, reject) => ((spawned = resolve), (failed = reject)));
    pid.catch(() => undefined); // a failure is also reported through onExit
    const entry: Entry = { data: new Emitter(), exit: new Emitter(), error: null, spawned, failed };
    this.sessions.set(id, entry);
    this.send({ type: 'spawn', id, options });
    return {
      id,
      pid,
      write: (data) => this.send({ type: 'write', id, data }),
      resize: (cols, rows) => this.send({ type: 'resize', id, cols, rows }),
      pause: () => this.send({ type: 'pause', id }),
      resume: () => this.send({ type: 'resume', id }),
      kill: (signal) => this.send({ type: 'kill', id, signal }),
      onData: (listener) => void entry.data.on(listener),
      onExit: (listener) => void entry.exit.on(listener),
    };
  }

  dispose(): void {
    const child = this.child;
    this.child = null;
    child?.kill();
    this.endAll('Hatch is shutting down.');
  }

  private send(message: ToPtyHost): void {
    if (message.type !== 'spawn' && !this.sessions.has(message.id)) return;
    this.ensureChild().postMessage(message);
  }

  private ensureChild(): UtilityProcess {
    if (this.child) return this.child;
    const child = utilityProcess.fork(this.workerPath, [], { serviceName: 'Hatch pty host', stdio: 'inherit' });
    child.on('message', (message: FromPtyHost) => this.receive(message));
    child.on('exit', (code) => {
      if (this.child !== child) return;
      this.child = null;
      this.endAll(`The terminal host stopped unexpectedly (code ${code}).`);
    });
    this.child = child;
    return child;
  }

  private receive(message: FromPtyHost): void {
    const entry = this.sessions.get(message.id);
    if (!entry) return;
    switch (message.type) {
      case 'spawned':
        return entry.spawned(message.pid);
      case 'data':
        return entry.data.emit(message.data);
      case 'error':
        entry.error = message.message;
        return entry.failed(new Error(message.message));
      case 'exit':
        this.sessions.delete(message.id);
        return entry.exit.emit({ exitCode: message.exitCode, signal: message.signal, error: entry.error });
    }
  }

  private endAll(reason: string): void {
    for (const [id, entry] of this.sessions) {
      this.sessions.delete(id);
      entry.failed(new Error(reason));
      entry.exit.emit({ exitCode: -1, signal: null, error: reason });
    }
  }
}
