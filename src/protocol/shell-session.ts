// Shell-type sessions (Standard_Stream, InteractiveCommands, NonInteractiveCommands; spec 8)
// on top of a DataChannelClient: input, resize, stdout/stderr, exit code, terminate.
import { PayloadType, type ClientMessage } from './codec';
import { connectDataChannel, type ConnectOptions, type DataChannelClient, type SessionEnd, type SessionEndReason, type SessionReady } from './client';
import { Flag, parseExitCode } from './payloads';

export type OutputStream = 'stdout' | 'stderr';

export interface ShellExit {
  /** From the agent's EXIT_CODE message (non-interactive sessions with separate streams), else null. */
  exitCode: number | null;
  reason: SessionEndReason;
  /** channel_closed Output or an error description; empty for a normal end. */
  message: string;
  error?: Error;
}

export interface ShellSessionOptions {
  /** Initial terminal size, sent once the session type is known (never before, spec 6.1). */
  cols?: number;
  rows?: number;
}

export class ShellSession {
  readonly client: DataChannelClient;
  private dataCbs: ((data: Buffer, stream: OutputStream) => void)[] = [];
  private exitCbs: ((e: ShellExit) => void)[] = [];
  private _exitCode: number | null = null;
  private _exit: ShellExit | null = null;
  private lastSize: { cols: number; rows: number } | null = null;
  /** Output that arrived before anyone subscribed (the prompt, usually). */
  private early: { data: Buffer; stream: OutputStream }[] = [];
  readonly exited: Promise<ShellExit>;

  constructor(client: DataChannelClient, opts: ShellSessionOptions = {}) {
    this.client = client;
    if (opts.cols && opts.rows) this.resize(opts.cols, opts.rows);
    client.setPayloadHandler((m) => this.onPayload(m));
    this.exited = client.ended.then((end: SessionEnd) => {
      const e: ShellExit = { exitCode: this._exitCode, reason: end.reason, message: end.message, error: end.error };
      this._exit = e;
      for (const cb of this.exitCbs.splice(0)) cb(e);
      return e;
    });
  }

  get sessionId(): string {
    return this.client.sessionId;
  }

  /** Session type, agent version, encryption — once known. */
  whenReady(): Promise<SessionReady> {
    return this.client.whenReady();
  }

  private onPayload(m: ClientMessage): boolean | void {
    switch (m.payloadType) {
      case PayloadType.Output:
        this.emitData(m.payload, 'stdout');
        return;
      case PayloadType.StdErr:
        this.emitData(m.payload, 'stderr');
        return;
      case PayloadType.ExitCode:
        try {
          this._exitCode = parseExitCode(m.payload);
        } catch {
          /* malformed exit code: leave it unknown */
        }
        return;
      default:
        return; // flags and others mean nothing to a shell
    }
  }

  private emitData(data: Buffer, stream: OutputStream): void {
    // Copy out of the frame so holders do not pin whole frames.
    const chunk = Buffer.from(data);
    if (this.dataCbs.length === 0) {
      this.early.push({ data: chunk, stream });
      return;
    }
    for (const cb of this.dataCbs) cb(chunk, stream);
  }

  onData(cb: (data: Buffer, stream: OutputStream) => void): () => void {
    this.dataCbs.push(cb);
    for (const e of this.early.splice(0)) cb(e.data, e.stream);
    return () => {
      const i = this.dataCbs.indexOf(cb);
      if (i >= 0) this.dataCbs.splice(i, 1);
    };
  }

  onExit(cb: (e: ShellExit) => void): () => void {
    if (this._exit) {
      cb(this._exit);
      return () => {};
    }
    this.exitCbs.push(cb);
    return () => {
      const i = this.exitCbs.indexOf(cb);
      if (i >= 0) this.exitCbs.splice(i, 1);
    };
  }

  get exitCode(): number | null {
    return this._exitCode;
  }

  /** Keystrokes, unbatched. Returns false when the send buffer is above its high-water mark. */
  write(data: Buffer | string): boolean {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (buf.length === 0) return true;
    return this.client.sendInput(buf);
  }

  /** Terminal size; repeated identical sizes are not resent. */
  resize(cols: number, rows: number): void {
    const c = Math.max(1, Math.floor(cols));
    const r = Math.max(1, Math.floor(rows));
    if (this.lastSize && this.lastSize.cols === c && this.lastSize.rows === r) return;
    this.lastSize = { cols: c, rows: r };
    this.client.sendSize(c, r);
  }

  /** Flow control: stop acknowledging output (the agent's window fills) / start again. */
  pauseOutput(): void {
    this.client.channel.pauseReading();
  }

  resumeOutput(): void {
    this.client.channel.resumeReading();
  }

  /** End the session: flag 2 (harmless for shells) and TerminateSession through the app. */
  async terminate(timeoutMs?: number): Promise<ShellExit> {
    if (!this._exit && this.client.session) {
      try {
        this.client.sendFlag(Flag.TerminateSession);
      } catch {
        /* already ending */
      }
    }
    await this.client.terminate(timeoutMs);
    return this.exited;
  }

  close(): void {
    this.client.close();
  }
}

/** Connect and wrap as a shell session (the native engine's entry point for shells). */
export async function startShellSession(opts: ConnectOptions & ShellSessionOptions): Promise<ShellSession> {
  const client = await connectDataChannel(opts);
  return new ShellSession(client, opts);
}
