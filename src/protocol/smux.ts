// smux protocol version 1 (spec 9.4): a symmetric stream multiplexer over one byte
// stream. Written for Hatch from the wire description only.
//
// The session is itself a Duplex on its "wire" side: bytes from the peer are written
// into it, bytes for the peer are read out of it (so an in-memory pair is just
// `a.pipe(b).pipe(a)`). Each logical stream is a Duplex too, so a TCP socket can be
// piped to and from it with Node's back-pressure.
//
// Flow control: smux v1 has no per-stream window. When received-but-unread data passes
// the per-stream or the session bound, the session stops accepting wire bytes (its
// write callback is held) until the slow stream is read; this stalls every stream,
// exactly like the reference, but never grows memory without bound.
import { Duplex } from 'node:stream';

const SMUX_VERSION = 1;
const SMUX_HEADER_SIZE = 8;
/** Data bytes per PSH frame the reference writes (MaxFrameSize). */
const SMUX_DEFAULT_MAX_FRAME = 32_768;
/** A PSH frame's length field is 16 bits. */
const SMUX_MAX_FRAME_LIMIT = 65_535;

export enum SmuxCmd {
  SYN = 0,
  FIN = 1,
  PSH = 2,
  NOP = 3,
  /** Version 2 only; a protocol error in a version-1 session. */
  UPD = 4,
}

export interface SmuxFrame {
  version: number;
  cmd: SmuxCmd;
  streamId: number;
  data: Buffer;
}

export class SmuxProtocolError extends Error {
  readonly code = 'ERR_SMUX_PROTOCOL';
  constructor(message: string) {
    super(message);
    this.name = 'SmuxProtocolError';
  }
}

class SmuxClosedError extends Error {
  readonly code = 'ERR_SMUX_CLOSED';
  constructor(message = 'smux session is closed') {
    super(message);
    this.name = 'SmuxClosedError';
  }
}

/** 8-byte v1 header: version, cmd, length (LE16), stream id (LE32). */
export function encodeSmuxHeader(cmd: SmuxCmd, streamId: number, length: number, version = SMUX_VERSION): Buffer {
  if (length < 0 || length > SMUX_MAX_FRAME_LIMIT) throw new RangeError(`smux frame length ${length} out of range`);
  const h = Buffer.allocUnsafe(SMUX_HEADER_SIZE);
  h[0] = version;
  h[1] = cmd;
  h.writeUInt16LE(length, 2);
  h.writeUInt32LE(streamId >>> 0, 4);
  return h;
}

/** A whole frame (header + data) as one buffer. */
export function encodeSmuxFrame(cmd: SmuxCmd, streamId: number, data?: Buffer): Buffer {
  const len = data ? data.length : 0;
  const h = encodeSmuxHeader(cmd, streamId, len);
  return len ? Buffer.concat([h, data as Buffer], SMUX_HEADER_SIZE + len) : h;
}

/**
 * Incremental frame reader: accepts the wire byte stream cut at arbitrary points and
 * calls `onFrame` once per complete frame. A frame that lies inside one chunk is
 * delivered as a zero-copy slice; one spanning chunks is copied exactly once.
 * Non-PSH frames with a non-zero length have their body skipped (never seen from
 * conforming peers; skipping keeps the stream in sync).
 */
export class SmuxFrameReader {
  private header = Buffer.alloc(SMUX_HEADER_SIZE);
  private headerFill = 0;
  private bodyParts: Buffer[] = [];
  private bodyNeed = 0;
  private bodyHave = 0;
  private cur: { version: number; cmd: SmuxCmd; streamId: number } | null = null;
  private failed: SmuxProtocolError | null = null;

  constructor(
    private readonly onFrame: (frame: SmuxFrame) => void,
    private readonly version = SMUX_VERSION,
  ) {}

