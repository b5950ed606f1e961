// Test harness for the sandbox agent: an HTTP server that hands data-channel upgrades to the
// agent, and two minimal clients — a raw one (frames in, frames out) and a reliable one built
// on the protocol's DataChannel.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { DataChannel } from '../../../src/protocol/channel';
import { aesGcmOpen, aesGcmSeal, KmsCipher } from '../../../src/protocol/encryption';
import { decodeMessage, encodeAcknowledge, MessageType, PayloadType, type ClientMessage } from '../../../src/protocol/codec';
import {
  encodeEncChallenge,
  encodeHandshakeResponse,
  encodeOpenDataChannel,
  parseChannelClosed,
  parseEncChallenge,
  parseHandshakeComplete,
  parseHandshakeRequest,
  type ChannelClosed,
  type HandshakeComplete,
  type HandshakeRequest,
} from '../../../src/protocol/payloads';
import { createDataChannelAgent, type SandboxDataChannelAgent } from '../../../src/sandbox/agent';
import type { AgentOptions, AgentSessionSpec, DataChannelFaults, FleetNode, SessionEndReason, SessionType } from '../../../src/sandbox/agent-api';

export const NO_FAULTS: DataChannelFaults = { drop: 0, dup: 0, reorder: 0, delayMs: 0, cutEveryMs: 0 };
export const CLIENT_VERSION = '1.2.677.0';

export interface Ended {
  reason: SessionEndReason;
  exitCode?: number;
}

export interface Harness {
  agent: SandboxDataChannelAgent;
  options: AgentOptions;
  dataDir: string;
  url(sessionId: string): string;
  ended: Map<string, Ended>;
  whenEnded(sessionId: string): Promise<Ended>;
  kmsCalls: Array<{ blob: Buffer; context: Record<string, string> }>;
  close(): Promise<void>;
}

export const KMS_BLOB = Buffer.from('sandbox-test-blob');
export const KMS_KEY = randomBytes(64);

export async function startHarness(over: Partial<Omit<AgentOptions, 'services'>> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hatch-agent-'));
  const ended = new Map<string, Ended>();
  const waiters = new Map<string, Array<(e: Ended) => void>>();
  const kmsCalls: Harness['kmsCalls'] = [];
  const options: AgentOptions = {
    dataDir,
    timeScale: 1,
    faults: { ...NO_FAULTS },
    pacing: false,
    ...over,
    services: {
      async kmsDecrypt(blob, context) {
        kmsCalls.push({ blob, context });
        if (!blob.equals(KMS_BLOB)) throw new Error('InvalidCiphertextException');
        return Buffer.from(KMS_KEY);
      },
      onSessionEnded(sessionId, reason, exitCode) {
        if (ended.has(sessionId)) throw new Error(`onSessionEnded called twice for ${sessionId}`);
        const e = { reason, exitCode };
        ended.set(sessionId, e);
        for (const w of waiters.get(sessionId) ?? []) w(e);
      },
    },
  };
  const agent = createDataChannelAgent(options);
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    const m = /^\/v1\/data-channel\/([^/?]+)/.exec(req.url ?? '');
    if (!m) return socket.destroy();
    agent.handleUpgrade(decodeURIComponent(m[1]), req, socket, head);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    agent,
    options,
    dataDir,
    ended,
    kmsCalls,
    url: (id) => `ws://127.0.0.1:${port}/v1/data-channel/${id}?role=publish_subscribe`,
    whenEnded: (id) => {
      const e = ended.get(id);
      if (e) return Promise.resolve(e);
      return new Promise((r) => waiters.set(id, [...(waiters.get(id) ?? []), r]));
    },
    async close() {
      await agent.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function node(over: Partial<FleetNode> = {}): FleetNode {
  return {
    instanceId: 'i-0123456789abcdef0',
    name: 'web-01',
    tags: {},
    platformType: 'Linux',
    platformName: 'Amazon Linux',
    platformVersion: '2023',
    pingStatus: 'Online',
    agentVersion: '3.3.987.0',
    ipAddress: '10.0.0.5',
    region: 'us-east-1',
    accountId: '111122223333',
    resourceType: 'EC2Instance',
    computerName: 'web-01.internal',
    ...over,
  };
}

let counter = 0;
export function spec(sessionType: SessionType, over: Partial<AgentSessionSpec> = {}): AgentSessionSpec {
  counter++;
  return {
    sessionId: `tester-${process.pid}-${counter}-${randomUUID().slice(0, 8)}`,
    tokenValue: `token-${randomUUID()}`,
    node: node(),
    documentName: sessionType === 'Port' ? 'AWS-StartPortForwardingSession' : 'SSM-SessionManagerRunShell',
    sessionType,
    properties: null,
    parameters: {},
    preferences: { idleSessionTimeoutMinutes: 20, runAsEnabled: false },
    owner: 'arn:aws:iam::111122223333:user/tester',
    ...over,
  };
}

/** Resolves when `check` returns a value other than undefined/false; re-checked on every `poke`. */
export class Waiters {
  private list: Array<() => boolean> = [];
  poke(): void {
    this.list = this.list.filter((w) => !w());
  }
  until<T>(check: () => T | undefined | false, what: string, ms = 20_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.list = this.list.filter((w) => w !== fn);
        reject(new Error(`timed out waiting for ${what}`));
      }, ms);
      const fn = (): boolean => {
        const v = check();
        if (v === undefined || v === false) return false;
        clearTimeout(timer);
        resolve(v as T);
        return true;
      };
      if (!fn()) this.list.push(fn);
    });
  }
}

