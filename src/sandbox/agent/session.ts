// One session as the agent (and the service in front of it) runs it: tokens and sockets,
// the reliable channel, the handshake (spec 6, 7), the plugin, timers and the end.
import { randomBytes } from 'node:crypto';
import type WebSocket from 'ws';
import { DataChannel } from '../../protocol/channel';
import { encryptionContext, type KmsCipher } from '../../protocol/encryption';
import { encodeMessage, MessageFlags, MessageType, PayloadType, type ClientMessage } from '../../protocol/codec';
import {
  ActionStatus,
  ActionType,
  encodeChannelClosed,
  encodeEncChallenge,
  encodeHandshakeComplete,
  encodeHandshakeRequest,
  parseEncChallenge,
  parseHandshakeResponse,
  type OpenDataChannelRequest,
  type RequestedClientAction,
} from '../../protocol/payloads';
import type { AgentOptions, AgentSessionSpec, SessionEndReason } from '../agent-api';
import { resolveDestination } from './destination';
import type { FaultStats } from './faults';
import type { HandlerHost, SessionHandler } from './handler';
import { agentCipher } from './kms';
import { BasicPortHandler, SmuxPortHandler } from './port';
import { OutputPump } from './pump';
import { CommandHandler, commandProps, PtyHandler } from './shell';
import { FaultySocket } from './socket';
import { Transcript } from './transcript';
import { compareVersions, DEFAULT_AGENT_VERSION, smuxKeepAliveEnabled, usesSmux } from './versions';

type SessionPhase = 'waiting' | 'handshake' | 'challenge' | 'running' | 'closing' | 'ended';

/**
 * Messages the agent holds ahead of the next expected one. The agent source read for the spec
 * says 100 000; we model 10 000, the lower figure other agent builds use, so a client sized
 * against the sandbox also fits every agent.
 */
export const AGENT_RECEIVE_BUFFER = 10_000;

/** Real seconds the agent waits for HandshakeResponse and for EncChallengeResponse (6.1). */
const HANDSHAKE_TIMEOUT_MS = 15_000;
/** After the plugin exits, how long (real ms) output may take to be acknowledged before channel_closed. */
const FLUSH_LIMIT_MS = 15_000;

export const IDLE_TIMEOUT_OUTPUT = 'Your session timed out due to inactivity and has been terminated.';
export const MAX_DURATION_OUTPUT = 'Your session has reached the maximum session duration and has been terminated.';
export const KMS_CUSTOMER_MESSAGE = 'This session is encrypted using AWS KMS.';
const UPGRADE_MESSAGE =
  'Please update your Session Manager plugin to the latest version to receive StdOut and StdErr as separate streams.';

export interface SessionInfo {
  sessionId: string;
  phase: SessionPhase;
  connected: boolean;
  clientId?: string;
  clientVersion?: string;
  agentVersion: string;
  encrypted: boolean;
  portMode?: 'basic' | 'smux';
  connections: number;
  refusedStreams: number;
  /** Client bytes the plugin took but has not yet written to its destination. */
  inputBuffered: number;
  channel: ReturnType<DataChannel['stats']>;
}

export class AgentSession {
  readonly sessionId: string;
  readonly agentVersion: string;
  private readonly tokens = new Set<string>();
  private clientId: string | undefined;
  private clientVersion: string | undefined;
  private socket: FaultySocket | undefined;
  private connections = 0;
  private readonly channel: DataChannel;
  private readonly pump: OutputPump;
  private phase: SessionPhase = 'waiting';
  private handler: SessionHandler | undefined;
  private portMode: 'basic' | 'smux' | undefined;
  private cipher: KmsCipher | undefined;
  private challenge: Buffer | undefined;
  private handshakeStarted = 0;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private maxTimer: NodeJS.Timeout | undefined;
  private lastActivity = Date.now();
  private readonly idleMs: number;
  private readonly transcript: Transcript;
  private abortFlush: (() => void) | undefined;
  private endedResolve!: () => void;
  /** Resolves once the session is fully torn down (process killed, socket closed). */
  readonly done: Promise<void>;

