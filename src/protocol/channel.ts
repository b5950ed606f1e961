// Transport-agnostic reliable data channel (spec 5), usable by the client and by an agent
// stand-in (`role`). The socket is injected and can be swapped (resume, spec 10) while all
// sequence state, the unacknowledged buffer and the out-of-order buffer are kept.
import {
  acknowledgedSequence,
  decodeMessage,
  encodeAcknowledge,
  encodeMessage,
  MessageFlags,
  MessageType,
  PayloadType,
  ProtocolError,
  validateMessage,
  withPayload,
  type ClientMessage,
} from './codec';
import { CongestionWindow, type CongestionOptions, type CongestionStats, type SendRecord } from './congestion';
import { parseChannelClosed, type ChannelClosed } from './payloads';

/**
 * Unacknowledged payload bytes a paused reader keeps (flow control). Beyond it messages
 * stay with the peer, which resends them once acknowledgements flow again: bounded memory
 * per paused session. 1 MiB holds a real agent's whole window of 1 KiB messages, so a
 * resume does not wait for the peer's retransmission timer.
 */
const PAUSED_HOLD_BYTES = 1024 * 1024;

/** What the channel needs from a transport. `send` may throw when the transport is down. */
export interface ChannelSocket {
  send(frame: Buffer): void;
  onMessage(cb: (frame: Buffer) => void): void;
  onClose(cb: (err?: Error) => void): void;
  close?(): void;
}

/** Payload encryption (KMS sessions, spec 7); installed with setCipher once the key is known. */
export interface PayloadCipher {
  encrypt(plain: Buffer): Buffer;
  /** Throws ProtocolError('decrypt-failed') on a wrong key or tampered data. */
  decrypt(wire: Buffer): Buffer;
}

export type ChannelRole = 'client' | 'agent';

export interface ChannelOptions {
  role: ChannelRole;
  /** Largest plaintext payload per data message (spec 9.6/14). Default 1024. */
  maxMessageSize?: number;
  /**
   * A fixed window: at most this many unacknowledged data messages. Unset (the default): the
   * adaptive window of congestion.ts, sized in bytes from the measured delivery rate and RTT.
   */
  window?: number;
  /**
   * 'adaptive' (default): the window above, messages as large as maxMessageSize allows.
   * 'aws': the reference plugin's behaviour (spec 9.6) — 1024-byte messages, one every 1 ms,
   * no window beyond the peer's buffer — for services or agents that need exactly that.
   */
  pacing?: 'adaptive' | 'aws';
  /** Tuning of the adaptive window (tests, benches). */
  congestion?: Partial<Omit<CongestionOptions, 'messageBytes'>>;
  /**
   * Messages the peer holds ahead of the next one it expects (the agent's incoming buffer,
   * spec 5.6): nothing is sent more than this many sequence numbers past the oldest
   * unacknowledged message, so nothing we send is dropped for lack of room. Default 10 000.
   */
  peerReceiveBuffer?: number;
  /** Check each received payload's SHA-256 (spec 4.7). The real agent does not. Default true. */
  verifyDigest?: boolean;
  /** Out-of-order receive capacity in messages (spec 5.6). Default 10 000. */
  receiveBufferLimit?: number;
  /**
   * Unacknowledged payload bytes kept while reading is paused; beyond them messages are left
   * with the peer, which resends them. Default 1 MiB (a client: bounded memory per paused
   * session). Infinity: only the receive buffer (in messages) bounds what is kept.
   */
  pausedHoldBytes?: number;
  /** Queued (not yet in flight) bytes above which send() reports back-pressure. Default 1 MiB. */
  sendHighWaterMark?: number;
  /** Hard cap on queued bytes; send() throws ProtocolError('send-buffer-full') above it. Default 64 MiB. */
  sendBufferLimit?: number;
  /** Resend scheduler period (spec 5.4). Default 100 ms. 0 disables the internal timer (tests call tick()). */
  resendTickMs?: number;
  /**
   * Lower bound of the retransmission timeout (Hatch; the reference has none, spec 5.4).
   * Default 200 ms. The spec's 1 s cap always applies.
   */
  minRtoMs?: number;
  /** RTO until the first RTT sample (RFC 6298 2.1; the reference starts at 200 ms). Default 1000 ms. */
  initialRtoMs?: number;
  /** Give up after this many resends of one message (reference: 3000). Default: never. */
  maxResendAttempts?: number;
  /** Monotonic clock in ms (default performance.now); injectable for tests. */
  now?: () => number;
}

