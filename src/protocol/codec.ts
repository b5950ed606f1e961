// Binary ClientMessage codec for the Session Manager data channel (spec section 4).
// Hot path: frames cut from a slab, digests as strings (no ArrayBuffer per message), subarray views
// and a lazily made id on decode, acknowledgements written from a template straight into their frame.
import { hash, randomFillSync } from 'node:crypto';

export const MessageType = {
  InputStreamData: 'input_stream_data',
  OutputStreamData: 'output_stream_data',
  Acknowledge: 'acknowledge',
  ChannelClosed: 'channel_closed',
  StartPublication: 'start_publication',
  PausePublication: 'pause_publication',
} as const;
export type MessageTypeName = (typeof MessageType)[keyof typeof MessageType];

export enum PayloadType {
  Null = 0,
  Output = 1,
  Error = 2,
  Size = 3,
  Parameter = 4,
  HandshakeRequest = 5,
  HandshakeResponse = 6,
  HandshakeComplete = 7,
  EncChallengeRequest = 8,
  EncChallengeResponse = 9,
  Flag = 10,
  StdErr = 11,
  ExitCode = 12,
}

/** Header flag bits (4.3). Nobody acts on them; we encode them like the reference does. */
export const MessageFlags = { None: 0, Syn: 1, Fin: 2, Ack: 3 } as const;

/** Offset of PayloadLength, i.e. the header without that field (4.1). */
const HEADER_LENGTH = 116;
/** Full fixed header including PayloadLength. */
const MESSAGE_HEADER_SIZE = 120;
const TYPE_OFFSET = 4;
const TYPE_SIZE = 32;
const SCHEMA_OFFSET = 36;
const DATE_OFFSET = 40;
const SEQ_OFFSET = 48;
const FLAGS_OFFSET = 56;
const ID_OFFSET = 64;
const DIGEST_OFFSET = 80;
const PAYLOAD_TYPE_OFFSET = 112;
const TWO_32 = 0x1_0000_0000;

export interface ClientMessage {
  messageType: string;
  schemaVersion: number;
  createdDate: number;
  sequenceNumber: number;
  flags: number;
  messageId: string;
  payloadDigest: Buffer;
  payloadType: number;
  payload: Buffer;
  /** As read from the frame (decode only); validateMessage checks them. */
  headerLength?: number;
  payloadLength?: number;
}