  /** Throws SmuxProtocolError on a bad version or command; the reader then stays failed. */
  push(chunk: Buffer): void {
    if (this.failed) throw this.failed;
    let off = 0;
    const n = chunk.length;
    while (off < n) {
      if (this.cur === null) {
        // Fast path: a whole header in this chunk.
        let hdr: Buffer;
        if (this.headerFill === 0 && n - off >= SMUX_HEADER_SIZE) {
          hdr = chunk.subarray(off, off + SMUX_HEADER_SIZE);
          off += SMUX_HEADER_SIZE;
        } else {
          const take = Math.min(SMUX_HEADER_SIZE - this.headerFill, n - off);
          chunk.copy(this.header, this.headerFill, off, off + take);
          this.headerFill += take;
          off += take;
          if (this.headerFill < SMUX_HEADER_SIZE) return;
          this.headerFill = 0;
          hdr = this.header;
        }
        const version = hdr[0];
        const cmd = hdr[1];
        const length = hdr.readUInt16LE(2);
        const streamId = hdr.readUInt32LE(4);
        if (version !== this.version) this.fail(`smux: unsupported version ${version}`);
        if (cmd > SmuxCmd.NOP) this.fail(`smux: unknown command ${cmd}`);
        this.cur = { version, cmd, streamId };
        this.bodyNeed = length;
        this.bodyHave = 0;
        if (length === 0) {
          this.emit(Buffer.alloc(0));
          continue;
        }
      }
      // Body.
      const want = this.bodyNeed - this.bodyHave;
      const avail = n - off;
      if (this.bodyHave === 0 && avail >= want) {
        const body = chunk.subarray(off, off + want);
        off += want;
        this.emit(body);
        continue;
      }
      const take = Math.min(want, avail);
      this.bodyParts.push(chunk.subarray(off, off + take));
      this.bodyHave += take;
      off += take;
      if (this.bodyHave === this.bodyNeed) {
        const body = Buffer.concat(this.bodyParts, this.bodyNeed);
        this.bodyParts = [];
        this.emit(body);
      }
    }
  }

  private emit(body: Buffer): void {
    const cur = this.cur as { version: number; cmd: SmuxCmd; streamId: number };
    this.cur = null;
    this.bodyNeed = 0;
    this.bodyHave = 0;
    this.onFrame({ version: cur.version, cmd: cur.cmd, streamId: cur.streamId, data: cur.cmd === SmuxCmd.PSH ? body : Buffer.alloc(0) });
  }

  private fail(msg: string): never {
    this.failed = new SmuxProtocolError(msg);
    throw this.failed;
  }
}

/** Decodes a buffer that holds only whole frames (tests, tools). */
export function decodeSmuxFrames(buf: Buffer): SmuxFrame[] {
  const out: SmuxFrame[] = [];
  const r = new SmuxFrameReader((f) => out.push(f));
  r.push(buf);
  return out;
}

export interface SmuxSessionOptions {
  /** 'client' opens odd stream ids from 3; 'server' even ids from 2. */
  role: 'client' | 'server';
  /** Largest data length per PSH frame sent (default 32 768, max 65 535). */
  maxFrameSize?: number;
  /** Session bound on received data not yet read by the streams (default 4 MiB). */
  maxReceiveBuffer?: number;
  /** Per-stream bound on unread received data before the session stalls (default 1 MiB). */
  maxStreamBuffer?: number;
  /** Bound on bytes queued for the wire before stream writes are held back (default 1 MiB). */
  maxSendBuffer?: number;
  /** Send NOP every interval and end the session when nothing arrives for the timeout. */
  keepAlive?: boolean;
  keepAliveIntervalMs?: number; // default 10 000
  /** default 30 000; 0 = send NOPs but never end the session for silence. */
  keepAliveTimeoutMs?: number;
}

type Callback = (err?: Error | null) => void;

/** One multiplexed stream. Write Buffers; read via 'data'/'end'; end() sends FIN. */
export class SmuxStream extends Duplex {
  /** Payload bytes received from / sent to the peer on this stream. */
  bytesReceived = 0;
  bytesSent = 0;
  /** The peer sent FIN. */
  remoteClosed = false;
  /** We sent FIN. */
  localClosed = false;

  constructor(
    readonly id: number,
    private readonly owner: SmuxSession,
    highWaterMark: number,
  ) {
    super({ allowHalfOpen: true, readableHighWaterMark: highWaterMark, writableHighWaterMark: 64 * 1024 });
  }

  override _read(): void {
    this.owner._streamDrained();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: Callback): void {
    this.owner._sendData(this, chunk, cb);
  }

  // Coalesces writes that piled up while the session was congested into fewer frames.
  override _writev(chunks: Array<{ chunk: Buffer }>, cb: Callback): void {
    const bufs = chunks.map((c) => c.chunk);
    this.owner._sendData(this, bufs.length === 1 ? bufs[0] : Buffer.concat(bufs), cb);
  }

  override _final(cb: Callback): void {
    this.owner._sendFin(this);
    cb();
  }

  override _destroy(err: Error | null, cb: Callback): void {
    // A destroyed stream still tells the peer it is gone.
    this.owner._sendFin(this);
    this.owner._forget(this);
    cb(err);
  }

  /** @internal */
  _deliver(data: Buffer): void {
    this.bytesReceived += data.length;
    this.push(data);
  }

