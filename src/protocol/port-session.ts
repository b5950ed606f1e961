// Port sessions over the data channel (spec 9): stdio forwarding, basic forwarding (one
// local TCP connection at a time) and multiplexed forwarding (one smux stream per local
// connection). Bytes stay Buffers end to end; nothing here loops per byte.
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { PayloadType, type ClientMessage } from './codec';
import type { DataChannel } from './channel';
import type { DataChannelClient } from './client';
import { agentFeatures } from './handshake';
import { encodeFlag, Flag, parseFlag } from './payloads';
import { SmuxSession, type SmuxSessionOptions, type SmuxStream } from './smux';

/** What a port session needs from the data channel. */
export interface PortChannel {
  send(payloadType: number, payload: Buffer): boolean;
  /** Installs the handler for delivered payloads; false from it means "not ready". */
  setHandler(h: ((m: ClientMessage) => boolean | void) | null): void;
  /** Called when send() back-pressure clears; returns an unsubscribe function. */
  onDrain(cb: () => void): () => void;
  pauseReading(): void;
  resumeReading(): void;
  /** Resolves when everything sent is acknowledged. */
  whenIdle(): Promise<void>;
}

/** A session's channel as seen through DataChannelClient (the normal case). */
export function portChannelOfClient(c: DataChannelClient): PortChannel {
  return {
    send: (t, p) => c.send(t, p),
    setHandler: (h) => c.setPayloadHandler(h),
    onDrain: (cb) => c.channel.on('drain', cb),
    pauseReading: () => c.channel.pauseReading(),
    resumeReading: () => c.channel.resumeReading(),
    whenIdle: () => c.channel.whenIdle(),
  };
}

/** A bare DataChannel (tests, tools): the handler is one 'data' listener. */
export function portChannelOfDataChannel(ch: DataChannel): PortChannel {
  let off: (() => void) | null = null;
  return {
    send: (t, p) => ch.send(t, p),
    setHandler: (h) => {
      off?.();
      off = h ? ch.on('data', h) : null;
    },
    onDrain: (cb) => ch.on('drain', cb),
    pauseReading: () => ch.pauseReading(),
    resumeReading: () => ch.resumeReading(),
    whenIdle: () => ch.whenIdle(),
  };
}

/** Port document properties as delivered in the handshake (all strings, spec 2.4). */
export interface PortProperties {
  portNumber?: string;
  localPortNumber?: string;
  localUnixSocket?: string;
  localConnectionType?: string;
  type?: string;
  host?: string;
}

export type PortMode = 'stdio' | 'basic' | 'multiplexed';

export type AgentFeatures = ReturnType<typeof agentFeatures>;
export { agentFeatures };

/** Mode selection of spec 9.1 (client side). */
export function selectPortMode(properties: PortProperties | null | undefined, agentVersion: string | undefined): PortMode {
  if (properties?.type !== 'LocalPortForwarding') return 'stdio';
  return agentFeatures(agentVersion ?? '').multiplexedPortForwarding ? 'multiplexed' : 'basic';
}

export interface PortSessionOptions {
  channel: PortChannel;
  sessionId: string;
  /** AgentVersion from the handshake ('' when unknown). */
  agentVersion: string;
  properties: PortProperties;
  /** Override the mode chosen by selectPortMode (tests, diagnostics). */
  mode?: PortMode;
  /** Address the local listener binds to. Default 127.0.0.1. */
  bindAddress?: string;
  /** Local port; overrides properties.localPortNumber. 0 = pick a free one. */
  localPort?: number;
  /**
   * false: open no listener; the caller owns it and hands accepted sockets over with
   * adopt() (several sessions behind one local port). Default true.
   */
  listen?: boolean;
  /** Standard input/output for stdio mode. */
  stdin?: Readable;
  stdout?: Writable;
  /** Override the keep-alive choice of spec 9.4 (on only for agents ≤ 3.1.1511.0). */
  keepAlive?: boolean;
  /** Extra smux tuning (buffer bounds, frame size). */
  smux?: Partial<Omit<SmuxSessionOptions, 'role'>>;
}

export interface PortListenInfo {
  address: string;
  port: number;
  /** Set when listening on a Unix socket instead of TCP. */
  path?: string;
}

export interface PortConnectionInfo {
  id: number;
  remoteAddress?: string;
  remotePort?: number;
  streamId?: number;
}