export class ProtocolError extends Error {
  constructor(
    public code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export interface EncodeInput {
  messageType: string;
  sequenceNumber: number;
  flags?: number;
  payloadType?: number;
  payload: Buffer;
  messageId?: string;
  createdDate?: number;
  schemaVersion?: number;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Writes a UUID into 16 wire bytes with its 8-byte halves swapped (4.4). */
export function writeMessageId(uuid: string, target: Buffer, offset: number): void {
  if (!UUID_RE.test(uuid)) throw new ProtocolError('bad-message-id', `not a UUID: ${uuid}`);
  const hex = uuid.replace(/-/g, '');
  target.write(hex.slice(16, 32), offset, 8, 'hex');
  target.write(hex.slice(0, 16), offset + 8, 8, 'hex');
}

// Random message ids are written as bytes from a pool: no UUID text is made and parsed back
// for every frame sent (acknowledgements included).
const ID_POOL = Buffer.alloc(16 * 256);
let idPoolAt = ID_POOL.length;

/** A random version-4 UUID straight into its 16 wire bytes (halves swapped, 4.4). */
function writeRandomMessageId(target: Buffer, offset: number): void {
  if (idPoolAt === ID_POOL.length) {
    randomFillSync(ID_POOL);
    idPoolAt = 0;
  }
  // 16 byte moves: cheaper than a Buffer.copy call (and no subarray object for a set()).
  for (let i = 0; i < 16; i++) target[offset + i] = ID_POOL[idPoolAt + i];
  idPoolAt += 16;
  // UUID byte 6 (version) is wire byte 14, UUID byte 8 (variant) is wire byte 0.
  target[offset + 14] = (target[offset + 14] & 0x0f) | 0x40;
  target[offset] = (target[offset] & 0x3f) | 0x80;
}

/** Reads 16 wire bytes (halves swapped) back into canonical UUID text. */
export function readMessageId(src: Buffer, offset: number): string {
  const h = src.toString('hex', offset + 8, offset + 16) + src.toString('hex', offset, offset + 8);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** UUID text positions (0–35) of each of the 16 wire bytes (halves swapped, 4.4), 2 digits each. */
const ID_TEXT_AT = [19, 21, 24, 26, 28, 30, 32, 34, 0, 2, 4, 6, 9, 11, 14, 16];

/** Writes the 36-byte UUID text of the 16 wire bytes at src[offset] into out[at]: no string made. */
function writeMessageIdText(src: Buffer, offset: number, out: Buffer, at: number): void {
  for (let i = 0; i < 16; i++) {
    const b = src[offset + i];
    const p = at + ID_TEXT_AT[i];
    out[p] = HEX_DIGITS[b >> 4];
    out[p + 1] = HEX_DIGITS[b & 15];
  }
  out[at + 8] = out[at + 13] = out[at + 18] = out[at + 23] = 0x2d;
}

function writeU64(buf: Buffer, value: number, offset: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new ProtocolError('bad-field', `${what} must be a non-negative safe integer, got ${value}`);
  if (value < TWO_32) {
    buf.writeUInt32BE(0, offset);
    buf.writeUInt32BE(value, offset + 4);
    return;
  }
  buf.writeUInt32BE(Math.floor(value / TWO_32), offset);
  buf.writeUInt32BE(value % TWO_32, offset + 4);
}

/** The fixed part of a header (HeaderLength, padded MessageType, SchemaVersion 1), per type. */
const headerStarts = new Map<string, Buffer>();
function headerStart(messageType: string): Buffer {
  let h = headerStarts.get(messageType);
  if (!h) {
    const typeLen = Buffer.byteLength(messageType, 'latin1');
    if (typeLen === 0 || typeLen > TYPE_SIZE) throw new ProtocolError('bad-message-type', `message type must be 1–32 bytes: ${messageType}`);
    h = Buffer.alloc(DATE_OFFSET);
    h.writeUInt32BE(HEADER_LENGTH, 0);
    h.fill(0x20, TYPE_OFFSET, TYPE_OFFSET + TYPE_SIZE);
    h.write(messageType, TYPE_OFFSET, typeLen, 'latin1');
    h.writeUInt32BE(1, SCHEMA_OFFSET);
    if (headerStarts.size < 64) headerStarts.set(messageType, h); // only the few real types stay cached
  }
  return h;
}

function readU64(buf: Buffer, offset: number): number {
  return buf.readUInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}

export function sha256(data: Buffer): Buffer {
  // One-shot hashing: no Hash object per message on the hot path.
  return hash('sha256', data, 'buffer');
}

/**
 * The SHA-256 of `data` as a 32-character latin1 string. On the hot path: a digest returned as
 * a Buffer costs a new ArrayBuffer per message (about as much as hashing 1 KiB), a string does not.
 */
function sha256Latin1(data: Buffer): string {
  return hash('sha256', data, 'binary'); // 'binary' is latin1
}

// Frames are cut from slabs of our own: Node's allocUnsafe pool is 8 KiB, so a 1 KiB message
// costs an ArrayBuffer every seven frames. A slab stays alive while any frame cut from it
// does; frames leave the window in about the order they entered it, so that is about one slab
// beyond what is in flight.
const SLAB_SIZE = 256 * 1024;
const SLAB_MAX_FRAME = 16 * 1024 + MESSAGE_HEADER_SIZE;
let slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
let slabAt = 0;

function allocFrame(size: number): Buffer {
  if (size > SLAB_MAX_FRAME) return Buffer.allocUnsafe(size);
  if (slabAt + size > SLAB_SIZE) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    slabAt = 0;
  }
  const frame = slab.subarray(slabAt, slabAt + size);
  slabAt = (slabAt + size + 7) & ~7; // 8-byte aligned starts
  return frame;
}

/**
 * A frame with its header written and room for `payloadLength` bytes at MESSAGE_HEADER_SIZE;
 * the caller writes the payload there, then sealFrame() adds its digest.
 */
function frameWithHeader(m: Omit<EncodeInput, 'payload'>, payloadLength: number): Buffer {
  const start = headerStart(m.messageType);
  const frame = allocFrame(MESSAGE_HEADER_SIZE + payloadLength);
  // TypedArray.set, not Buffer.copy: a plain memory move without a call into Node's binding.
  frame.set(start, 0);
  if (m.schemaVersion !== undefined && m.schemaVersion !== 1) frame.writeUInt32BE(m.schemaVersion, SCHEMA_OFFSET);
  writeU64(frame, m.createdDate ?? Date.now(), DATE_OFFSET, 'createdDate');
  writeU64(frame, m.sequenceNumber, SEQ_OFFSET, 'sequenceNumber');
  writeU64(frame, m.flags ?? 0, FLAGS_OFFSET, 'flags');
  if (m.messageId === undefined) writeRandomMessageId(frame, ID_OFFSET);
  else writeMessageId(m.messageId, frame, ID_OFFSET);
  frame.writeUInt32BE(m.payloadType ?? 0, PAYLOAD_TYPE_OFFSET);
  frame.writeUInt32BE(payloadLength, HEADER_LENGTH);
  return frame;
}

/** Writes the digest of the payload, which is in place at MESSAGE_HEADER_SIZE (or is `payload`). */
function sealFrame(frame: Buffer, payload: Buffer = frame.subarray(MESSAGE_HEADER_SIZE)): Buffer {
  frame.write(sha256Latin1(payload), DIGEST_OFFSET, 32, 'latin1');
  return frame;
}

export function encodeMessage(m: EncodeInput): Buffer {
  const frame = frameWithHeader(m, m.payload.length);
  frame.set(m.payload, MESSAGE_HEADER_SIZE);
  return sealFrame(frame, m.payload);
}

/** The padded MessageType field (32 bytes) of each type we know, as 8 big-endian words, by its first word. */
const KNOWN_TYPE_FIELDS = new Map<number, { name: string; words: number[] }>();
for (const name of Object.values(MessageType)) {
  const field = Buffer.alloc(TYPE_SIZE, 0x20);
  field.write(name, 0, 'latin1');
  const words: number[] = [];
  for (let i = 0; i < TYPE_SIZE; i += 4) words.push(field.readUInt32BE(i));
  KNOWN_TYPE_FIELDS.set(words[0], { name, words });
}

function readMessageType(frame: Buffer): string {
  // Fast path: a known type padded with spaces, as every sender we know writes it.
  const known = KNOWN_TYPE_FIELDS.get(frame.readUInt32BE(TYPE_OFFSET));
  if (known) {
    let i = 1;
    while (i < 8 && frame.readUInt32BE(TYPE_OFFSET + 4 * i) === known.words[i]) i++;
    if (i === 8) return known.name;
  }
  const rawType = frame.toString('latin1', TYPE_OFFSET, TYPE_OFFSET + TYPE_SIZE);
  // Trim NULs, then whitespace, from both ends (accept NUL padding as the reference does).
  return rawType.replace(/^\0+|\0+$/g, '').trim();
}

/**
 * A decoded frame. The message id is made into text, and the digest into a Buffer view, only
 * when asked for (an acknowledgement writes the id straight from the frame's bytes, validation
 * reads the digest as text): most received messages never need either.
 */
class DecodedMessage implements ClientMessage {
  private id: string | undefined;
  constructor(
    readonly frame: Buffer,
    public messageType: string,
    public schemaVersion: number,
    public createdDate: number,
    public sequenceNumber: number,
    public flags: number,
    public payloadType: number,
    public payload: Buffer,
    public headerLength: number,
    public payloadLength: number,
  ) {}
  get messageId(): string {
    return (this.id ??= readMessageId(this.frame, ID_OFFSET));
  }
  private digest: Buffer | undefined;
  get payloadDigest(): Buffer {
    return this.digest ?? this.frame.subarray(DIGEST_OFFSET, DIGEST_OFFSET + 32);
  }
  set payloadDigest(v: Buffer) {
    this.digest = v;
  }
  /** The digest as latin1 text, for comparing with sha256Latin1 (no Buffer view made). */
  digestText(): string {
    return this.digest ? this.digest.toString('latin1') : this.frame.toString('latin1', DIGEST_OFFSET, DIGEST_OFFSET + 32);
  }
  set messageId(v: string) {
    this.id = v;
  }
  /** The id's text is still the frame's own bytes (not replaced). */
  get idFromFrame(): boolean {
    return this.id === undefined;
  }
}

/** `m` with another payload (a decrypted one); a plain object, all fields copied. */
export function withPayload(m: ClientMessage, payload: Buffer): ClientMessage {
  return {
    messageType: m.messageType,
    schemaVersion: m.schemaVersion,
    createdDate: m.createdDate,
    sequenceNumber: m.sequenceNumber,
    flags: m.flags,
    messageId: m.messageId,
    payloadDigest: m.payloadDigest,
    payloadType: m.payloadType,
    payload,
    headerLength: m.headerLength,
    payloadLength: m.payloadLength,
  };
}

/**
 * Decodes one frame. Structural problems only (short frame, HeaderLength out of range);
 * semantic checks are in validateMessage. The payload is a view into `frame`.
 */
export function decodeMessage(frame: Buffer): ClientMessage {
  if (!Buffer.isBuffer(frame)) throw new ProtocolError('bad-frame', 'frame is not a Buffer');
  if (frame.length < MESSAGE_HEADER_SIZE) {
    throw new ProtocolError('truncated', `frame of ${frame.length} bytes is shorter than the ${MESSAGE_HEADER_SIZE}-byte header`);
  }
  const headerLength = frame.readUInt32BE(0);
  // 0 is left to validateMessage (reference rule 2); other values below 116 would overlap fixed fields.
  if (headerLength !== 0 && headerLength < HEADER_LENGTH) {
    throw new ProtocolError('bad-header-length', `HeaderLength ${headerLength} is below ${HEADER_LENGTH}`);
  }
  const lengthOffset = headerLength === 0 ? HEADER_LENGTH : headerLength;
  if (lengthOffset + 4 > frame.length) {
    throw new ProtocolError('truncated', `HeaderLength ${headerLength} points past the end of a ${frame.length}-byte frame`);
  }
  const messageType = readMessageType(frame);
  const hi = frame.readInt32BE(SEQ_OFFSET);
  const sequenceNumber = hi * TWO_32 + frame.readUInt32BE(SEQ_OFFSET + 4);
  if (!Number.isSafeInteger(sequenceNumber)) {
    throw new ProtocolError('bad-sequence-number', 'SequenceNumber is outside the safe integer range');
  }
  return new DecodedMessage(
    frame,
    messageType,
    frame.readUInt32BE(SCHEMA_OFFSET),
    readU64(frame, DATE_OFFSET),
    sequenceNumber,
    readU64(frame, FLAGS_OFFSET),
    frame.readUInt32BE(PAYLOAD_TYPE_OFFSET),
    frame.subarray(lengthOffset + 4),
    headerLength,
    frame.readUInt32BE(lengthOffset),
  );
}

/** Receiver validation (4.7) plus Hatch's stricter PayloadLength check. Throws ProtocolError. */
export function validateMessage(m: ClientMessage, verifyDigest = true): void {
  // Structural (Hatch, spec 4.7 recommendation): a frame cut short or padded is never trusted.
  if (m.payloadLength !== undefined && m.payloadLength !== m.payload.length) {
    throw new ProtocolError('payload-length-mismatch', `PayloadLength ${m.payloadLength} but ${m.payload.length} payload bytes present`);
  }
  if (m.messageType === MessageType.StartPublication || m.messageType === MessageType.PausePublication) return;
  if (m.headerLength === 0) throw new ProtocolError('missing-header-length', 'HeaderLength is missing');
  if (m.messageType === '') throw new ProtocolError('missing-message-type', 'MessageType is missing');
  if (m.createdDate === 0) throw new ProtocolError('missing-created-date', 'CreatedDate is missing');
  if (verifyDigest && m.payload.length !== 0) {
    const claimed = m instanceof DecodedMessage ? m.digestText() : m.payloadDigest.toString('latin1');
    if (sha256Latin1(m.payload) !== claimed) throw new ProtocolError('bad-digest', 'payload Hash is not valid');
  }
}

// ---------- acknowledgements (5.2) ----------

export interface AcknowledgeContent {
  acknowledgedMessageType: string;
  acknowledgedMessageId: string;
  acknowledgedMessageSequenceNumber: number;
  isSequentialMessage: boolean;
}

// The acknowledgement JSON as the reference writes it (5.2), built from a template for the two
// data message types: what JSON.stringify gives for a UUID id and an integer, without a string
// round trip per acknowledgement.
const ACK_HEAD = Buffer.from('{"AcknowledgedMessageType":"');
const ACK_ID = Buffer.from('","AcknowledgedMessageId":"');
const ACK_SEQ = Buffer.from('","AcknowledgedMessageSequenceNumber":');
const ACK_TAIL = Buffer.from(',"IsSequentialMessage":true}');
const ACK_PREFIX: Record<string, Buffer> = {
  [MessageType.InputStreamData]: Buffer.concat([ACK_HEAD, Buffer.from(MessageType.InputStreamData), ACK_ID]),
  [MessageType.OutputStreamData]: Buffer.concat([ACK_HEAD, Buffer.from(MessageType.OutputStreamData), ACK_ID]),
};
const UUID_TEXT_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ACK_FIXED = 36 + ACK_SEQ.length + ACK_TAIL.length;

function jsonAcknowledgePayload(of: Pick<ClientMessage, 'messageType' | 'messageId' | 'sequenceNumber'>): Buffer {
  // Field order as the reference writes it; JSON.stringify keeps insertion order.
  return Buffer.from(
    JSON.stringify({
      AcknowledgedMessageType: of.messageType,
      AcknowledgedMessageId: of.messageId,
      AcknowledgedMessageSequenceNumber: of.sequenceNumber,
      IsSequentialMessage: true,
    }),
    'utf8',
  );
}

/** A complete `acknowledge` frame for `of` (SequenceNumber 0, Flags 3, PayloadType 0). */
export function encodeAcknowledge(
  of: Pick<ClientMessage, 'messageType' | 'messageId' | 'sequenceNumber'>,
  opts: { messageId?: string; createdDate?: number } = {},
): Buffer {
  const header = { messageType: MessageType.Acknowledge, sequenceNumber: 0, flags: MessageFlags.Ack, payloadType: PayloadType.Null, messageId: opts.messageId, createdDate: opts.createdDate };
  const prefix = ACK_PREFIX[of.messageType];
  // A decoded data message's id goes from its frame's bytes straight into the template.
  const rawId = of instanceof DecodedMessage && of.idFromFrame ? of.frame : undefined;
  if (!prefix || !Number.isSafeInteger(of.sequenceNumber) || (!rawId && !UUID_TEXT_RE.test(of.messageId))) {
    return encodeMessage({ ...header, payload: jsonAcknowledgePayload(of) });
  }
  // The template, written in place in the frame: no payload buffer, no copy.
  const seq = String(of.sequenceNumber);
  const frame = frameWithHeader(header, prefix.length + ACK_FIXED + seq.length);
  let at = MESSAGE_HEADER_SIZE;
  frame.set(prefix, at);
  at += prefix.length;
  if (rawId) writeMessageIdText(rawId, ID_OFFSET, frame, at);
  else frame.write(of.messageId, at, 36, 'latin1');
  at += 36;
  frame.set(ACK_SEQ, at);
  at += ACK_SEQ.length;
  at += frame.write(seq, at, 'latin1');
  frame.set(ACK_TAIL, at);
  return sealFrame(frame);
}

export function parseAcknowledge(payload: Buffer): AcknowledgeContent {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new ProtocolError('bad-acknowledge', 'acknowledge payload is not JSON');
  }
  if (typeof v !== 'object' || v === null) throw new ProtocolError('bad-acknowledge', 'acknowledge payload is not an object');
  const o = v as Record<string, unknown>;
  const seq = o.AcknowledgedMessageSequenceNumber;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq)) {
    throw new ProtocolError('bad-acknowledge', 'acknowledge has no valid AcknowledgedMessageSequenceNumber');
  }
  return {
    acknowledgedMessageType: typeof o.AcknowledgedMessageType === 'string' ? o.AcknowledgedMessageType : '',
    acknowledgedMessageId: typeof o.AcknowledgedMessageId === 'string' ? o.AcknowledgedMessageId : '',
    acknowledgedMessageSequenceNumber: seq,
    isSequentialMessage: o.IsSequentialMessage === true,
  };
}