  /** @internal */
  _remoteFin(): void {
    if (this.remoteClosed) return;
    this.remoteClosed = true;
    this.push(null);
  }
}

/**
 * A symmetric smux v1 session. Wire side: write peer bytes in, read bytes for the peer
 * out ('data'). Emits 'stream' for each stream the peer opens.
 */
export class SmuxSession extends Duplex {
  readonly role: 'client' | 'server';
  /** Wire bytes received / sent. */
  bytesIn = 0;
  bytesOut = 0;

  private readonly streams = new Map<number, SmuxStream>();
  private nextId: number;
  private readonly maxFrame: number;
  private readonly maxRecv: number;
  private readonly maxStream: number;
  private readonly maxSend: number;
  private readonly reader: SmuxFrameReader;
  private heldInput: Callback | null = null;
  private outQueue: Buffer[] = [];
  private outQueued = 0;
  private flushScheduled = false;
  private wireBlocked = false;
  private waitingWriters: Array<() => void> = [];
  private closedFlag = false;
  /** push(null) done: nothing may be pushed after it. */
  private wireEnded = false;
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private timeoutTimer: NodeJS.Timeout | null = null;
  private receivedSinceCheck = false;

  constructor(options: SmuxSessionOptions) {
    super({ allowHalfOpen: true, writableHighWaterMark: 64 * 1024, readableHighWaterMark: 64 * 1024 });
    this.role = options.role;
    this.nextId = options.role === 'client' ? 1 : 0;
    this.maxFrame = Math.min(options.maxFrameSize ?? SMUX_DEFAULT_MAX_FRAME, SMUX_MAX_FRAME_LIMIT);
    this.maxRecv = options.maxReceiveBuffer ?? 4 * 1024 * 1024;
    this.maxStream = Math.min(options.maxStreamBuffer ?? 1024 * 1024, this.maxRecv);
    this.maxSend = options.maxSendBuffer ?? 1024 * 1024;
    this.reader = new SmuxFrameReader((f) => this.onFrame(f));
    if (options.keepAlive) this.startKeepAlive(options.keepAliveIntervalMs ?? 10_000, options.keepAliveTimeoutMs ?? 30_000);
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  get streamCount(): number {
    return this.streams.size;
  }

  getStream(id: number): SmuxStream | undefined {
    return this.streams.get(id);
  }

  /** Opens a stream (sends SYN). */
  openStream(): SmuxStream {
    if (this.closedFlag) throw new SmuxClosedError();
    this.nextId += 2;
    const s = this.createStream(this.nextId >>> 0);
    this.enqueue(encodeSmuxHeader(SmuxCmd.SYN, s.id, 0));
    return s;
  }

  /** Received-but-unread bytes across all streams. */
  get bufferedIn(): number {
    let total = 0;
    for (const s of this.streams.values()) total += s.readableLength;
    return total;
  }

  /** Bytes queued for the wire but not yet taken by the reader of this session. */
  get bufferedOut(): number {
    return this.outQueued + this.readableLength;
  }

  /** Sends FIN on every open stream, ends the wire output and destroys the session. */
  close(): void {
    if (this.closedFlag) return;
    for (const s of [...this.streams.values()]) this._sendFin(s);
    this.flushNow();
    this.shutdown(null);
  }

  // ---- wire input ----

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: Callback): void {
    if (this.closedFlag) {
      cb();
      return;
    }
    this.bytesIn += chunk.length;
    this.receivedSinceCheck = true;
    try {
      this.reader.push(chunk);
    } catch (err) {
      cb();
      this.shutdown(err as Error);
      return;
    }
    if (this.inputOverBound()) this.heldInput = cb;
    else cb();
  }

  override _final(cb: Callback): void {
    // The peer's byte stream ended: every stream sees EOF.
    for (const s of this.streams.values()) s._remoteFin();
    cb();
  }

  private onFrame(f: SmuxFrame): void {
    switch (f.cmd) {
      case SmuxCmd.NOP:
        return;
      case SmuxCmd.SYN: {
        if (this.streams.has(f.streamId)) return;
        const s = this.createStream(f.streamId);
        this.emit('stream', s);
        return;
      }
      case SmuxCmd.FIN:
        this.streams.get(f.streamId)?._remoteFin();
        return;
      case SmuxCmd.PSH: {
        const s = this.streams.get(f.streamId);
        // Data for a stream we no longer have (closed locally) is dropped, as by the reference.
        if (s && !s.remoteClosed && f.data.length) s._deliver(f.data);
        return;
      }
    }
  }