export interface PortConnectError {
  /** Destination the agent failed to reach. */
  remotePort: string;
  host?: string;
  connectionId?: number;
  streamId?: number;
  message: string;
}

export interface PortSessionStats {
  mode: PortMode;
  /** Bytes read from local connections (or stdin) and sent to the remote side. */
  bytesUp: number;
  /** Bytes received from the remote side and written locally. */
  bytesDown: number;
  activeConnections: number;
  totalConnections: number;
  connectErrors: number;
}

interface Conn {
  id: number;
  socket: net.Socket;
  stream?: SmuxStream;
  bytesUp: number;
  bytesDown: number;
  refused: boolean;
}

/**
 * Collects small chunks arriving in one I/O round and hands them on as one Buffer, so a
 * burst of tiny reads becomes few data messages instead of one message each.
 */
class Coalescer {
  private parts: Buffer[] = [];
  private size = 0;
  private scheduled = false;

  constructor(private readonly sink: (data: Buffer) => void) {}

  add(chunk: Buffer): void {
    this.parts.push(chunk);
    this.size += chunk.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (!this.size) return;
    const data = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    this.sink(data);
  }
}

export interface PortSessionEvents {
  listening: [info: PortListenInfo];
  connection: [info: PortConnectionInfo];
  connectionClosed: [info: PortConnectionInfo & { bytesUp: number; bytesDown: number }];
  /** The agent could not reach the destination for a local connection (flag 3). */
  connectToPortError: [err: PortConnectError];
  /** stdio mode: standard input reached EOF (the reference ends the session then). */
  stdinEnded: [];
  /** Non-fatal problems (a local socket error, a malformed flag). */
  warning: [err: Error];
  /** The smux session failed (protocol error, keep-alive timeout): forwarding is over. */
  failed: [err: Error];
  closed: [];
}

export class PortSession extends EventEmitter<PortSessionEvents> {
  readonly mode: PortMode;
  readonly sessionId: string;
  readonly features: AgentFeatures;
  private readonly opts: PortSessionOptions;
  private readonly channel: PortChannel;
  private server: net.Server | null = null;
  private smux: SmuxSession | null = null;
  private readonly conns = new Map<number, Conn>();
  private basicQueue: net.Socket[] = [];
  private basicCurrent: Conn | null = null;
  private basicUp: Coalescer | null = null;
  private nextConnId = 0;
  private pendingRefusals = 0;
  private inputPaused = false;
  private upPaused = new Set<Readable>();
  private readonly offChannel: Array<() => void> = [];
  private closedFlag = false;
  private stats_: PortSessionStats;
  listenInfo: PortListenInfo | null = null;

  constructor(opts: PortSessionOptions) {
    super();
    this.opts = opts;
    this.channel = opts.channel;
    this.sessionId = opts.sessionId;
    this.features = agentFeatures(opts.agentVersion ?? '');
    this.mode = opts.mode ?? selectPortMode(opts.properties, opts.agentVersion);
    this.stats_ = { mode: this.mode, bytesUp: 0, bytesDown: 0, activeConnections: 0, totalConnections: 0, connectErrors: 0 };
  }

