// The native engine's session object: one data channel over `ws`, with handshake, KMS,
// keep-alive and resume (spec 3, 6, 7, 10). Session kinds (shell, port) sit on top of it.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import WebSocket, { type ClientOptions } from 'ws';
import { DataChannel, type ChannelOptions, type ChannelSocket } from './channel';
import { PayloadType, ProtocolError, type ClientMessage } from './codec';
import { checkStreamUrl, classifyConnectError, ConnectError } from './connect-errors';
import { kmsDataKeyProvider, type DataKeyProvider, type KmsCipher, type KmsClientLike } from './encryption';
import { answerEncChallenge, CLIENT_VERSION, processHandshakeRequest, sessionKindOf, type SessionKind } from './handshake';
import { encodeEncChallenge, encodeFlag, encodeHandshakeResponse, encodeOpenDataChannel, encodeSize, parseEncChallenge, parseHandshakeComplete, parseHandshakeRequest } from './payloads';

/** One process-wide client id, the same on every reconnect (spec 3.2). */
const PROCESS_CLIENT_ID = randomUUID();

export type ClientState = 'connecting' | 'awaiting-type' | 'running' | 'resuming' | 'closed';

export type SessionEndReason =
  | 'exit' // channel_closed with empty Output (shell exited, port session done)
  | 'terminated' // channel_closed with an explanation in Output (TerminateSession, idle, max duration)
  | 'timed-out' // ResumeSession returned no token
  | 'connection-lost' // socket gone and resume impossible or exhausted
  | 'handshake-failed'
  | 'error' // protocol error (wrong KMS key, …)
  | 'closed'; // closed locally

export interface SessionEnd {
  reason: SessionEndReason;
  /** channel_closed Output, or an error description. */
  message: string;
  error?: Error;
}

export interface SessionReady {
  sessionType: string;
  kind: SessionKind;
  properties: unknown;
  /** Empty when the agent did no handshake (spec 6.1). */
  agentVersion: string;
  customerMessage: string;
  encrypted: boolean;
}

export interface ResumeResult {
  tokenValue?: string;
  streamUrl?: string;
}

export interface ReconnectPolicy {
  /** Attempts at the first connection (for causes worth retrying). Default 4. */
  attempts: number;
  /** First back-off delay, doubling per attempt, each jittered to 50–100 %. Default 250 ms. */
  baseDelayMs: number;
  /**
   * Back-off ceiling. Default 5 s: once the network is back, the session is back within about
   * that long.
   */
  maxDelayMs: number;
  /**
   * A lost connection is retried (ResumeSession + reconnect) until this long after it was
   * lost: the account's idle session timeout (default 20 min), after which the service has
   * ended the session anyway.
   */
  giveUpAfterMs: number;
}

/** One announcement per retry, for progress messages ("connection lost, retrying in 4 s (attempt 2)"). */
export interface RetryInfo {
  attempt: number;
  delayMs: number;
  error: Error;
  /** 'connect': the first connection; 'resume': after a loss. */
  phase: 'connect' | 'resume';
}

export interface ConnectOptions {
  streamUrl: string;
  tokenValue: string;
  sessionId: string;
  /** Target exactly as passed to StartSession (KMS encryption context). */
  target: string;
  /** KMS for encrypted sessions: a KMSClient from @aws-sdk/client-kms, or any DataKeyProvider. */
  kms?: KmsClientLike | DataKeyProvider;
  /** ResumeSession (SSM). Without it a dropped socket ends the session. */
  resume?: () => Promise<ResumeResult>;
  /** TerminateSession (SSM), used by terminate(). */
  terminateSession?: () => Promise<void>;
  /** Reconnect to the StreamUrl ResumeSession returns instead of the original (reference: original). */
  useResumedStreamUrl?: boolean;
  clientId?: string;
  clientVersion?: string;
  maxMessageSize?: number;
  /** A fixed window in messages instead of the adaptive one (tests). */
  window?: number;
  /** 'aws': the reference plugin's 1 KiB + 1 ms upload pacing; default 'adaptive' (channel.ts). */
  pacing?: ChannelOptions['pacing'];
  congestion?: ChannelOptions['congestion'];
  /**
   * Keep-alive (spec 13.7): a WebSocket ping every pingIntervalMs (default 5 s); when nothing
   * at all (pong or frame) was heard for pingIntervalMs + pongTimeoutMs (default 5 s), the
   * connection is taken as dead (half-open after sleep, a Wi-Fi change, a VPN drop) and resumed.
   */
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** Deadline for the WebSocket handshake of each attempt. Default 10 s (the reference: 45 s). */
  handshakeTimeoutMs?: number;
  reconnect?: Partial<ReconnectPolicy>;
  /** Extra `ws` options (agent for proxies, ca, …). */
  wsOptions?: ClientOptions;
  /** Opens the WebSocket; injectable for tests. */
  openSocket?: (url: string, options: ClientOptions) => WebSocket;
}