export function openWs(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Frames in, frames out: for byte-vector tests. Acknowledges agent data when `autoAck`. */
export class RawClient {
  readonly received: ClientMessage[] = [];
  readonly waiters = new Waiters();
  closeCode: number | undefined;
  private constructor(
    readonly ws: WebSocket,
    private readonly autoAck: boolean,
  ) {
    ws.on('message', (data: Buffer) => {
      const m = decodeMessage(Buffer.from(data));
      this.received.push(m);
      if (this.autoAck && m.messageType === MessageType.OutputStreamData) ws.send(encodeAcknowledge(m));
      this.waiters.poke();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.waiters.poke();
    });
  }

  static async connect(url: string, token: string, opts: { autoAck?: boolean; clientId?: string; clientVersion?: string } = {}): Promise<RawClient> {
    const ws = await openWs(url);
    const c = new RawClient(ws, opts.autoAck ?? true);
    ws.send(encodeOpenDataChannel({ tokenValue: token, clientId: opts.clientId ?? randomUUID(), clientVersion: opts.clientVersion ?? CLIENT_VERSION }));
    return c;
  }

  send(frame: Buffer): void {
    this.ws.send(frame);
  }

  find(pred: (m: ClientMessage) => boolean, what: string): Promise<ClientMessage> {
    return this.waiters.until(() => this.received.find(pred), what);
  }

  output(): string {
    return Buffer.concat(
      this.received.filter((m) => m.messageType === MessageType.OutputStreamData && m.payloadType === PayloadType.Output).map((m) => m.payload),
    ).toString('utf8');
  }

  closed(): Promise<number> {
    return this.waiters.until(() => this.closeCode, 'socket close');
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Client side of the KMS cipher (the protocol's KmsCipher), plus raw access for the challenge. */
export function clientCipher(key: Buffer): KmsCipher & { encryptWith(k: 'agent' | 'client', p: Buffer): Buffer; decryptWith(k: 'agent' | 'client', w: Buffer): Buffer } {
  const half = (k: 'agent' | 'client'): Buffer => (k === 'agent' ? key.subarray(0, 32) : key.subarray(32, 64));
  return Object.assign(new KmsCipher(key, 'client'), {
    encryptWith: (k: 'agent' | 'client', p: Buffer) => aesGcmSeal(half(k), p),
    decryptWith: (k: 'agent' | 'client', w: Buffer) => aesGcmOpen(half(k), w),
  });
}

/**
 * A reliable client on the protocol DataChannel: reconnects (resume) when asked, collects
 * delivered agent data in order and the channel_closed message.
 */
export class ReliableClient {
  readonly channel = new DataChannel({ role: 'client', maxMessageSize: 16 * 1024, resendTickMs: 20 });
  readonly delivered: ClientMessage[] = [];
  readonly waiters = new Waiters();
  readonly clientId = randomUUID();
  closedMsg: ChannelClosed | undefined;
  ws: WebSocket | undefined;
  socketCloses = 0;
  /** Sequence numbers of agent data frames in arrival order (before reordering is undone). */
  readonly arrivals: number[] = [];
  private resumer: (() => Promise<void>) | undefined;
  private closing = false;
  /** Return false to refuse (not ready); default accepts everything. */
  onData: (m: ClientMessage) => boolean | void = () => true;

  handshakeRequest: HandshakeRequest | undefined;
  handshakeComplete: HandshakeComplete | undefined;

  constructor(
    private readonly url: string,
    private readonly clientVersion = CLIENT_VERSION,
    /** KMS: send this blob and acknowledge the random challenge (7.5). */
    private readonly kms: { blob: Buffer; key: Buffer; challengeAck: boolean; badChallenge?: boolean } = {
      blob: KMS_BLOB,
      key: KMS_KEY,
      challengeAck: true,
    },
  ) {
    this.channel.on('data', (m) => {
      if (m.payloadType === PayloadType.HandshakeRequest) this.answerHandshake(parseHandshakeRequest(m.payload));
      else if (m.payloadType === PayloadType.EncChallengeRequest) {
        const cipher = clientCipher(this.kms.key);
        const plain = cipher.decryptWith('agent', parseEncChallenge(m.payload));
        if (this.kms.badChallenge) plain[0] ^= 0xff;
        this.channel.send(PayloadType.EncChallengeResponse, encodeEncChallenge(cipher.encryptWith('client', plain)));
      } else if (m.payloadType === PayloadType.HandshakeComplete) this.handshakeComplete = parseHandshakeComplete(m.payload);
      const r = this.onData(m);
      if (r !== false) this.delivered.push(m);
      this.waiters.poke();
      return r;
    });
    this.channel.on('error', () => undefined);
  }

  private answerHandshake(req: HandshakeRequest): void {
    this.handshakeRequest = req;
    const done = req.RequestedClientActions.map((a) => {
      if (a.ActionType === 'SessionType') return { ActionType: a.ActionType, ActionStatus: 1, ActionResult: null, Error: '' };
      if (a.ActionType === 'KMSEncryption') {
        const result: Record<string, unknown> = { KMSCipherTextKey: this.kms.blob.toString('base64'), KMSCipherTextHash: null };
        if (this.kms.challengeAck) result.ChallengeAcknowledgement = true;
        return { ActionType: a.ActionType, ActionStatus: 1, ActionResult: result, Error: '' };
      }
      return { ActionType: a.ActionType, ActionStatus: 3, ActionResult: null, Error: `Unsupported action ${a.ActionType}` };
    });
    this.channel.send(PayloadType.HandshakeResponse, encodeHandshakeResponse({ ClientVersion: this.clientVersion, ProcessedClientActions: done, Errors: null }));
    // Like the reference, encryption is on from the moment the response is built.
    if (req.RequestedClientActions.some((a) => a.ActionType === 'KMSEncryption')) this.channel.setCipher(clientCipher(this.kms.key));
  }

  waitReady(): Promise<void> {
    return this.waiters.until(() => this.handshakeComplete !== undefined || this.delivered.some((m) => m.payloadType === PayloadType.Output), 'session ready').then(() => undefined);
  }

  async connect(token: string): Promise<void> {
    const ws = await openWs(this.url);
    this.ws = ws;
    ws.send(encodeOpenDataChannel({ tokenValue: token, clientId: this.clientId, clientVersion: this.clientVersion }));
    let onMsg: ((f: Buffer) => void) | undefined;
    let onClose: ((err?: Error) => void) | undefined;
    ws.on('message', (data: Buffer) => {
      const frame = Buffer.from(data);
      let m: ClientMessage | undefined;
      try {
        m = decodeMessage(frame);
      } catch {
        m = undefined;
      }
      if (m?.messageType === MessageType.ChannelClosed) this.closedMsg = parseChannelClosed(m.payload);
      if (m?.messageType === MessageType.OutputStreamData) this.arrivals.push(m.sequenceNumber);
      onMsg?.(frame);
      this.waiters.poke();
    });
    ws.on('close', () => {
      this.socketCloses++;
      onClose?.();
      // ResumeSession + reconnect with the same ClientId, as the plugin does (spec 10).
      if (this.resumer && !this.closedMsg && !this.closing) setTimeout(() => void this.resumer?.().catch(() => undefined), 5);
      this.waiters.poke();
    });
    this.channel.attach({
      send: (f) => {
        if (ws.readyState !== WebSocket.OPEN) throw new Error('closed');
        ws.send(f);
      },
      onMessage: (cb) => (onMsg = cb),
      onClose: (cb) => (onClose = cb),
    });
  }

  autoResume(h: Harness, sessionId: string): void {
    this.resumer = async () => {
      const token = `resume-${randomUUID()}`;
      if (h.agent.addResumeToken(sessionId, token)) await this.connect(token);
    };
  }

  send(data: string | Buffer, type: PayloadType = PayloadType.Output): void {
    this.channel.send(type, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  output(types: number[] = [PayloadType.Output]): Buffer {
    return Buffer.concat(this.delivered.filter((m) => types.includes(m.payloadType)).map((m) => m.payload));
  }

  text(): string {
    return this.output().toString('utf8');
  }

  waitText(pattern: RegExp | string, what = String(pattern)): Promise<string> {
    return this.waiters.until(() => {
      const t = this.text();
      return (typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t)) ? t : undefined;
    }, what);
  }

  /** The shell prompt (PS1 shows the node name; `#` when the tests run as root). */
  waitPrompt(): Promise<string> {
    return this.waitText(/ssm-user@[^:]+:[^\r\n]*[$#] $/, 'prompt');
  }

  waitClosed(): Promise<ChannelClosed> {
    return this.waiters.until(() => this.closedMsg, 'channel_closed');
  }

  close(): void {
    this.closing = true;
    this.channel.close();
    this.ws?.terminate();
  }
}
