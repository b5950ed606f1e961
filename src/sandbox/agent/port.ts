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

/** Basic forwarding (spec 9.3): dial at start, drop on DisconnectToPort, re-dial on the next data. */
export class BasicPortHandler implements SessionHandler {
  private socket: net.Socket | undefined;
  private paused = false;
  private stopped = false;

  constructor(
    private readonly dest: Destination,
    private readonly host: HandlerHost,
    /** No `type` property (e.g. AWS-StartSSHSession): the session ends with the remote connection. */
    private readonly endWithConnection: boolean,
  ) {}

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
      s?.write(payload);
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

  constructor(
    private readonly dest: Destination,
    private readonly host: HandlerHost,
    private readonly keepAlive: boolean,
  ) {}

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
      this.session?.write(payload);
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