export interface ChannelStats {
  nextSequenceNumber: number;
  expectedSequenceNumber: number;
  inFlight: number;
  queuedMessages: number;
  queuedBytes: number;
  outOfOrder: number;
  /** Unacknowledged payload bytes held back while reading is paused (or blocked). */
  parkedBytes: number;
  retransmissions: number;
  duplicatesReceived: number;
  invalidReceived: number;
  srttMs: number;
  rttvarMs: number;
  rtoMs: number;
  paused: boolean;
  readBlocked: boolean;
  /** Unacknowledged payload bytes, and the window they may fill (Infinity for a fixed message window). */
  inflightBytes: number;
  windowBytes: number;
  /** Messages declared lost early because later ones were acknowledged first (before their RTO). */
  fastRetransmissions: number;
  /** The adaptive window's model (absent with a fixed window). */
  congestion?: CongestionStats;
}

/**
 * Delivered data handler. Return `false` for "not ready": the message is kept unacknowledged
 * and reading stops until resumeReading() is called.
 */
export type DataHandler = (msg: ClientMessage) => boolean | void;

interface ChannelEvents {
  data: DataHandler;
  channelClosed: (c: ChannelClosed) => void;
  /** Non-fatal problems (invalid frame dropped, decrypt failure, send failure). */
  error: (e: ProtocolError) => void;
  /** Queued bytes fell below the high-water mark after send() returned false. */
  drain: () => void;
  /** Everything sent so far is acknowledged. */
  idle: () => void;
  giveUp: (sequenceNumber: number) => void;
  /** The socket reported close; the owner decides whether to resume. */
  socketClosed: (err?: Error) => void;
  /** Any valid frame arrived (for liveness tracking). */
  activity: () => void;
}

const NS_PER_MS = 1e6;

/**
 * RTT estimator of spec 5.4, in floating-point nanoseconds like the reference. With the
 * default arguments it is exactly the reference's; Hatch's channel adds a floor
 * (`minRtoMs`), a higher initial RTO and RFC 6298 5.5 back-off, all within the 1 s cap.
 */
export class RtoEstimator {
  srttNs = 100 * NS_PER_MS;
  rttvarNs = 0;
  rtoNs: number;
  private readonly granularityNs: number;
  private readonly maxRtoNs: number;
  private readonly minRtoNs: number;
  constructor(opts: { granularityMs?: number; maxRtoMs?: number; minRtoMs?: number; initialRtoMs?: number } = {}) {
    this.granularityNs = (opts.granularityMs ?? 10) * NS_PER_MS;
    this.maxRtoNs = (opts.maxRtoMs ?? 1000) * NS_PER_MS;
    this.minRtoNs = Math.min((opts.minRtoMs ?? 0) * NS_PER_MS, this.maxRtoNs);
    this.rtoNs = this.clamp((opts.initialRtoMs ?? 200) * NS_PER_MS);
  }
  private clamp(ns: number): number {
    return Math.min(Math.max(ns, this.minRtoNs), this.maxRtoNs);
  }
  sample(rttMs: number): void {
    const r = rttMs * NS_PER_MS;
    this.rttvarNs = 0.75 * this.rttvarNs + 0.25 * Math.abs(this.srttNs - r);
    this.srttNs = 0.875 * this.srttNs + 0.125 * r;
    // A fresh sample also undoes any back-off (RFC 6298 5.7).
    this.rtoNs = this.clamp(Math.trunc(this.srttNs + Math.max(this.granularityNs, 4 * this.rttvarNs)));
  }
  /** A retransmission timer expired: double the RTO, up to the cap (RFC 6298 5.5). */
  backOff(): void {
    this.rtoNs = this.clamp(this.rtoNs * 2);
  }
  get rtoMs(): number {
    return this.rtoNs / NS_PER_MS;
  }
  get srttMs(): number {
    return this.srttNs / NS_PER_MS;
  }
  get rttvarMs(): number {
    return this.rttvarNs / NS_PER_MS;
  }
}