  constructor(
    readonly spec: AgentSessionSpec,
    private readonly options: AgentOptions,
    private readonly faultStats: FaultStats,
    private readonly random: () => number = Math.random,
  ) {
    this.sessionId = spec.sessionId;
    this.agentVersion = spec.node.agentVersion || DEFAULT_AGENT_VERSION;
    this.tokens.add(spec.tokenValue);
    this.done = new Promise((r) => (this.endedResolve = r));
    const pacing = options.pacing;
    this.channel = new DataChannel({
      role: 'agent',
      maxMessageSize: pacing ? 1024 : 16 * 1024,
      // The real agent's incoming (out-of-order) buffer: AGENT_RECEIVE_BUFFER messages; what
      // does not fit is dropped unacknowledged and must be resent (docs/service-limits.md).
      // Its send side is bounded so a client that stops acknowledging pauses the plugin.
      // Unpaced, 64 messages of 16 KiB (1 MiB) in flight: no more than a paused client keeps
      // (protocol PAUSED_HOLD_BYTES), so a resume never waits for retransmission timers (with
      // 1024 such messages, 16 MiB, a busy terminal crawled at 0.1–0.2 MB/s on resends).
      receiveBufferLimit: AGENT_RECEIVE_BUFFER,
      // While the plugin holds its input (a destination that does not drain), incoming
      // messages wait in that buffer unacknowledged, however many bytes: the real agent's
      // plugin blocks on the write and nothing behind it is acknowledged either. The client
      // never runs more than AGENT_RECEIVE_BUFFER messages ahead, so nothing is dropped.
      pausedHoldBytes: Infinity,
      window: pacing ? 10_000 : 64,
      // The real agent does not check payload digests (spec 4.7).
      verifyDigest: false,
    });
    this.channel.on('data', (m) => this.onData(m));
    this.channel.on('error', () => undefined); // invalid frames are dropped unacknowledged (4.7)
    this.pump = new OutputPump(this.channel, pacing, spec.sessionType !== 'Port', (high) =>
      high ? this.handler?.pause() : this.handler?.resume(),
    );
    this.transcript = new Transcript(spec.sessionType === 'Port' ? undefined : spec.preferences.transcriptPath);

    const scale = options.timeScale > 0 ? options.timeScale : 1;
    this.idleMs = (spec.preferences.idleSessionTimeoutMinutes || 20) * 60_000 / scale;
    this.armIdle(this.idleMs);
    const max = spec.preferences.maxSessionDurationMinutes;
    if (max && max > 0) this.maxTimer = setTimeout(() => void this.end('max-duration', undefined, MAX_DURATION_OUTPUT), (max * 60_000) / scale);
  }

  get ended(): boolean {
    return this.phase === 'closing' || this.phase === 'ended';
  }

  /** While output is flushed after the plugin exited, a cut client may still resume to fetch it. */
  private resumable = true;

  addToken(token: string): boolean {
    if (!this.resumable) return false;
    this.tokens.add(token);
    return true;
  }

  /**
   * A socket sent its OpenDataChannel frame. Returns an error text when it is refused.
   * A valid token on a later connection replaces the current socket; channel state stays.
   */
  accept(ws: WebSocket, open: OpenDataChannelRequest, raw?: { cork(): void; uncork(): void }): string | undefined {
    if (!this.resumable) return 'session has ended';
    if (!open.tokenValue || !this.tokens.has(open.tokenValue)) return 'invalid token';
    if (this.clientId && open.clientId && open.clientId !== this.clientId) return 'client id does not match the session';
    this.tokens.delete(open.tokenValue); // single use
    this.clientId ||= open.clientId;
    if (open.clientVersion) this.clientVersion = open.clientVersion;
    this.socket?.cut();
    const sock = new FaultySocket(ws, () => this.options.faults, this.faultStats, this.random, raw);
    this.socket = sock;
    this.connections++;
    this.channel.attach(sock);
    if (this.phase === 'waiting') this.begin();
    return undefined;
  }

  /** Half-open until this performance.now(): new connections are reset, the socket is silent. */
  private stalledUntil = 0;

  get stalled(): boolean {
    return this.stalledUntil > performance.now();
  }

  /** Fault injection: the network goes quiet for `ms` real ms without closing anything. */
  stall(ms: number): boolean {
    if (this.ended) return false;
    this.stalledUntil = Math.max(this.stalledUntil, performance.now() + ms);
    this.socket?.stall(ms);
    return true;
  }

  /** Fault injection: drop the connection; the client resumes with a new token. */
  cut(): boolean {
    const s = this.socket;
    if (!s || this.ended) return false;
    this.socket = undefined;
    this.channel.detach();
    s.cut();
    return true;
  }

  info(): SessionInfo {
    const h = this.handler;
    return {
      sessionId: this.sessionId,
      phase: this.phase,
      connected: this.channel.connected,
      clientId: this.clientId,
      clientVersion: this.clientVersion,
      agentVersion: this.agentVersion,
      encrypted: this.cipher !== undefined,
      portMode: this.portMode,
      connections: this.connections,
      refusedStreams: h instanceof SmuxPortHandler ? h.refusedStreams : 0,
      inputBuffered: h?.bufferedInput?.() ?? 0,
      channel: this.channel.stats(),
    };
  }

  // ---------- start and handshake ----------

  private get encryptionWanted(): boolean {
    return !!this.spec.preferences.kmsKeyId && this.spec.sessionType !== 'Port';
  }