type Listener<T extends unknown[]> = (...args: T) => void;

interface ClientEvents {
  ready: [SessionReady];
  end: [SessionEnd];
  resuming: [Error | undefined];
  resumed: [];
  retrying: [RetryInfo];
  /** A non-fatal problem worth logging. */
  warning: [ProtocolError];
}

function isProvider(k: KmsClientLike | DataKeyProvider): k is DataKeyProvider {
  return typeof (k as DataKeyProvider).generateDataKey === 'function';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Opens the TCP/TLS connection for ws ourselves (ws's documented `createConnection` option)
 * so the channel can cork and uncork it around a batch of frames without reaching into ws's
 * private fields. Mirrors ws's own defaults: SNI from the host name, never a Unix path.
 */
function ownedConnection(secure: boolean, onSocket: (s: net.Socket) => void): ClientOptions['createConnection'] {
  const open = (options: net.NetConnectOpts & tls.ConnectionOptions): net.Socket => {
    const o = { ...options, path: undefined } as tls.ConnectionOptions & net.TcpNetConnectOpts;
    let socket: net.Socket;
    if (secure) {
      if (!o.servername && o.servername !== '') o.servername = o.host && net.isIP(o.host) ? '' : o.host;
      socket = tls.connect(o);
    } else {
      socket = net.connect(o);
    }
    onSocket(socket);
    return socket;
  };
  return open as unknown as ClientOptions['createConnection'];
}

/** Adapts a `ws` socket to the channel's transport interface. */
function wsAdapter(ws: WebSocket, raw: net.Socket | null): ChannelSocket {
  // Write batching: the first frame of a tick goes to the socket at once (a keystroke is not
  // held for a tick); further frames in the same tick cork the connection and go out together
  // on the next tick (one writev instead of one syscall per frame). Every frame is still its
  // own WebSocket message, i.e. one ClientMessage (spec 3.3).
  let inTick = false;
  let corked = false;
  const endTick = (): void => {
    inTick = false;
    if (!corked) return;
    corked = false;
    raw?.uncork();
  };
  return {
    send(frame) {
      if (ws.readyState !== WebSocket.OPEN) throw new Error('WebSocket is not open');
      if (raw) {
        if (!inTick) {
          inTick = true;
          process.nextTick(endTick);
        } else if (!corked) {
          raw.cork();
          corked = true;
        }
      }
      ws.send(frame, { binary: true });
    },
    onMessage(cb) {
      // Text frames are decoded like binary ones (spec 3.3).
      ws.on('message', (data: WebSocket.RawData) => {
        cb(Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));
      });
    },
    onClose(cb) {
      let done = false;
      const fire = (err?: Error): void => {
        if (done) return;
        done = true;
        cb(err);
      };
      ws.on('close', (code: number) => fire(new Error(`WebSocket closed (${code})`)));
      ws.on('error', (err: Error) => {
        fire(err);
        ws.terminate();
      });
    },
    close() {
      ws.terminate();
    },
  };
}

export class DataChannelClient {
  readonly channel: DataChannel;
  readonly sessionId: string;
  readonly clientId: string;
  readonly clientVersion: string;
  private readonly opts: ConnectOptions;
  private readonly policy: ReconnectPolicy;
  private readonly dataKeys?: DataKeyProvider;
  private ws: WebSocket | null = null;
  private token: string;
  private streamUrl: string;
  private _state: ClientState = 'connecting';
  private stateBeforeResume: ClientState = 'awaiting-type';
  private info: SessionReady | null = null;
  private handshaking = false;
  private cipher: KmsCipher | undefined;
  private agentVersion = '';
  private payloadHandler: ((msg: ClientMessage) => boolean | void) | null = null;
  private readonly preReady: { type: number; payload: Buffer }[] = [];
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  /** Socket losses since the last valid frame: bounds resume loops against a refusing service. */
  private lossStreak = 0;
  private endInfo: SessionEnd | null = null;
  private readonly listeners: { [K in keyof ClientEvents]: Listener<ClientEvents[K]>[] } = { ready: [], end: [], resuming: [], resumed: [], retrying: [], warning: [] };
  readonly ended: Promise<SessionEnd>;
  private resolveEnded!: (e: SessionEnd) => void;

  constructor(opts: ConnectOptions) {
    this.opts = opts;
    this.sessionId = opts.sessionId;
    this.clientId = opts.clientId ?? PROCESS_CLIENT_ID;
    this.clientVersion = opts.clientVersion ?? CLIENT_VERSION;
    this.token = opts.tokenValue;
    this.streamUrl = opts.streamUrl;
    this.policy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5000, giveUpAfterMs: 20 * 60_000, ...opts.reconnect };
    if (opts.kms) this.dataKeys = isProvider(opts.kms) ? opts.kms : kmsDataKeyProvider(opts.kms);
    this.ended = new Promise((r) => (this.resolveEnded = r));
    this.channel = new DataChannel({ role: 'client', maxMessageSize: opts.maxMessageSize, window: opts.window, pacing: opts.pacing, congestion: opts.congestion });
    this.channel.on('data', (m) => this.onData(m));
    this.channel.on('channelClosed', (cc) => this.finish({ reason: cc.output ? 'terminated' : 'exit', message: cc.output }));
    this.channel.on('activity', () => {
      this.lastHeard = Date.now();
      this.lossStreak = 0;
    });
    this.channel.on('socketClosed', (err) => void this.onSocketLost(err));
    this.channel.on('error', (e) => {
      if (e.code === 'decrypt-failed') this.fail('error', e);
      else this.emit('warning', e);
    });
  }

  on<K extends keyof ClientEvents>(event: K, cb: Listener<ClientEvents[K]>): () => void {
    const list = this.listeners[event] as Listener<ClientEvents[K]>[];
    list.push(cb);
    return () => {
      const i = list.indexOf(cb);
      if (i >= 0) list.splice(i, 1);
    };
  }

  private emit<K extends keyof ClientEvents>(event: K, ...args: ClientEvents[K]): void {
    for (const cb of [...this.listeners[event]]) (cb as Listener<ClientEvents[K]>)(...args);
  }

  /** How long after a loss the connection is retried (the account's idle timeout). */
  setGiveUpAfter(ms: number): void {
    if (ms > 0) this.policy.giveUpAfterMs = ms;
  }

  get giveUpAfterMs(): number {
    return this.policy.giveUpAfterMs;
  }

  get state(): ClientState {
    return this._state;
  }

  get session(): SessionReady | null {
    return this.info;
  }

  get endedWith(): SessionEnd | null {
    return this.endInfo;
  }

  /** Resolves once the session type is known (HandshakeComplete or first Output). */
  whenReady(): Promise<SessionReady> {
    if (this.info) return Promise.resolve(this.info);
    if (this.endInfo) return Promise.reject(this.endError(this.endInfo));
    return new Promise((resolve, reject) => {
      const offReady = this.on('ready', (i) => {
        offReady();
        offEnd();
        resolve(i);
      });
      const offEnd = this.on('end', (e) => {
        offReady();
        offEnd();
        reject(this.endError(e));
      });
    });
  }

  private endError(e: SessionEnd): Error {
    return e.error ?? new ProtocolError(`session-${e.reason}`, e.message || `session ended (${e.reason})`);
  }

  /**
   * Installs the session's payload handler (Output, StdErr, ExitCode, Flag after the session
   * type is known). Returning false means "not ready": the message stays unacknowledged and
   * reading pauses until channel.resumeReading().
   */
  setPayloadHandler(h: ((msg: ClientMessage) => boolean | void) | null): void {
    this.payloadHandler = h;
    if (h) this.channel.resumeReading();
  }

  // ---------- connection ----------

  /**
   * First connection with the StartSession token (spec 10). Causes that retrying cannot fix
   * (connect-errors.ts) fail at once; others are retried with back-off a few times.
   */
  async connect(): Promise<void> {
    let lastErr: ConnectError | undefined;
    try {
      checkStreamUrl(this.streamUrl);
      for (let attempt = 1; attempt <= this.policy.attempts; attempt++) {
        if (this.endInfo) throw this.endError(this.endInfo);
        try {
          await this.dial();
          this._state = this.info ? 'running' : 'awaiting-type';
          this.startPings();
          return;
        } catch (e) {
          if (this.endInfo) throw this.endError(this.endInfo);
          lastErr = classifyConnectError(e, this.streamUrl);
          if (!lastErr.retryable || attempt === this.policy.attempts) break;
          const delayMs = this.backoff(attempt - 1);
          this.emit('retrying', { attempt: attempt + 1, delayMs, error: lastErr, phase: 'connect' });
          await sleep(delayMs);
        }
      }
    } catch (e) {
      lastErr = e instanceof ConnectError ? e : classifyConnectError(e, this.streamUrl);
    }
    const err = lastErr ?? new ConnectError('unreachable', 'cannot open the data channel', true);
    this.fail('connection-lost', err);
    throw err;
  }

  /** Exponential back-off, each delay jittered to 50–100 % so many clients do not retry in step. */
  private backoff(attempt: number): number {
    const d = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** attempt);
    return d * (0.5 + 0.5 * Math.random());
  }

  /** Opens a socket, sends OpenDataChannel, attaches it to the channel. */
  private dial(): Promise<void> {
    return new Promise((resolve, reject) => {
      const wsOpts: ClientOptions = { handshakeTimeout: this.opts.handshakeTimeoutMs ?? 10_000, perMessageDeflate: false, ...this.opts.wsOptions };
      let raw: net.Socket | null = null;
      // Through a proxy agent the agent makes the connection; frames are then simply not corked.
      if (!wsOpts.agent && !wsOpts.createConnection) wsOpts.createConnection = ownedConnection(this.streamUrl.startsWith('wss:'), (sock) => (raw = sock));
      let ws: WebSocket;
      try {
        ws = this.opts.openSocket ? this.opts.openSocket(this.streamUrl, wsOpts) : new WebSocket(this.streamUrl, wsOpts);
      } catch (e) {
        reject(e as Error);
        return;
      }
      const onError = (err: Error): void => {
        ws.removeListener('open', onOpen);
        ws.terminate();
        reject(err);
      };
      const onOpen = (): void => {
        ws.removeListener('error', onError);
        if (this.endInfo) {
          ws.terminate();
          reject(this.endError(this.endInfo));
          return;
        }
        ws.send(encodeOpenDataChannel({ tokenValue: this.token, clientId: this.clientId, clientVersion: this.clientVersion }));
        ws.on('pong', () => {
          this.lastHeard = Date.now();
          this.lossStreak = 0;
        });
        this.ws?.terminate();
        this.ws = ws;
        this.lastHeard = Date.now();
        ws.ping('keepalive');
        this.channel.attach(wsAdapter(ws, raw));
        resolve();
      };
      ws.once('error', onError);
      ws.once('open', onOpen);
    });
  }

  private startPings(): void {
    if (this.pingTimer) return;
    const every = this.opts.pingIntervalMs ?? 5000;
    const deadline = this.opts.pongTimeoutMs ?? 5000;
    let lastPing = Date.now();
    this.pingTimer = setInterval(
      () => {
        const ws = this.ws;
        if (!ws || ws.readyState !== WebSocket.OPEN) return;
        const now = Date.now();
        // Nothing at all (pong or frame) for a ping period plus the deadline: the connection
        // is dead even if the OS has not noticed (spec 13.7). Dropping it starts the resume.
        if (now - this.lastHeard > every + deadline) {
          this.emit('warning', new ProtocolError('keepalive-timeout', `no answer from the service for ${Math.round((now - this.lastHeard) / 1000)} s: reconnecting`));
          ws.terminate();
          return;
        }
        if (now - lastPing >= every) {
          lastPing = now;
          ws.ping('keepalive');
        }
      },
      Math.max(10, Math.min(1000, every / 2, deadline / 2)),
    );
    this.pingTimer.unref?.();
  }

  private async onSocketLost(err?: Error): Promise<void> {
    if (this.endInfo || this._state === 'resuming') return;
    this.ws = null;
    if (++this.lossStreak > 12) {
      this.fail('connection-lost', new ProtocolError('resume-failed', `the connection keeps dropping before anything arrives: ${err?.message ?? ''}`));
      return;
    }
    if (!this.opts.resume) {
      this.fail('connection-lost', err ?? new Error('connection lost'));
      return;
    }
    const lostAt = Date.now();
    this.stateBeforeResume = this._state === 'connecting' ? 'awaiting-type' : this._state;
    this._state = 'resuming';
    this.emit('resuming', err);
    let lastErr: Error = err ?? new Error('connection lost');
    for (let attempt = 1; !this.endInfo; attempt++) {
      if (attempt > 1) {
        const left = lostAt + this.policy.giveUpAfterMs - Date.now();
        if (left <= 0) break;
        const delayMs = Math.min(left, this.backoff(attempt - 2));
        this.emit('retrying', { attempt, delayMs, error: lastErr, phase: 'resume' });
        await sleep(delayMs);
      }
      if (this.endInfo) return;
      let r: ResumeResult;
      try {
        r = await this.opts.resume();
      } catch (e) {
        lastErr = e as Error;
        // The service no longer knows the session: retrying cannot help.
        if (lastErr.name === 'DoesNotExistException') {
          this.finish({ reason: 'timed-out', message: `Session: ${this.sessionId} timed out.`, error: lastErr });
          return;
        }
        continue;
      }
      if (!r.tokenValue) {
        this.finish({ reason: 'timed-out', message: `Session: ${this.sessionId} timed out.` });
        return;
      }
      this.token = r.tokenValue;
      if (this.opts.useResumedStreamUrl && r.streamUrl) this.streamUrl = r.streamUrl;
      try {
        await this.dial();
      } catch (e) {
        const c = classifyConnectError(e, this.streamUrl);
        lastErr = c;
        // The service itself refused the URL: the session is gone, not the network.
        if (c.code === 'stream-rejected') {
          this.fail('connection-lost', c);
          return;
        }
        continue;
      }
      if (this.endInfo) return;
      this._state = this.info ? 'running' : this.stateBeforeResume;
      this.emit('resumed');
      return;
    }
    if (this.endInfo) return;
    const minutes = Math.round(this.policy.giveUpAfterMs / 60_000);
    const window = minutes >= 1 ? `${minutes} min` : `${Math.round(this.policy.giveUpAfterMs / 1000)} s`;
    this.fail(
      'connection-lost',
      new ProtocolError('resume-failed', `The connection was lost at ${new Date(lostAt).toLocaleTimeString()} and could not be restored within the idle timeout (${window}): ${lastErr.message}`),
    );
  }

  // ---------- inbound ----------

  private onData(m: ClientMessage): boolean | void {
    switch (m.payloadType) {
      case PayloadType.HandshakeRequest:
        void this.onHandshakeRequest(m.payload);
        return;
      case PayloadType.EncChallengeRequest:
        this.onEncChallenge(m.payload);
        return;
      case PayloadType.HandshakeComplete: {
        const hc = parseHandshakeComplete(m.payload);
        this.handshaking = false;
        this.becomeReady(hc.CustomerMessage);
        return;
      }
      default:
        if (!this.info && !this.handshaking && m.payloadType === PayloadType.Output) {
          // No handshake: the first Output decides the session is a shell (spec 6.1).
          this.setSessionType('Standard_Stream', null);
          this.becomeReady('');
        }
        if (!this.info) return; // stray payload before the type is known: acknowledge and drop
        if (!this.payloadHandler) return false;
        return this.payloadHandler(m);
    }
  }

  private sessionType: string | null = null;
  private properties: unknown = null;

  private setSessionType(t: string, props: unknown): void {
    this.sessionType = t;
    this.properties = props;
  }

  private async onHandshakeRequest(payload: Buffer): Promise<void> {
    this.handshaking = true;
    try {
      const req = parseHandshakeRequest(payload);
      const out = await processHandshakeRequest(req, {
        sessionId: this.sessionId,
        targetId: this.opts.target,
        clientVersion: this.clientVersion,
        dataKeys: this.dataKeys,
      });
      if (this.endInfo) return;
      this.agentVersion = out.agentVersion;
      if (out.sessionType) this.setSessionType(out.sessionType, out.properties);
      if (out.cipher) {
        // Encryption is on from here (spec 7.3); HandshakeResponse itself travels in clear.
        this.cipher = out.cipher;
        this.channel.setCipher(out.cipher);
      }
      this.channel.send(PayloadType.HandshakeResponse, encodeHandshakeResponse(out.response));
      if (out.errors.length) this.emit('warning', new ProtocolError('handshake-action-failed', out.errors.join('; ')));
    } catch (e) {
      this.fail('handshake-failed', e instanceof Error ? e : new Error(String(e)));
    }
  }

  private onEncChallenge(payload: Buffer): void {
    if (!this.cipher) {
      this.fail('handshake-failed', new ProtocolError('unexpected-challenge', 'encryption challenge received without a KMS data key'));
      return;
    }
    try {
      const answer = answerEncChallenge(this.cipher, parseEncChallenge(payload));
      this.channel.send(PayloadType.EncChallengeResponse, encodeEncChallenge(answer));
    } catch (e) {
      this.fail('error', e as Error);
    }
  }

  private becomeReady(customerMessage: string): void {
    if (this.info) return;
    const t = this.sessionType ?? 'Standard_Stream';
    this.info = {
      sessionType: t,
      kind: sessionKindOf(t) ?? 'shell',
      properties: this.properties,
      agentVersion: this.agentVersion,
      customerMessage,
      encrypted: this.cipher !== undefined,
    };
    if (this._state === 'awaiting-type' || this._state === 'connecting') this._state = 'running';
    else if (this._state === 'resuming') this.stateBeforeResume = 'running';
    // Input and size are never sent before the session type is known (6.1).
    for (const q of this.preReady.splice(0)) this.channel.send(q.type, q.payload);
    this.emit('ready', this.info);
  }

  // ---------- outbound ----------

  /** Queue a data message; held until the session type is known. Returns false on back-pressure. */
  send(payloadType: number, payload: Buffer): boolean {
    if (this.endInfo) throw new ProtocolError('session-ended', `session ended (${this.endInfo.reason})`);
    if (!this.info) {
      this.preReady.push({ type: payloadType, payload });
      return true;
    }
    return this.channel.send(payloadType, payload);
  }

  sendInput(data: Buffer): boolean {
    return this.send(PayloadType.Output, data);
  }

  sendSize(cols: number, rows: number): boolean {
    return this.send(PayloadType.Size, encodeSize(cols, rows));
  }

  sendFlag(flag: number): boolean {
    return this.send(PayloadType.Flag, encodeFlag(flag));
  }

  // ---------- ending ----------

  private fail(reason: SessionEndReason, error: Error): void {
    this.finish({ reason, message: error.message, error });
  }

  private finish(end: SessionEnd): void {
    if (this.endInfo) return;
    this.endInfo = end;
    this._state = 'closed';
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.channel.close();
    this.ws?.terminate();
    this.ws = null;
    this.resolveEnded(end);
    this.emit('end', end);
  }

  /** Close locally (no TerminateSession). */
  close(): void {
    this.finish({ reason: 'closed', message: '' });
  }

  /**
   * End the session: TerminateSession through the app's callback (the service then sends
   * channel_closed), waiting up to `timeoutMs` for it before closing locally.
   */
  async terminate(timeoutMs = 5000): Promise<SessionEnd> {
    if (this.endInfo) return this.endInfo;
    if (this.opts.terminateSession) {
      try {
        await this.opts.terminateSession();
      } catch (e) {
        this.emit('warning', new ProtocolError('terminate-failed', (e as Error).message));
      }
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
    await Promise.race([this.ended, timeout]);
    clearTimeout(timer);
    if (!this.endInfo) this.finish({ reason: 'terminated', message: 'terminated by the client' });
    return this.endInfo as unknown as SessionEnd;
  }

  /** Test hook / fault injection: drop the current socket as if the network failed. */
  cutSocket(): void {
    this.ws?.terminate();
  }
}

/** Create a client and open its first connection. */
export async function connectDataChannel(opts: ConnectOptions): Promise<DataChannelClient> {
  const c = new DataChannelClient(opts);
  await c.connect();
  return c;
}