interface Outgoing {
  seq: number;
  frame: Buffer;
  /** Payload bytes (what the window counts). */
  bytes: number;
  lastSent: number; // -Infinity: never reached a socket
  /** When the first copy reached a socket (-Infinity: not yet). */
  firstSent: number;
  resends: number;
  /** The last resend was the retransmission timer's (the first copy may only be late). */
  timerResent: boolean;
  /** The adaptive window's record of this message (null with a fixed window). */
  rec: SendRecord | null;
}

interface Queued {
  payloadType: number;
  payload: Buffer;
}

interface Pending {
  msg: ClientMessage;
  acked: boolean;
}

// Payload types acknowledged before they are processed (spec 5.3: handshake payloads).
const ACK_FIRST = new Set<number>([
  PayloadType.HandshakeRequest,
  PayloadType.HandshakeComplete,
  PayloadType.EncChallengeRequest,
  PayloadType.HandshakeResponse,
  PayloadType.EncChallengeResponse,
]);
// Spec 7.3: which payload types are encrypted, per sender.
const ENCRYPTED_BY: Record<ChannelRole, Set<number>> = {
  client: new Set([PayloadType.Output]),
  agent: new Set([PayloadType.Output, PayloadType.StdErr, PayloadType.ExitCode]),
};
const CHUNKED = new Set<number>([PayloadType.Output, PayloadType.StdErr]);

export class DataChannel {
  readonly role: ChannelRole;
  private readonly sendType: string;
  private readonly recvType: string;
  private readonly maxMessageSize: number;
  private readonly window: number;
  private readonly cc: CongestionWindow | null;
  private readonly pacingMs: number;
  private readonly peerBuffer: number;
  private readonly verifyDigest: boolean;
  private readonly receiveLimit: number;
  private readonly pausedHold: number;
  private readonly highWater: number;
  private readonly hardLimit: number;
  private readonly maxResends: number;
  private readonly now: () => number;
  readonly rto: RtoEstimator;

  private socket: ChannelSocket | null = null;
  private socketGen = 0;
  private nextSeq = 0;
  private expected = 0;
  /** Unacknowledged messages in order of their last transmission (a resend moves one to the end). */
  private readonly inFlight = new Map<number, Outgoing>();
  private inflightBytes = 0;
  /** Lowest unacknowledged sequence number (== nextSeq when nothing is in flight). */
  private lowestUnacked = 0;
  private paceTimer: ReturnType<typeof setTimeout> | null = null;
  private fastRetransmissions = 0;
  private minRttSeen = Infinity;
  private readonly queue: Queued[] = [];
  private queueHead = 0;
  private queuedBytes = 0;
  private needDrain = false;
  private readonly pending = new Map<number, Pending>();
  /** Payload bytes of the unacknowledged messages in `pending` (bounded while paused). */
  private parkedBytes = 0;
  private cipher: PayloadCipher | null = null;
  private paused = false;
  private readBlocked = false;
  private draining = false;
  private pumping = false;
  private closed = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private retransmissions = 0;
  private duplicates = 0;
  private invalid = 0;
  private readonly listeners: { [K in keyof ChannelEvents]: ChannelEvents[K][] } = {
    data: [],
    channelClosed: [],
    error: [],
    drain: [],
    idle: [],
    giveUp: [],
    socketClosed: [],
    activity: [],
  };