  private begin(): void {
    const t = this.spec.sessionType;
    if (!this.encryptionWanted && (t === 'Standard_Stream' || t === 'InteractiveCommands')) {
      this.startPlugin();
      return;
    }
    const actions: RequestedClientAction[] = [
      { ActionType: ActionType.SessionType, ActionParameters: { SessionType: t, Properties: this.spec.properties ?? null } },
    ];
    if (this.encryptionWanted) {
      actions.push({
        ActionType: ActionType.KMSEncryption,
        ActionParameters: { KMSKeyId: this.spec.preferences.kmsKeyId, Challenge: randomBytes(16).toString('base64') },
      });
    }
    this.phase = 'handshake';
    this.handshakeStarted = performance.now();
    this.channel.send(PayloadType.HandshakeRequest, encodeHandshakeRequest({ AgentVersion: this.agentVersion, RequestedClientActions: actions }));
    this.armHandshakeTimer();
    this.requested = actions;
  }

  private requested: RequestedClientAction[] = [];

  private armHandshakeTimer(): void {
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = setTimeout(() => void this.fail('Handshake timed out. Please ensure that you are using the latest version of the session manager plugin.'), HANDSHAKE_TIMEOUT_MS);
  }

  private async onHandshakeResponse(payload: Buffer): Promise<void> {
    let resp;
    try {
      resp = parseHandshakeResponse(payload);
    } catch {
      await this.fail('Handshake failed: malformed HandshakeResponse');
      return;
    }
    if (resp.ClientVersion) this.clientVersion = resp.ClientVersion;
    const errors: string[] = [];
    let kmsResult: Record<string, unknown> | undefined;
    for (const req of this.requested) {
      const done = resp.ProcessedClientActions.find((a) => a.ActionType === req.ActionType);
      if (!done) errors.push(`${req.ActionType}: not processed`);
      else if (done.ActionStatus !== ActionStatus.Success) errors.push(done.Error || `${req.ActionType}: status ${done.ActionStatus}`);
      else if (req.ActionType === ActionType.KMSEncryption) kmsResult = (done.ActionResult ?? {}) as Record<string, unknown>;
    }
    if (errors.length) {
      await this.fail(`Handshake failed: ${errors.join('; ')}`);
      return;
    }
    if (!this.encryptionWanted) {
      this.completeHandshake();
      return;
    }
    // KMS: Decrypt the client's data key with the context it used (7.1, 7.5).
    const blobText = typeof kmsResult?.KMSCipherTextKey === 'string' ? kmsResult.KMSCipherTextKey : '';
    const kmsAction = this.requested.find((a) => a.ActionType === ActionType.KMSEncryption);
    const challenge = (kmsAction?.ActionParameters as { Challenge?: string } | undefined)?.Challenge;
    // The random challenge joins the context only when the client acknowledged it (7.5).
    const context = encryptionContext(this.sessionId, this.spec.node.instanceId, kmsResult?.ChallengeAcknowledgement === true ? challenge : undefined);
    let key: Buffer;
    try {
      key = await this.options.services.kmsDecrypt(Buffer.from(blobText, 'base64'), context);
      this.cipher = agentCipher(key);
    } catch (e) {
      await this.fail(`Failed to decrypt the data key: ${(e as Error).message}`);
      return;
    }
    if (this.ended) return;
    this.channel.setCipher(this.cipher);
    this.challenge = randomBytes(64);
    this.phase = 'challenge';
    this.channel.send(PayloadType.EncChallengeRequest, encodeEncChallenge(this.cipher.encrypt(this.challenge)));
    this.armHandshakeTimer();
  }

  private onChallengeResponse(payload: Buffer): void {
    let ok: boolean;
    try {
      ok = !!this.cipher && !!this.challenge && this.cipher.decrypt(parseEncChallenge(payload)).equals(this.challenge);
    } catch {
      ok = false;
    }
    if (!ok) {
      void this.fail('Encryption challenge failed: the client could not prove it holds the data key');
      return;
    }
    this.completeHandshake();
  }

  private completeHandshake(): void {
    clearTimeout(this.handshakeTimer);
    let message = this.cipher ? KMS_CUSTOMER_MESSAGE : '';
    if (this.spec.sessionType === 'NonInteractiveCommands' && commandProps(this.spec.properties).separateOutputStream) {
      const c = compareVersions(this.clientVersion, '1.2.295');
      if (c === null || c <= 0) message = message ? `${message}\n${UPGRADE_MESSAGE}` : UPGRADE_MESSAGE;
    }
    const ns = Math.round((performance.now() - this.handshakeStarted) * 1e6);
    this.channel.send(PayloadType.HandshakeComplete, encodeHandshakeComplete({ HandshakeTimeToComplete: ns, CustomerMessage: message }));
    this.startPlugin();
  }