const ACK_PREFIX_TEXT = Object.values(ACK_PREFIX).map((b) => b.toString('latin1'));
const ACK_SEQ_TEXT = ACK_SEQ.toString('latin1');
const ACK_TAIL_TEXT = ACK_TAIL.toString('latin1');
/** 36 UUID characters, matched in place (sticky). Nothing in them needs a JSON escape. */
const ACK_ID_AT = /[0-9A-Fa-f-]{36}/y;
/** A JSON integer without sign, exponent or leading zero, small enough to be exact. */
const ACK_SEQ_DIGITS = /^(?:0|[1-9][0-9]{0,14})$/;

/**
 * The sequence number an acknowledgement names. An acknowledgement laid out exactly as the
 * agent and Hatch write it (the template above) is read in place; anything else goes through
 * parseAcknowledge's JSON.parse, with the same result and the same errors.
 */
export function acknowledgedSequence(payload: Buffer): number {
  const t = payload.toString('latin1');
  for (const prefix of ACK_PREFIX_TEXT) {
    if (!t.startsWith(prefix)) continue;
    const seqAt = prefix.length + 36;
    const digitsAt = seqAt + ACK_SEQ_TEXT.length;
    const tailAt = t.length - ACK_TAIL_TEXT.length;
    ACK_ID_AT.lastIndex = prefix.length;
    if (tailAt <= digitsAt || !ACK_ID_AT.test(t) || !t.startsWith(ACK_SEQ_TEXT, seqAt) || !t.endsWith(ACK_TAIL_TEXT)) break;
    const digits = t.slice(digitsAt, tailAt);
    if (ACK_SEQ_DIGITS.test(digits)) return Number(digits);
    break;
  }
  return parseAcknowledge(payload).acknowledgedMessageSequenceNumber;
}