  private inputOverBound(): boolean {
    let total = 0;
    for (const s of this.streams.values()) {
      const n = s.readableLength;
      if (n > this.maxStream) return true;
      total += n;
    }
    return total > this.maxRecv;
  }

  /** @internal A stream's reader wants more: maybe release the held wire input. */
  _streamDrained(): void {
    if (this.heldInput && !this.inputOverBound()) {
      const cb = this.heldInput;
      this.heldInput = null;
      cb();
    }
  }

  // ---- wire output ----

  override _read(): void {
    this.wireBlocked = false;
    if (this.outQueue.length) this.flushNow();
    if (!this.wireBlocked) this.releaseWriters();
  }

  /** @internal */
  _sendData(s: SmuxStream, data: Buffer, cb: Callback): void {
    if (this.closedFlag) {
      cb(new SmuxClosedError());
      return;
    }
    for (let off = 0; off < data.length; off += this.maxFrame) {
      const part = data.subarray(off, Math.min(off + this.maxFrame, data.length));
      this.enqueue(encodeSmuxHeader(SmuxCmd.PSH, s.id, part.length), part);
    }
    s.bytesSent += data.length;
    // Hold the stream's write callback while the wire side is backed up.
    if (this.wireBlocked || this.outQueued > this.maxSend) this.waitingWriters.push(() => cb());
    else cb();
  }

  /** @internal */
  _sendFin(s: SmuxStream): void {
    if (s.localClosed || this.closedFlag) return;
    s.localClosed = true;
    this.enqueue(encodeSmuxHeader(SmuxCmd.FIN, s.id, 0));
    if (s.remoteClosed && s.readableEnded) this._forget(s);
  }

  /** @internal */
  _forget(s: SmuxStream): void {
    if (this.streams.get(s.id) === s) this.streams.delete(s.id);
    this._streamDrained();
  }

  private enqueue(header: Buffer, data?: Buffer): void {
    this.outQueue.push(header);
    this.outQueued += header.length;
    if (data) {
      this.outQueue.push(data);
      this.outQueued += data.length;
    }
    // Batch the frames produced by one I/O poll round (e.g. several socket reads) into
    // one wire chunk, so small writes become few data-channel messages.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flushNow();
      });
    }
  }

  private flushNow(): void {
    if (!this.outQueue.length || this.destroyed || this.wireEnded) return;
    const buf = this.outQueue.length === 1 ? this.outQueue[0] : Buffer.concat(this.outQueue, this.outQueued);
    this.outQueue = [];
    this.outQueued = 0;
    this.bytesOut += buf.length;
    if (!this.push(buf)) this.wireBlocked = true;
    else this.releaseWriters();
  }

  private releaseWriters(): void {
    if (!this.waitingWriters.length) return;
    const w = this.waitingWriters;
    this.waitingWriters = [];
    for (const fn of w) fn();
  }

  // ---- lifecycle ----

  private createStream(id: number): SmuxStream {
    const s = new SmuxStream(id, this, Math.min(256 * 1024, this.maxStream));
    this.streams.set(id, s);
    return s;
  }

  private startKeepAlive(intervalMs: number, timeoutMs: number): void {
    this.keepAliveTimer = setInterval(() => this.enqueue(encodeSmuxHeader(SmuxCmd.NOP, 0, 0)), intervalMs);
    this.keepAliveTimer.unref();
    if (timeoutMs <= 0) return;
    this.timeoutTimer = setInterval(() => {
      if (!this.receivedSinceCheck) this.shutdown(new SmuxClosedError('smux keep-alive timeout: nothing received'));
      this.receivedSinceCheck = false;
    }, timeoutMs);
    this.timeoutTimer.unref();
  }

  private shutdown(err: Error | null): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    if (this.timeoutTimer) clearInterval(this.timeoutTimer);
    const held = this.heldInput;
    this.heldInput = null;
    held?.();
    for (const s of [...this.streams.values()]) {
      s.localClosed = true; // no FIN frames after the session is gone
      s.destroy(err ?? undefined);
    }
    this.streams.clear();
    const waiting = this.waitingWriters;
    this.waitingWriters = [];
    for (const fn of waiting) fn();
    // Frames already queued (FINs, a NOP) still go out ahead of the end of the wire output.
    this.flushNow();
    this.wireEnded = true;
    this.push(null);
    this.emit('sessionClosed', err);
    if (err) this.destroy(err);
  }

  override _destroy(err: Error | null, cb: Callback): void {
    this.shutdown(err);
    cb(err);
  }
}