  get stats(): PortSessionStats {
    return { ...this.stats_, activeConnections: this.conns.size };
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /**
   * Starts forwarding. For basic/multiplexed modes resolves once the local listener is
   * bound (rejects if it cannot bind); for stdio mode, or with `listen: false`, resolves
   * null at once.
   */
  async start(): Promise<PortListenInfo | null> {
    this.channel.setHandler((m) => this.onChannelData(m));
    // After close, late payloads are acknowledged and dropped rather than retransmitted.
    this.offChannel.push(() => this.channel.setHandler(() => true));
    this.offChannel.push(
      this.channel.onDrain(() => {
        // The channel accepted its backlog: let every paused producer go on.
        this.smux?.resume();
        for (const r of this.upPaused) r.resume();
        this.upPaused.clear();
      }),
    );
    if (this.mode === 'stdio') {
      this.startStdio();
      return null;
    }
    if (this.mode === 'multiplexed') this.startSmux();
    if (this.opts.listen === false) return null;
    return this.listen();
  }

  /**
   * Forwards a local connection accepted by someone else's listener (see `listen: false`),
   * exactly as if this session had accepted it: a new smux stream, or (basic mode) the
   * next connection in line. The socket is paused until it is served. A closed session
   * destroys it. Create the listener with `allowHalfOpen: true` (and ideally
   * `pauseOnConnect: true`) like the session's own.
   */
  adopt(sock: net.Socket): void {
    if (this.mode === 'stdio') throw new Error('a stdio port session has no local connections');
    if (this.mode === 'multiplexed' && !this.smux && !this.closedFlag) throw new Error('adopt() before start()');
    sock.pause();
    sock.setNoDelay(true);
    this.onAccept(sock);
  }

  // ---------- channel side ----------

  /**
   * channel.send throws once the session has ended; socket callbacks must not crash the
   * process in the moment between the end and close(). Returns false on back-pressure.
   */
  private trySend(payloadType: number, payload: Buffer): boolean {
    try {
      return this.channel.send(payloadType, payload);
    } catch (e) {
      if (!this.closedFlag) this.emit('warning', e as Error);
      return true;
    }
  }

  /** `count`: false for smux wire bytes (the counters track the local connections' bytes). */
  private sendUp(data: Buffer, producer: Readable | null, count = true): void {
    if (this.closedFlag) return;
    if (count) this.stats_.bytesUp += data.length;
    if (!this.trySend(PayloadType.Output, data) && producer) {
      producer.pause();
      this.upPaused.add(producer);
    }
  }

  private onChannelData(m: ClientMessage): boolean | void {
    if (m.payloadType === PayloadType.Flag) {
      this.onFlag(m.payload);
      return true;
    }
    if (m.payloadType !== PayloadType.Output) return undefined;
    if (this.closedFlag) return true;
    switch (this.mode) {
      case 'multiplexed': {
        const s = this.smux;
        if (!s) return false;
        if (!s.write(m.payload)) this.pauseChannelUntil(s, 'drain');
        return true;
      }
      case 'basic': {
        const c = this.basicCurrent;
        // No local connection yet: "not ready", the message stays unacknowledged (9.1).
        if (!c || c.socket.destroyed || !c.socket.writable) return false;
        c.bytesDown += m.payload.length;
        this.stats_.bytesDown += m.payload.length;
        if (!c.socket.write(m.payload)) this.pauseChannelUntil(c.socket, 'drain');
        return true;
      }
      case 'stdio': {
        const out = this.opts.stdout;
        if (!out) return true;
        this.stats_.bytesDown += m.payload.length;
        if (!out.write(m.payload)) this.pauseChannelUntil(out, 'drain');
        return true;
      }
    }
  }

  /** Local consumer is full: stop reading the channel (acks are withheld) until it drains. */
  private pauseChannelUntil(target: EventEmitter, event: string): void {
    if (this.inputPaused) return;
    this.inputPaused = true;
    this.channel.pauseReading();
    const resume = () => {
      target.off(event, resume);
      target.off('close', resume);
      if (!this.inputPaused) return;
      this.inputPaused = false;
      this.channel.resumeReading();
    };
    target.on(event, resume);
    target.on('close', resume);
  }

  private onFlag(payload: Buffer): void {
    let flag: number;
    try {
      flag = parseFlag(payload);
    } catch (e) {
      this.emit('warning', e as Error);
      return;
    }
    if (flag !== Flag.ConnectToPortError) return;
    this.stats_.connectErrors++;
    if (this.mode === 'basic' && this.basicCurrent) {
      this.refuse(this.basicCurrent);
      return;
    }
    // The flag names no stream; the agent FINs the refused stream right after it, so the
    // next stream that ends without having received a byte is the refused one.
    const candidates = [...this.conns.values()].filter((c) => c.stream && !c.refused && c.bytesDown === 0);
    if (candidates.length === 0) {
      this.emitConnectError(undefined);
      return;
    }
    this.pendingRefusals++;
  }

  private emitConnectError(c: Conn | undefined): void {
    const p = this.opts.properties;
    const remotePort = p.portNumber ?? '';
    const where = p.host ? `${p.host}:${remotePort}` : `port ${remotePort}`;
    this.emit('connectToPortError', {
      remotePort,
      host: p.host,
      connectionId: c?.id,
      streamId: c?.stream?.id,
      message: `Connection to destination ${where} failed (refused by the remote side); check SSM Agent logs.`,
    } satisfies PortConnectError);
  }

  private refuse(c: Conn): void {
    c.refused = true;
    // A reset, not a clean close, so the local client sees the connection was refused.
    if (!c.socket.destroyed) c.socket.resetAndDestroy();
    this.emitConnectError(c);
  }

  // ---------- listener ----------

  private listen(): Promise<PortListenInfo> {
    const p = this.opts.properties;
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (sock) => this.onAccept(sock));
    this.server = server;
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      const done = () => {
        server.off('error', onError);
        server.on('error', (e) => this.emit('warning', e));
        const a = server.address();
        const info: PortListenInfo =
          typeof a === 'string' || a === null
            ? { address: '', port: 0, path: typeof a === 'string' ? a : p.localUnixSocket }
            : { address: a.address, port: a.port };
        this.listenInfo = info;
        this.emit('listening', info);
        resolve(info);
      };
      if (p.localConnectionType === 'unix' && p.localUnixSocket) {
        server.listen(p.localUnixSocket, done);
      } else {
        const port = this.opts.localPort ?? (Number.parseInt(p.localPortNumber ?? '', 10) || 0);
        server.listen(port, this.opts.bindAddress ?? '127.0.0.1', done);
      }
    });
  }

  private onAccept(sock: net.Socket): void {
    if (this.closedFlag) {
      sock.destroy();
      return;
    }
    if (this.mode === 'multiplexed') this.acceptSmux(sock);
    else {
      this.basicQueue.push(sock);
      if (!this.basicCurrent) this.basicNext();
    }
  }

  private newConn(sock: net.Socket): Conn {
    const c: Conn = { id: ++this.nextConnId, socket: sock, bytesUp: 0, bytesDown: 0, refused: false };
    this.conns.set(c.id, c);
    this.stats_.totalConnections++;
    return c;
  }

  private connInfo(c: Conn): PortConnectionInfo {
    return { id: c.id, remoteAddress: c.socket.remoteAddress, remotePort: c.socket.remotePort, streamId: c.stream?.id };
  }

  private connClosed(c: Conn): void {
    if (!this.conns.delete(c.id)) return;
    this.emit('connectionClosed', { ...this.connInfo(c), bytesUp: c.bytesUp, bytesDown: c.bytesDown });
  }

  // ---------- multiplexed (9.4) ----------

  private startSmux(): void {
    const keepAlive = this.opts.keepAlive ?? !this.features.smuxKeepAliveDisabled;
    // NOPs keep old agents (and the service's idle timer) content, but silence from the agent
    // does not end the tunnel: an agent may have turned its own keep-alive off for our
    // ClientVersion, and a dead connection is the channel's job to notice (WebSocket pings).
    const s = new SmuxSession({ keepAliveTimeoutMs: 0, ...this.opts.smux, role: 'client', keepAlive });
    this.smux = s;
    s.on('data', (d: Buffer) => this.sendUp(d, s, false));
    s.on('error', () => undefined); // reported through sessionClosed
    s.on('sessionClosed', (err: Error | null) => {
      if (err && !this.closedFlag) this.emit('failed', err);
    });
  }

  private acceptSmux(sock: net.Socket): void {
    const smux = this.smux as SmuxSession;
    if (smux.isClosed) {
      sock.destroy();
      return;
    }
    const c = this.newConn(sock);
    const stream = smux.openStream();
    c.stream = stream;
    this.emit('connection', this.connInfo(c));
    sock.on('data', (d: Buffer) => {
      c.bytesUp += d.length;
      this.stats_.bytesUp += d.length;
    });
    stream.on('data', (d: Buffer) => {
      c.bytesDown += d.length;
      this.stats_.bytesDown += d.length;
    });
    // Local EOF → FIN; remote FIN → local end. Back-pressure both ways through pipe.
    sock.pipe(stream);
    stream.pipe(sock, { end: false });
    stream.on('end', () => {
      if (this.pendingRefusals > 0 && c.bytesDown === 0 && !c.refused) {
        this.pendingRefusals--;
        this.refuse(c);
      } else if (!sock.destroyed) sock.end();
    });
    sock.on('error', (e) => {
      this.emit('warning', e);
      stream.destroy();
    });
    stream.on('error', () => sock.destroy());
    stream.on('close', () => {
      if (!sock.destroyed && !sock.writableEnded) sock.destroy();
    });
    sock.on('close', () => {
      // Data still queued towards the stream after a local EOF is sent; otherwise close now.
      if (!stream.writableEnded) stream.destroy();
      this.connClosed(c);
    });
    sock.resume();
  }

  // ---------- basic (9.3) ----------

  private basicNext(): void {
    const sock = this.basicQueue.shift();
    if (!sock) return;
    if (sock.destroyed) {
      this.basicNext();
      return;
    }
    const c = this.newConn(sock);
    this.basicCurrent = c;
    this.emit('connection', this.connInfo(c));
    const up = new Coalescer((d) => this.sendUp(d, sock));
    this.basicUp = up;
    sock.on('data', (d: Buffer) => {
      c.bytesUp += d.length;
      up.add(d);
    });
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      up.flush();
      this.upPaused.delete(sock);
      if (!sock.destroyed) sock.destroy();
      this.connClosed(c);
      if (this.basicCurrent === c) {
        this.basicCurrent = null;
        this.basicUp = null;
      }
      if (this.closedFlag) return;
      // The agent closes its TCP connection and dials again on our next Output payload.
      this.trySend(PayloadType.Flag, encodeFlag(Flag.DisconnectToPort));
      this.basicNext();
    };
    sock.on('end', finish);
    sock.on('close', finish);
    sock.on('error', (e) => {
      if (!c.refused) this.emit('warning', e);
      finish();
    });
    sock.resume();
    // Messages parked as "not ready" while nobody was connected can flow now.
    this.channel.resumeReading();
  }

  // ---------- stdio (9.2) ----------

  private startStdio(): void {
    const input = this.opts.stdin;
    if (!input) return;
    const up = new Coalescer((d) => this.sendUp(d, input));
    input.on('data', (d: Buffer | string) => up.add(typeof d === 'string' ? Buffer.from(d) : d));
    input.on('end', () => {
      up.flush();
      this.emit('stdinEnded');
    });
  }

  // ---------- end ----------

  /**
   * Ends forwarding. With `terminate`, sends the TerminateSession flag when the agent
   * understands it (multiplexed mode, or agent > 2.3.722.0) and waits up to
   * `waitMs` for its acknowledgement. Returns whether the flag was sent; when it was not,
   * the caller should call the TerminateSession API instead.
   */
  async close(opts: { terminate?: boolean; waitMs?: number } = {}): Promise<{ flagSent: boolean }> {
    if (this.closedFlag) return { flagSent: false };
    let flagSent = false;
    this.basicUp?.flush();
    if (opts.terminate && (this.mode === 'multiplexed' || this.features.terminateSessionFlagSupported)) {
      this.trySend(PayloadType.Flag, encodeFlag(Flag.TerminateSession));
      flagSent = true;
    }
    this.closedFlag = true;
    for (const off of this.offChannel) off();
    this.offChannel.length = 0;
    this.server?.close();
    for (const s of this.basicQueue) s.destroy();
    this.basicQueue = [];
    for (const c of [...this.conns.values()]) {
      c.socket.destroy();
      this.connClosed(c);
    }
    this.smux?.destroy();
    if (this.inputPaused) {
      this.inputPaused = false;
      this.channel.resumeReading();
    }
    if (flagSent) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.channel.whenIdle(),
        new Promise<void>((r) => {
          timer = setTimeout(r, opts.waitMs ?? 2000);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
    }
    this.emit('closed');
    return { flagSent };
  }
}

export type StartPortSessionOptions = Omit<PortSessionOptions, 'channel' | 'sessionId' | 'agentVersion' | 'properties'> & {
  /** Override the handshake's properties (e.g. a local port chosen by the user). */
  properties?: PortProperties;
};

/**
 * Wraps a connected DataChannelClient whose session is a Port session: waits for the
 * session type, then starts forwarding as the handshake says (spec 9.1).
 */
export async function startPortSession(client: DataChannelClient, opts: StartPortSessionOptions = {}): Promise<PortSession> {
  const ready = await client.whenReady();
  if (ready.kind !== 'port') throw new Error(`session ${client.sessionId} is a ${ready.sessionType} session, not a port session`);
  const props = (opts.properties ?? ready.properties ?? {}) as PortProperties;
  const ps = new PortSession({ ...opts, channel: portChannelOfClient(client), sessionId: client.sessionId, agentVersion: ready.agentVersion, properties: props });
  await ps.start();
  // The session ended (channel_closed, lost for good): stop listening and drop local sockets.
  void client.ended.then(() => ps.close());
  return ps;
}