  constructor(opts: ChannelOptions) {
    this.role = opts.role;
    this.sendType = opts.role === 'client' ? MessageType.InputStreamData : MessageType.OutputStreamData;
    this.recvType = opts.role === 'client' ? MessageType.OutputStreamData : MessageType.InputStreamData;
    const aws = opts.pacing === 'aws';
    this.maxMessageSize = aws ? 1024 : Math.max(1, opts.maxMessageSize ?? 1024);
    this.peerBuffer = Math.max(1, opts.peerReceiveBuffer ?? 10_000);
    this.pacingMs = aws ? 1 : 0;
    this.window = aws ? this.peerBuffer : Math.max(1, opts.window ?? Infinity);
    this.verifyDigest = opts.verifyDigest ?? true;
    this.receiveLimit = Math.max(1, opts.receiveBufferLimit ?? 10_000);
    this.pausedHold = opts.pausedHoldBytes ?? PAUSED_HOLD_BYTES;
    this.highWater = opts.sendHighWaterMark ?? 1 << 20;
    this.hardLimit = opts.sendBufferLimit ?? 64 << 20;
    this.maxResends = opts.maxResendAttempts ?? Infinity;
    // Sub-millisecond and monotonic: loopback round trips are well under 1 ms.
    this.now = opts.now ?? (() => performance.now());
    this.cc = aws || opts.window !== undefined ? null : new CongestionWindow({ messageBytes: this.maxMessageSize, ...opts.congestion }, this.now);
    this.rto = new RtoEstimator({ minRtoMs: opts.minRtoMs ?? 200, initialRtoMs: opts.initialRtoMs ?? 1000 });
    const tick = opts.resendTickMs ?? 100;
    if (tick > 0) {
      this.timer = setInterval(() => this.tick(), tick);
      this.timer.unref?.();
    }
  }

  on<K extends keyof ChannelEvents>(event: K, cb: ChannelEvents[K]): () => void {
    const list = this.listeners[event] as ChannelEvents[K][];
    list.push(cb);
    return () => {
      const i = list.indexOf(cb);
      if (i >= 0) list.splice(i, 1);
    };
  }

  private emit<K extends keyof ChannelEvents>(event: K, ...args: Parameters<ChannelEvents[K]>): void {
    const list = this.listeners[event] as Array<(...a: unknown[]) => unknown>;
    // Per frame ('activity', 'data'): no copy of the list when one listener is all there is.
    if (list.length === 1) list[0](...args);
    else if (list.length > 1) for (const cb of [...list]) cb(...args);
  }

  // ---------- transport ----------

  /** Attach (or swap in) a socket. Unacknowledged messages are resent on it at once. */
  attach(socket: ChannelSocket): void {
    if (this.closed) throw new ProtocolError('closed', 'channel is closed');
    const gen = ++this.socketGen;
    this.socket = socket;
    socket.onMessage((frame) => {
      if (gen === this.socketGen) this.receive(frame);
    });
    socket.onClose((err) => {
      if (gen !== this.socketGen) return;
      this.socket = null;
      this.emit('socketClosed', err);
    });
    // Anything in flight was probably lost with the old socket: resend now rather than after RTO.
    for (const o of [...this.inFlight.values()]) this.transmit(o, o.lastSent !== -Infinity);
    this.pump();
  }

  /** Forget the current socket (its later events are ignored); sends wait for the next attach. */
  detach(): void {
    this.socketGen++;
    this.socket = null;
  }

  get connected(): boolean {
    return this.socket !== null;
  }

  private write(frame: Buffer): boolean {
    const s = this.socket;
    if (!s) return false;
    try {
      s.send(frame);
      return true;
    } catch (e) {
      this.emit('error', new ProtocolError('send-failed', `socket send failed: ${(e as Error).message}`));
      return false;
    }
  }

  // ---------- sending ----------