  private startPlugin(): void {
    this.phase = 'running';
    const host: HandlerHost = {
      output: (type, data) => this.onOutput(type, data),
      ended: (how) => void this.end(how.reason, how.exitCode, ''),
      failed: (message) => void this.fail(message),
      holdInput: (hold) => (hold ? this.channel.pauseReading() : this.channel.resumeReading()),
    };
    const spec = this.spec;
    switch (spec.sessionType) {
      case 'Port': {
        const props = (spec.properties && typeof spec.properties === 'object' ? spec.properties : {}) as Record<string, unknown>;
        const dest = resolveDestination(spec.node, props);
        if (usesSmux(props.type, this.agentVersion, this.clientVersion)) {
          this.portMode = 'smux';
          this.handler = new SmuxPortHandler(dest, host, smuxKeepAliveEnabled(this.clientVersion));
        } else {
          this.portMode = 'basic';
          this.handler = new BasicPortHandler(dest, host, props.type === undefined || props.type === '');
        }
        break;
      }
      case 'NonInteractiveCommands':
        this.handler = new CommandHandler(spec, this.options.dataDir, host);
        break;
      default:
        this.handler = new PtyHandler(spec, this.options.dataDir, host);
    }
    try {
      this.handler.start();
    } catch (e) {
      void this.fail(`Unable to start the session: ${(e as Error).message}`);
    }
  }

  // ---------- data ----------

  private onData(m: ClientMessage): boolean {
    switch (this.phase) {
      case 'handshake':
        // Everything but the response is acknowledged and discarded during the handshake (6.1).
        if (m.payloadType === PayloadType.HandshakeResponse) void this.onHandshakeResponse(m.payload);
        return true;
      case 'challenge':
        if (m.payloadType === PayloadType.EncChallengeResponse) this.onChallengeResponse(m.payload);
        return true;
      case 'running': {
        const h = this.handler;
        if (!h) return false;
        if (m.payloadType === PayloadType.Output) {
          this.transcript.write(m.payload);
          this.touch();
        }
        return h.input(m.payloadType, m.payload);
      }
      default:
        return true;
    }
  }

  private onOutput(type: PayloadType, data: Buffer): void {
    if (this.phase === 'ended') return;
    if (type === PayloadType.Output || type === PayloadType.StdErr) this.transcript.write(data);
    this.touch();
    this.pump.push(type, data);
  }

  // ---------- timers ----------

  private touch(): void {
    this.lastActivity = Date.now();
  }

  // One re-arming timer instead of a reset per message.
  private armIdle(ms: number): void {
    this.idleTimer = setTimeout(() => {
      const left = this.lastActivity + this.idleMs - Date.now();
      if (left > 0) this.armIdle(left);
      else void this.end('idle-timeout', undefined, IDLE_TIMEOUT_OUTPUT);
    }, ms);
  }

  // ---------- ending ----------

  private fail(message: string): Promise<void> {
    return this.end('failed', undefined, message);
  }

  /** Ends the session once: flush (normal exit), stop the plugin, channel_closed, report. */
  async end(reason: SessionEndReason, exitCode: number | undefined, output: string): Promise<void> {
    if (this.ended) return this.done;
    this.phase = 'closing';
    this.resumable = reason === 'exit';
    clearTimeout(this.idleTimer);
    clearTimeout(this.maxTimer);
    clearTimeout(this.handshakeTimer);
    if (reason === 'exit') await this.flush();
    this.resumable = false;
    await this.handler?.stop().catch(() => undefined);
    this.pump.stop();
    const sock = this.socket;
    this.socket = undefined;
    if (sock) {
      const frame = encodeMessage({
        messageType: MessageType.ChannelClosed,
        sequenceNumber: 0,
        flags: MessageFlags.Ack,
        payloadType: PayloadType.Null,
        payload: encodeChannelClosed({ sessionId: this.sessionId, destinationId: this.spec.node.instanceId, output }),
      });
      await sock.sendDirect(frame);
      sock.close();
    }
    this.channel.close();
    await this.transcript.close();
    this.phase = 'ended';
    try {
      this.options.services.onSessionEnded(this.sessionId, reason, exitCode);
    } finally {
      this.endedResolve();
    }
  }

  /** Waits until the client acknowledged all output, the limit passes or close() aborts. */
  private async flush(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const aborted = new Promise<void>((resolve) => {
      this.abortFlush = resolve;
      timer = setTimeout(resolve, FLUSH_LIMIT_MS);
    });
    const flushed = (async () => {
      await this.pump.drained();
      await this.channel.whenIdle();
    })();
    await Promise.race([flushed, aborted]);
    clearTimeout(timer);
    this.abortFlush = undefined;
  }

  /** Agent shutdown: end now, without waiting for the client. */
  async shutdown(): Promise<void> {
    this.abortFlush?.();
    if (!this.ended) await this.end('terminated', undefined, '');
    await this.done;
  }
}
