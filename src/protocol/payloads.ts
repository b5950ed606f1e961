// JSON and small binary payloads carried inside ClientMessages (spec 3, 5.8, 6, 7.4, 8, 9.5).
import { randomUUID } from 'node:crypto';
import { ProtocolError } from './codec';

/** JSON.stringify with Go encoding/json's HTML-safe escaping (<, >, &, U+2028, U+2029). */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function parseJsonObject(payload: Buffer, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new ProtocolError(`bad-${what}`, `${what} payload is not valid JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProtocolError(`bad-${what}`, `${what} payload is not a JSON object`);
  return v as Record<string, unknown>;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

// ---------- OpenDataChannel (3.2) ----------

export interface OpenDataChannelInput {
  tokenValue: string;
  clientId: string;
  clientVersion: string;
  requestId?: string;
}

/** The text of the first WebSocket frame; field order and escaping match the reference. */
export function encodeOpenDataChannel(i: OpenDataChannelInput): string {
  return goJson({
    MessageSchemaVersion: '1.0',
    RequestId: i.requestId ?? randomUUID(),
    TokenValue: i.tokenValue,
    ClientId: i.clientId,
    ClientVersion: i.clientVersion,
  });
}

export interface OpenDataChannelRequest {
  messageSchemaVersion: string;
  requestId: string;
  tokenValue: string;
  clientId: string;
  clientVersion: string;
}

export function parseOpenDataChannel(text: string | Buffer): OpenDataChannelRequest {
  const o = parseJsonObject(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), 'open-data-channel');
  return {
    messageSchemaVersion: str(o.MessageSchemaVersion),
    requestId: str(o.RequestId),
    tokenValue: str(o.TokenValue),
    clientId: str(o.ClientId),
    clientVersion: str(o.ClientVersion),
  };
}

// ---------- Size (8.1) ----------

export function encodeSize(cols: number, rows: number): Buffer {
  const c = Math.max(0, Math.min(0xffffffff, Math.floor(cols)));
  const r = Math.max(0, Math.min(0xffffffff, Math.floor(rows)));
  return Buffer.from(`{"cols":${c},"rows":${r}}`, 'latin1');
}

export function parseSize(payload: Buffer): { cols: number; rows: number } {
  const o = parseJsonObject(payload, 'size');
  const { cols, rows } = o;
  if (typeof cols !== 'number' || typeof rows !== 'number' || !Number.isInteger(cols) || !Number.isInteger(rows) || cols < 0 || rows < 0) {
    throw new ProtocolError('bad-size', 'size payload needs unsigned integer cols and rows');
  }
  return { cols, rows };
}

// ---------- Flags (9.5) ----------

export const Flag = { DisconnectToPort: 1, TerminateSession: 2, ConnectToPortError: 3 } as const;

export function encodeFlag(flag: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(flag >>> 0, 0);
  return b;
}

export function parseFlag(payload: Buffer): number {
  if (payload.length !== 4) throw new ProtocolError('bad-flag', `flag payload must be 4 bytes, got ${payload.length}`);
  return payload.readUInt32BE(0);
}

// ---------- channel_closed (5.8) ----------

export interface ChannelClosed {
  messageId: string;
  createdDate: string;
  destinationId: string;
  sessionId: string;
  messageType: string;
  schemaVersion: number;
  output: string;
}

export function encodeChannelClosed(c: Partial<ChannelClosed> & { sessionId: string }): Buffer {
  return Buffer.from(
    goJson({
      MessageId: c.messageId ?? randomUUID(),
      CreatedDate: c.createdDate ?? new Date().toISOString(),
      DestinationId: c.destinationId ?? '',
      SessionId: c.sessionId,
      MessageType: 'channel_closed',
      SchemaVersion: c.schemaVersion ?? 1,
      Output: c.output ?? '',
    }),
    'utf8',
  );
}

/** Lenient: a channel_closed always ends the session, so a bad payload yields empty fields. */
export function parseChannelClosed(payload: Buffer): ChannelClosed {
  let o: Record<string, unknown> = {};
  try {
    o = parseJsonObject(payload, 'channel-closed');
  } catch {
    /* keep defaults */
  }
  return {
    messageId: str(o.MessageId),
    createdDate: str(o.CreatedDate),
    destinationId: str(o.DestinationId),
    sessionId: str(o.SessionId),
    messageType: str(o.MessageType) || 'channel_closed',
    schemaVersion: typeof o.SchemaVersion === 'number' ? o.SchemaVersion : 1,
    output: str(o.Output),
  };
}

// ---------- Exit code (4.5 type 12) ----------

export function parseExitCode(payload: Buffer): number {
  const m = /^\s*EXIT_CODE:\s*(-?\d+)\s*$/.exec(payload.toString('latin1'));
  if (!m) throw new ProtocolError('bad-exit-code', 'exit-code payload is not "EXIT_CODE: <n>"');
  return Number(m[1]);
}

export function encodeExitCode(code: number): Buffer {
  return Buffer.from(`EXIT_CODE: ${code}`, 'latin1');
}

// ---------- Handshake (6) ----------

export const ActionType = { SessionType: 'SessionType', KMSEncryption: 'KMSEncryption' } as const;
export const ActionStatus = { Success: 1, Failed: 2, Unsupported: 3 } as const;

export interface RequestedClientAction {
  ActionType: string;
  ActionParameters: unknown;
}
export interface HandshakeRequest {
  AgentVersion: string;
  RequestedClientActions: RequestedClientAction[];
}
export interface SessionTypeParameters {
  SessionType: string;
  Properties: unknown;
}
export interface KmsEncryptionParameters {
  KMSKeyId: string;
  Challenge?: string;
}
export interface KmsEncryptionResult {
  KMSCipherTextKey: string;
  KMSCipherTextHash: null;
  ChallengeAcknowledgement?: boolean;
}
export interface ProcessedClientAction {
  ActionType: string;
  ActionStatus: number;
  ActionResult: unknown;
  Error: string;
}
export interface HandshakeResponse {
  ClientVersion: string;
  ProcessedClientActions: ProcessedClientAction[];
  Errors: string[] | null;
}
export interface HandshakeComplete {
  HandshakeTimeToComplete: number;
  CustomerMessage: string;
}

export function encodeHandshakeRequest(r: HandshakeRequest): Buffer {
  return Buffer.from(
    goJson({
      AgentVersion: r.AgentVersion,
      RequestedClientActions: r.RequestedClientActions.map((a) => ({ ActionType: a.ActionType, ActionParameters: a.ActionParameters ?? null })),
    }),
    'utf8',
  );
}

export function parseHandshakeRequest(payload: Buffer): HandshakeRequest {
  const o = parseJsonObject(payload, 'handshake-request');
  const actions = Array.isArray(o.RequestedClientActions) ? o.RequestedClientActions : [];
  return {
    AgentVersion: str(o.AgentVersion),
    RequestedClientActions: actions.map((a: unknown) => {
      const x = (typeof a === 'object' && a !== null ? a : {}) as Record<string, unknown>;
      return { ActionType: str(x.ActionType), ActionParameters: x.ActionParameters ?? null };
    }),
  };
}

export function encodeHandshakeResponse(r: HandshakeResponse): Buffer {
  return Buffer.from(
    goJson({
      ClientVersion: r.ClientVersion,
      ProcessedClientActions: r.ProcessedClientActions.map((a) => ({
        ActionType: a.ActionType,
        ActionStatus: a.ActionStatus,
        ActionResult: a.ActionResult ?? null,
        Error: a.Error,
      })),
      Errors: r.Errors && r.Errors.length > 0 ? r.Errors : null,
    }),
    'utf8',
  );
}

export function parseHandshakeResponse(payload: Buffer): HandshakeResponse {
  const o = parseJsonObject(payload, 'handshake-response');
  const actions = Array.isArray(o.ProcessedClientActions) ? o.ProcessedClientActions : [];
  return {
    ClientVersion: str(o.ClientVersion),
    ProcessedClientActions: actions.map((a: unknown) => {
      const x = (typeof a === 'object' && a !== null ? a : {}) as Record<string, unknown>;
      return {
        ActionType: str(x.ActionType),
        ActionStatus: typeof x.ActionStatus === 'number' ? x.ActionStatus : 0,
        ActionResult: x.ActionResult ?? null,
        Error: str(x.Error),
      };
    }),
    Errors: Array.isArray(o.Errors) ? o.Errors.map(str) : null,
  };
}

export function encodeHandshakeComplete(c: HandshakeComplete): Buffer {
  return Buffer.from(goJson({ HandshakeTimeToComplete: c.HandshakeTimeToComplete, CustomerMessage: c.CustomerMessage }), 'utf8');
}

export function parseHandshakeComplete(payload: Buffer): HandshakeComplete {
  const o = parseJsonObject(payload, 'handshake-complete');
  return {
    HandshakeTimeToComplete: typeof o.HandshakeTimeToComplete === 'number' ? o.HandshakeTimeToComplete : 0,
    CustomerMessage: str(o.CustomerMessage),
  };
}

// ---------- Encryption challenge (7.4) ----------

/** `{"Challenge":"<base64>"}` — used for both EncChallengeRequest and EncChallengeResponse. */
export function encodeEncChallenge(challenge: Buffer): Buffer {
  return Buffer.from(goJson({ Challenge: challenge.toString('base64') }), 'utf8');
}

export function parseEncChallenge(payload: Buffer): Buffer {
  const o = parseJsonObject(payload, 'enc-challenge');
  if (typeof o.Challenge !== 'string') throw new ProtocolError('bad-enc-challenge', 'challenge payload has no Challenge');
  return Buffer.from(o.Challenge, 'base64');
}
