// What a session plugin (shell, command, port) looks like to the session that runs it.
import type { PayloadType } from '../../protocol/codec';

export interface HandlerHost {
  /** Bytes for the client (type 1 Output, 11 StdErr, 12 ExitCode, 10 Flag). */
  output(payloadType: PayloadType, data: Buffer): void;
  /** The plugin finished on its own (shell exit, remote closed, TerminateSession flag). */
  ended(how: { reason: 'exit' | 'terminated'; exitCode?: number }): void;
  /** The plugin could not run; `message` goes into channel_closed's Output. */
  failed(message: string): void;
  /**
   * Flow control toward the destination: true while it takes no more (a socket's write
   * returned false), false once it drained. Meanwhile the session takes no client data: it
   * waits, unacknowledged, in the receive buffer (as with the real agent, whose plugin blocks
   * on the write), and the client's window fills.
   */
  holdInput(hold: boolean): void;
}

export interface SessionHandler {
  start(): void;
  /** In-order client data. false = not ready (no acknowledgement, the client retransmits). */
  input(payloadType: number, payload: Buffer): boolean;
  /** Flow control: stop / restart reading the process or sockets. */
  pause(): void;
  resume(): void;
  /** Client bytes taken but not yet written to the destination (diagnostics and tests). */
  bufferedInput?(): number;
  /** Kill the process / close the sockets; resolves when they are gone. */
  stop(): Promise<void>;
}