  setCipher(cipher: PayloadCipher | null): void {
    this.cipher = cipher;
  }

  get encrypted(): boolean {
    return this.cipher !== null;
  }

  /**
   * Queue a data message. Output/StdErr payloads are cut into maxMessageSize pieces; other
   * types are sent whole. Returns false when the caller should wait for 'drain'.
   */
  send(payloadType: number, payload: Buffer): boolean {
    if (this.closed) throw new ProtocolError('closed', 'channel is closed');
    if (payload.length === 0) return this.queuedBytes < this.highWater; // spec 4.6: never send empty payloads
    if (this.queuedBytes + payload.length > this.hardLimit) {
      throw new ProtocolError('send-buffer-full', `send buffer limit of ${this.hardLimit} bytes reached`);
    }
    if (CHUNKED.has(payloadType) && payload.length > this.maxMessageSize) {
      for (let off = 0; off < payload.length; off += this.maxMessageSize) {
        this.enqueue(payloadType, payload.subarray(off, off + this.maxMessageSize));
      }
    } else {
      this.enqueue(payloadType, payload);
    }
    this.pump();
    const ok = this.queuedBytes < this.highWater;
    if (!ok) this.needDrain = true;
    return ok;
  }

  /** Shorthand for Output payloads (keystrokes, port bytes). */
  sendOutput(data: Buffer): boolean {
    return this.send(PayloadType.Output, data);
  }

  private enqueue(payloadType: number, payload: Buffer): void {
    this.queue.push({ payloadType, payload });
    this.queuedBytes += payload.length;
  }

  /**
   * Move queued messages into flight while the window and the publication state allow. Not
   * re-entered: with a transport that answers synchronously (an acknowledgement arriving
   * inside send) the outer loop picks up what a nested call would have sent, so the stack
   * stays flat however large the window is.
   */
  private pump(): void {
    if (this.closed || this.pumping) return;
    this.pumping = true;
    try {
      this.pumpLoop();
    } finally {
      this.pumping = false;
    }
    if (this.needDrain && this.queuedBytes < this.highWater) {
      this.needDrain = false;
      this.emit('drain');
    }
  }

