// Port plugins: basic (one TCP connection at a time) and multiplexed (smux v1 server over the
// concatenated Output payloads). Destinations are resolved to loopback before any dial.
import net from 'node:net';
import { PayloadType } from '../../protocol/codec';
import { encodeFlag, Flag, parseFlag } from '../../protocol/payloads';
import { SmuxSession, type SmuxStream } from '../../protocol/smux';
import type { Destination } from './destination';
import type { HandlerHost, SessionHandler } from './handler';

function dialError(dest: Destination, err: Error): string {
  const where = dest.ok ? `${dest.host}:${dest.port}` : '';
  const code = (err as NodeJS.ErrnoException).code;
  const reason = code === 'ECONNREFUSED' ? 'connect: connection refused' : err.message;
  return `dial tcp ${where}: ${reason}`;
}

/**
 * Holds the session's input while `dest` is backed up (its write returned false) and lets it
 * go on 'drain' — or on 'close', when nothing will drain any more. One hold at a time.
 */
class InputHold {
  private on: NodeJS.EventEmitter | undefined;
  constructor(private readonly host: HandlerHost) {}

  hold(dest: NodeJS.EventEmitter): void {
    if (this.on) return;
    this.on = dest;
    this.host.holdInput(true);
    const release = (): void => {
      dest.off('drain', release);
      dest.off('close', release);
      if (this.on !== dest) return;
      this.on = undefined;
      this.host.holdInput(false);
    };
    dest.on('drain', release);
    dest.on('close', release);
  }
}

/** Basic forwarding (spec 9.3): dial at start, drop on DisconnectToPort, re-dial on the next data. */
export class BasicPortHandler implements SessionHandler {
  private socket: net.Socket | undefined;
  private paused = false;
  private stopped = false;
  private readonly inputHold: InputHold;

  constructor(
    private readonly dest: Destination,
    private readonly host: HandlerHost,
    /** No `type` property (e.g. AWS-StartSSHSession): the session ends with the remote connection. */
    private readonly endWithConnection: boolean,
  ) {
    this.inputHold = new InputHold(host);
  }

  start(): void {
    if (!this.dest.ok) {
      this.host.failed(`Unable to start port session: ${this.dest.error}`);
      return;
    }
    this.dial();
  }

  private dial(): net.Socket | undefined {
    const dest = this.dest;
    if (!dest.ok || this.stopped) return undefined;
    const s = net.connect({ host: dest.host, port: dest.port });
    this.socket = s;
    let connected = false;
    let clientDisconnected = false;
    s.setNoDelay(true);
    s.on('connect', () => {
      connected = true;
    });
    s.on('data', (d: Buffer) => this.host.output(PayloadType.Output, d));
    s.on('error', (err) => {
      if (!connected && !this.stopped) this.host.failed(`Unable to start port session: ${dialError(dest, err)}`);
    });
    s.on('close', () => {
      if (this.socket === s) this.socket = undefined;
      else clientDisconnected = true;
      if (connected && this.endWithConnection && !clientDisconnected && !this.stopped) this.host.ended({ reason: 'exit' });
    });
    if (this.paused) s.pause();
    return s;
  }

  input(payloadType: number, payload: Buffer): boolean {
    if (payloadType === PayloadType.Output) {
      const s = this.socket ?? this.dial();
      // A slow destination: take no more client data until it drained (bounded memory).
      if (s && !s.write(payload)) this.inputHold.hold(s);
    } else if (payloadType === PayloadType.Flag) {
      let flag: number;
      try {
        flag = parseFlag(payload);
      } catch {
        return true;
      }
      if (flag === Flag.DisconnectToPort) {
        const s = this.socket;
        this.socket = undefined;
        s?.destroy();
      } else if (flag === Flag.TerminateSession) {
        this.host.ended({ reason: 'terminated' });
      }
    }
    return true;
  }

  bufferedInput(): number {
    return this.socket?.writableLength ?? 0;
  }

  pause(): void {
    this.paused = true;
    this.socket?.pause();
  }

  resume(): void {
    this.paused = false;
    this.socket?.resume();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const s = this.socket;
    this.socket = undefined;
    if (s && !s.destroyed) {
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        s.destroy();
      });
    }
  }
}

/** Multiplexed forwarding (spec 9.4): one TCP connection per smux stream the client opens. */
export class SmuxPortHandler implements SessionHandler {
  private session: SmuxSession | undefined;
  private readonly conns = new Set<net.Socket>();
  private stopped = false;
  /** Streams refused because the destination could not be dialled (for tests/diagnostics). */
  refusedStreams = 0;
  private readonly inputHold: InputHold;

  constructor(
    private readonly dest: Destination,
    private readonly host: HandlerHost,
    private readonly keepAlive: boolean,
  ) {
    this.inputHold = new InputHold(host);
  }

  start(): void {
    const session = new SmuxSession({ role: 'server', keepAlive: this.keepAlive });
    this.session = session;
    session.on('data', (d: Buffer) => this.host.output(PayloadType.Output, d));
    session.on('stream', (s: SmuxStream) => this.onStream(s));
    session.on('error', () => undefined); // reported through sessionClosed
    session.on('sessionClosed', (err?: Error | null) => {
      if (err && !this.stopped) this.host.failed(`smux session failed: ${err.message}`);
    });
  }

  private refuse(stream: SmuxStream): void {
    this.refusedStreams++;
    this.host.output(PayloadType.Flag, encodeFlag(Flag.ConnectToPortError));
    stream.destroy(); // sends FIN
  }

  private onStream(stream: SmuxStream): void {
    stream.on('error', () => undefined);
    const dest = this.dest;
    if (!dest.ok || this.stopped) {
      this.refuse(stream);
      return;
    }
    const conn = net.connect({ host: dest.host, port: dest.port });
    conn.setNoDelay(true);
    this.conns.add(conn);
    let connected = false;
    conn.on('connect', () => {
      connected = true;
      stream.pipe(conn);
      conn.pipe(stream);
    });
    conn.on('error', () => {
      if (!connected) this.refuse(stream);
    });
    conn.on('close', () => {
      this.conns.delete(conn);
      // The reference does not keep half-closed streams: either end finishing closes both.
      if (connected && !stream.destroyed) stream.end();
    });
    stream.on('end', () => conn.end());
    stream.on('close', () => {
      if (!conn.destroyed && !connected) conn.destroy();
    });
  }

  input(payloadType: number, payload: Buffer): boolean {
    if (payloadType === PayloadType.Output) {
      // The session holds wire input while a stream's unread data passes its bound (a
      // destination socket that does not drain); its write then says so. smux v1 has no
      // per-stream window, so like the reference this holds every stream of the session.
      const session = this.session;
      if (session && !session.write(payload)) this.inputHold.hold(session);
    } else if (payloadType === PayloadType.Flag) {
      let flag: number;
      try {
        flag = parseFlag(payload);
      } catch {
        return true;
      }
      if (flag === Flag.TerminateSession) this.host.ended({ reason: 'terminated' });
    }
    return true;
  }

  bufferedInput(): number {
    const session = this.session;
    if (!session) return 0;
    let n = session.writableLength + session.bufferedIn;
    for (const c of this.conns) n += c.writableLength;
    return n;
  }

  pause(): void {
    this.session?.pause();
  }

  resume(): void {
    this.session?.resume();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.session?.close();
    const closing = [...this.conns].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.destroyed) return resolve();
          c.once('close', () => resolve());
          c.destroy();
        }),
    );
    await Promise.all(closing);
  }
}