  private pumpLoop(): void {
    while (this.queueHead < this.queue.length && !this.paused && this.paceTimer === null) {
      if (this.inFlight.size >= this.window) break;
      if (this.cc && this.inflightBytes >= this.cc.windowBytes) break;
      // Never run further ahead of the oldest unacknowledged message than the peer can buffer.
      if (this.nextSeq - this.lowestUnacked >= this.peerBuffer) break;
      const q = this.queue[this.queueHead];
      this.queue[this.queueHead++] = undefined as unknown as Queued;
      this.queuedBytes -= q.payload.length;
      const seq = this.nextSeq++;
      let payload = q.payload;
      if (this.cipher && ENCRYPTED_BY[this.role].has(q.payloadType)) payload = this.cipher.encrypt(payload);
      const frame = encodeMessage({
        messageType: this.sendType,
        sequenceNumber: seq,
        flags: this.role === 'agent' && seq === 0 ? MessageFlags.Syn : MessageFlags.None,
        payloadType: q.payloadType,
        payload,
      });
      const bytes = q.payload.length;
      const rec = this.cc ? this.cc.onSend(bytes, this.inflightBytes) : null;
      const o: Outgoing = { seq, frame, bytes, lastSent: -Infinity, firstSent: -Infinity, resends: 0, timerResent: false, rec };
      this.inFlight.set(seq, o);
      this.inflightBytes += bytes;
      this.transmit(o, false);
      if (this.pacingMs > 0 && this.queueHead < this.queue.length) {
        // The reference's pacing (spec 9.6): one message, then a 1 ms pause.
        this.paceTimer = setTimeout(() => {
          this.paceTimer = null;
          this.pump();
        }, this.pacingMs);
      }
    }
    // Out of data with room in the window: rate samples from here on say little about the path.
    if (this.cc && this.queueHead >= this.queue.length && this.inflightBytes < this.cc.windowBytes) this.cc.onAppLimited(this.inflightBytes);
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    } else if (this.queueHead === this.queue.length) {
      this.queue.length = 0;
      this.queueHead = 0;
    }
  }

  private transmit(o: Outgoing, isResend: boolean): void {
    if (this.paused || !this.socket) return;
    if (this.write(o.frame)) {
      if (isResend) {
        o.resends++;
        this.retransmissions++;
        // Keep inFlight ordered by last transmission: the scans below stop at the first young one.
        this.inFlight.delete(o.seq);
        this.inFlight.set(o.seq, o);
      }
      o.lastSent = this.now();
      if (o.firstSent === -Infinity) o.firstSent = o.lastSent;
    }
  }

  /**
   * Resend scheduler (spec 5.4, 14): the oldest unacknowledged message whose own RTO expired
   * is resent, one per tick, and the expiry doubles the RTO (RFC 6298 5.5) until the next RTT
   * sample. One, like TCP's retransmission timer: a late burst of acknowledgements (a busy
   * peer, a stalled event loop) must not turn into a burst of needless resends. Real losses
   * behind it are found by detectLoss() as soon as anything sent after them is acknowledged,
   * and a new socket resends everything at once (attach).
   */
  tick(): void {
    if (this.closed || this.paused || !this.socket) return;
    const now = this.now();
    for (const o of this.inFlight.values()) {
      if (now - o.lastSent < this.rto.rtoMs) return; // ordered by last transmission: the rest is younger
      if (o.lastSent === -Infinity) {
        this.transmit(o, false); // never reached a socket
        continue;
      }
      if (o.resends >= this.maxResends) {
        this.emit('giveUp', o.seq);
        return;
      }
      this.cc?.onLoss();
      this.transmit(o, true);
      o.timerResent = true;
      this.rto.backOff();
      return;
    }
  }

  private handleAck(seq: number): void {
    const o = this.inFlight.get(seq);
    if (!o) return; // late or duplicate acknowledgement
    this.inFlight.delete(seq);
    this.inflightBytes -= o.bytes;
    if (seq === this.lowestUnacked) {
      while (this.lowestUnacked < this.nextSeq && !this.inFlight.has(this.lowestUnacked)) this.lowestUnacked++;
    }
    // Karn's rule: the acknowledgement of a resent message cannot be told apart from the
    // original's, so only never-resent messages give RTT samples (spec 5.4 samples them all).
    const clean = o.resends === 0 && o.lastSent !== -Infinity;
    const now = this.now();
    const rtt = clean ? Math.max(0, now - o.lastSent) : undefined;
    // Acknowledged sooner after a resend than any round trip takes: the first copy made it.
    if (!clean && o.resends > 0 && now - o.lastSent < this.minRttSeen / 2) this.cc?.onSpuriousLoss();
    if (rtt !== undefined && rtt < this.minRttSeen) this.minRttSeen = rtt;
    if (rtt !== undefined) this.rto.sample(rtt);
    if (o.rec) this.cc?.onAck(o.rec, rtt);
    // A resent message's acknowledgement may be for its first copy. One resent because later
    // messages were acknowledged first was overtaken, so its first copy is most likely lost:
    // the acknowledgement dates the resend once a round trip has passed since it (RFC 8985
    // step 2). One the timer resent may only have been late (a receiver that stalled past the
    // RTO acknowledges its backlog in order, oldest first): it then shows only that what was
    // sent before its first copy was overtaken — dating it by the resend would declare the
    // whole window behind it lost.
    if (clean) this.detectLoss(o.lastSent);
    else if (o.resends > 0 && !o.timerResent && now - o.lastSent >= this.minRttSeen) this.detectLoss(o.lastSent);
    else if (o.resends > 0 && o.firstSent !== -Infinity) this.detectLoss(o.firstSent);
    this.pump();
    if (this.inFlight.size === 0 && this.queueHead >= this.queue.length) this.emit('idle');
  }

  /**
   * Acknowledgements name single messages, so a message still unacknowledged when one sent
   * well after it is acknowledged was lost: resend it now instead of waiting for its RTO
   * (the idea of RACK, RFC 8985). The allowance for reordering is a quarter of the SRTT.
   */
  private detectLoss(ackedSentAt: number): void {
    if (this.paused || !this.socket) return;
    const cutoff = ackedSentAt - Math.max(2, this.rto.srttMs / 4);
    for (;;) {
      const head = this.inFlight.values().next();
      if (head.done) return;
      const o = head.value;
      if (o.lastSent === -Infinity || o.lastSent >= cutoff) return;
      this.fastRetransmissions++;
      this.cc?.onLoss();
      this.transmit(o, true);
      o.timerResent = false;
      if (!this.socket || o.lastSent < cutoff) return; // write failed: leave it to the timer
    }
  }

  // ---------- receiving ----------

  /** Feed one frame from the transport. Never throws. */
  receive(frame: Buffer): void {
    if (this.closed) return;
    let m: ClientMessage;
    try {
      m = decodeMessage(frame);
      validateMessage(m, this.verifyDigest);
    } catch (e) {
      this.invalid++;
      this.emit('error', e instanceof ProtocolError ? e : new ProtocolError('bad-frame', String(e)));
      return;
    }
    this.emit('activity');
    switch (m.messageType) {
      case MessageType.Acknowledge: {
        let seq: number;
        try {
          seq = acknowledgedSequence(m.payload);
        } catch (e) {
          this.invalid++;
          this.emit('error', e as ProtocolError);
          return;
        }
        this.setPaused(false);
        this.handleAck(seq);
        return;
      }
      case MessageType.PausePublication:
        this.setPaused(true);
        return;
      case MessageType.StartPublication:
        this.setPaused(false);
        return;
      case MessageType.ChannelClosed:
        this.emit('channelClosed', parseChannelClosed(m.payload));
        return;
      case this.recvType:
        this.setPaused(false);
        this.receiveData(m);
        return;
      default:
        return; // unknown types (agent_session_state, …) are ignored (4.2)
    }
  }

  private setPaused(p: boolean): void {
    if (this.paused === p) return;
    this.paused = p;
    if (!p) {
      this.pump();
      this.tick();
    }
  }

  private sendAck(m: ClientMessage): void {
    this.write(encodeAcknowledge(m));
  }

  private park(seq: number, entry: Pending): void {
    this.unpark(seq);
    this.pending.set(seq, entry);
    if (!entry.acked) this.parkedBytes += entry.msg.payload.length;
  }

  private unpark(seq: number): void {
    const entry = this.pending.get(seq);
    if (!entry) return;
    this.pending.delete(seq);
    if (!entry.acked) this.parkedBytes -= entry.msg.payload.length;
  }

  private receiveData(m: ClientMessage): void {
    const s = m.sequenceNumber;
    if (s < this.expected) {
      // Duplicate (our ack was lost): acknowledge again so the peer stops resending (13.6).
      this.duplicates++;
      this.sendAck(m);
      return;
    }
    if (s === this.expected && !this.readBlocked && !this.draining) {
      if (!this.deliver(m, false)) return;
      this.expected = s + 1;
      this.drain();
      return;
    }
    const held = this.pending.get(s);
    if (held) {
      this.duplicates++;
      if (held.acked) this.sendAck(m);
      return;
    }
    if (this.pending.size >= this.receiveLimit) return; // full: drop unacknowledged, peer resends
    // Paused by flow control: hold only a few messages; the rest stays with the peer (it
    // resends them once acknowledgements flow again) instead of piling up here.
    if (this.readBlocked && s !== this.expected && this.parkedBytes + m.payload.length > this.pausedHold) return;
    const ack = !this.readBlocked;
    this.park(s, { msg: m, acked: ack });
    if (ack) this.sendAck(m);
  }

  /** Deliver one in-order message. false = handler not ready (message parked, reading blocked). */
  private deliver(m: ClientMessage, alreadyAcked: boolean): boolean {
    const ackFirst = ACK_FIRST.has(m.payloadType);
    let msg = m;
    if (this.cipher && ENCRYPTED_BY[this.role === 'client' ? 'agent' : 'client'].has(m.payloadType)) {
      try {
        msg = withPayload(m, this.cipher.decrypt(m.payload));
      } catch (e) {
        // Leave it unacknowledged (reference behaviour); the owner decides whether this is fatal.
        this.unpark(m.sequenceNumber);
        this.emit('error', e instanceof ProtocolError ? e : new ProtocolError('decrypt-failed', String(e)));
        return false;
      }
    }
    if (ackFirst && !alreadyAcked) this.sendAck(m);
    let ready = true;
    const handlers = this.listeners.data;
    if (handlers.length === 1) ready = handlers[0](msg) !== false;
    else for (const cb of [...handlers]) if (cb(msg) === false) ready = false;
    if (!ready && !ackFirst) {
      this.readBlocked = true;
      this.park(m.sequenceNumber, { msg: m, acked: alreadyAcked });
      return false;
    }
    if (!ackFirst && !alreadyAcked) this.sendAck(m);
    return true;
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (!this.readBlocked && !this.closed) {
        const p = this.pending.get(this.expected);
        if (!p) break;
        this.unpark(this.expected);
        if (!this.deliver(p.msg, p.acked)) break;
        this.expected++;
      }
    } finally {
      this.draining = false;
    }
  }

  /** Flow control: stop delivering and acknowledging data (the peer's window fills up). */
  pauseReading(): void {
    this.readBlocked = true;
  }

  /** Undo pauseReading (or a handler's "not ready"): deliver what was held back. */
  resumeReading(): void {
    if (!this.readBlocked) return;
    this.readBlocked = false;
    this.drain();
  }

  /** Same as pauseReading/resumeReading, named for the flow-control contract (ARCHITECTURE.md). */
  withholdAcks(on: boolean): void {
    if (on) this.pauseReading();
    else this.resumeReading();
  }

  get readingPaused(): boolean {
    return this.readBlocked;
  }

  // ---------- lifecycle ----------

  /** Resolves when every message sent so far is acknowledged (or the channel closes). */
  whenIdle(): Promise<void> {
    if (this.closed || (this.inFlight.size === 0 && this.queueHead >= this.queue.length)) return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.on('idle', () => {
        off();
        resolve();
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.paceTimer) clearTimeout(this.paceTimer);
    this.paceTimer = null;
    this.emit('idle');
    this.detach();
    this.inFlight.clear();
    this.inflightBytes = 0;
    this.pending.clear();
    this.parkedBytes = 0;
    this.queue.length = 0;
    this.queueHead = 0;
    this.queuedBytes = 0;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  stats(): ChannelStats {
    return {
      nextSequenceNumber: this.nextSeq,
      expectedSequenceNumber: this.expected,
      inFlight: this.inFlight.size,
      queuedMessages: this.queue.length - this.queueHead,
      queuedBytes: this.queuedBytes,
      outOfOrder: this.pending.size,
      parkedBytes: this.parkedBytes,
      retransmissions: this.retransmissions,
      duplicatesReceived: this.duplicates,
      invalidReceived: this.invalid,
      srttMs: this.rto.srttMs,
      rttvarMs: this.rto.rttvarMs,
      rtoMs: this.rto.rtoMs,
      paused: this.paused,
      readBlocked: this.readBlocked,
      inflightBytes: this.inflightBytes,
      windowBytes: this.cc ? this.cc.windowBytes : Infinity,
      fastRetransmissions: this.fastRetransmissions,
      congestion: this.cc?.stats(),
    };
  }
}
