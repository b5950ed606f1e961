import { describe, expect, it } from 'vitest';
import {
  acknowledgedSequence,
  decodeMessage,
  encodeAcknowledge,
  encodeMessage,
  MessageType,
  parseAcknowledge,
  PayloadType,
  ProtocolError,
  readMessageId,
  validateMessage,
  writeMessageId,
} from '../../../src/protocol/codec';
import { encodeExitCode, encodeFlag, goJson, parseChannelClosed, parseExitCode, parseFlag, parseSize } from '../../../src/protocol/payloads';

describe('codec edge cases', () => {
  it('rejects message types longer than 32 bytes and malformed ids with ProtocolError', () => {
    expect(() => encodeMessage({ messageType: 'x'.repeat(33), sequenceNumber: 0, payload: Buffer.from('a') })).toThrow(ProtocolError);
    expect(() => encodeMessage({ messageType: 'acknowledge', sequenceNumber: 0, payload: Buffer.from('a'), messageId: 'nope' })).toThrow(ProtocolError);
    expect(() => encodeMessage({ messageType: 'acknowledge', sequenceNumber: -1, payload: Buffer.from('a') })).toThrow(ProtocolError);
  });

  it('message ids round-trip with their halves swapped (4.4)', () => {
    const b = Buffer.alloc(16);
    writeMessageId('00112233-4455-6677-8899-aabbccddeeff', b, 0);
    expect(b.toString('hex')).toBe('8899aabbccddeeff0011223344556677');
    expect(readMessageId(b, 0)).toBe('00112233-4455-6677-8899-aabbccddeeff');
  });

  it('HeaderLength beyond the frame or below 116 is a ProtocolError; 0 fails validation', () => {
    const f = encodeMessage({ messageType: MessageType.OutputStreamData, sequenceNumber: 1, payloadType: PayloadType.Output, payload: Buffer.from('abc') });
    const far = Buffer.from(f);
    far.writeUInt32BE(1000, 0);
    expect(() => decodeMessage(far)).toThrow(expect.objectContaining({ code: 'truncated' }));
    const low = Buffer.from(f);
    low.writeUInt32BE(10, 0);
    expect(() => decodeMessage(low)).toThrow(expect.objectContaining({ code: 'bad-header-length' }));
    const zero = Buffer.from(f);
    zero.writeUInt32BE(0, 0);
    expect(() => validateMessage(decodeMessage(zero))).toThrow(expect.objectContaining({ code: 'missing-header-length' }));
  });

  it('sequence numbers above 2^53 are refused rather than rounded', () => {
    const f = encodeMessage({ messageType: MessageType.OutputStreamData, sequenceNumber: 1, payload: Buffer.from('a') });
    f.writeUInt32BE(0x7fffffff, 48);
    expect(() => decodeMessage(f)).toThrow(expect.objectContaining({ code: 'bad-sequence-number' }));
  });
});

describe('acknowledgements on the hot path', () => {
  const id = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';
  const ackPayload = (o: Record<string, unknown>) => Buffer.from(JSON.stringify(o));

  it('an acknowledgement of a decoded message is byte for byte the one of its fields', () => {
    for (const messageType of [MessageType.InputStreamData, MessageType.OutputStreamData]) {
      for (const seq of [0, 7, 123_456_789, 2 ** 40 + 3]) {
        const frame = encodeMessage({ messageType, sequenceNumber: seq, payloadType: PayloadType.Output, payload: Buffer.from('x'), messageId: id });
        const decoded = decodeMessage(frame);
        const opts = { messageId: '11111111-2222-4333-8444-555555555555', createdDate: 1_700_000_000_000 };
        const fromFrame = encodeAcknowledge(decoded, opts);
        const fromText = encodeAcknowledge({ messageType, messageId: id, sequenceNumber: seq }, opts);
        expect(fromFrame.equals(fromText)).toBe(true);
        const ack = decodeMessage(fromFrame);
        validateMessage(ack); // digest and lengths hold
        expect(parseAcknowledge(ack.payload)).toEqual({
          acknowledgedMessageType: messageType,
          acknowledgedMessageId: id,
          acknowledgedMessageSequenceNumber: seq,
          isSequentialMessage: true,
        });
        expect(acknowledgedSequence(ack.payload)).toBe(seq);
      }
    }
  });

  it('acknowledgedSequence reads what JSON.parse reads, and refuses what it refuses', () => {
    const base = { AcknowledgedMessageType: MessageType.InputStreamData, AcknowledgedMessageId: id, AcknowledgedMessageSequenceNumber: 42, IsSequentialMessage: true };
    // Other field orders, spacing, types and ids go the JSON way, with the same answer.
    const { AcknowledgedMessageSequenceNumber: seq, ...rest } = base;
    expect(acknowledgedSequence(ackPayload({ AcknowledgedMessageSequenceNumber: seq, ...rest, IsSequentialMessage: false }))).toBe(42);
    expect(acknowledgedSequence(Buffer.from(JSON.stringify(base, null, 1)))).toBe(42);
    expect(acknowledgedSequence(ackPayload({ ...base, AcknowledgedMessageType: 'agent_session_state' }))).toBe(42);
    expect(acknowledgedSequence(ackPayload({ ...base, AcknowledgedMessageId: 'not-a-uuid' }))).toBe(42);
    expect(acknowledgedSequence(ackPayload({ ...base, AcknowledgedMessageSequenceNumber: 1e3 }))).toBe(1000);
    // Shapes that look like the template but are not valid acknowledgements.
    const template = ackPayload(base).toString();
    for (const bad of [
      template.replace(':42,', ':042,'),
      template.replace(':42,', ':,'),
      template.replace(':42,', ':4.2.1,'),
      template.replace(':42,', ':99999999999999999999,'),
      template.replace(id, `${id.slice(0, 35)}"`),
      template.slice(0, -1),
    ]) {
      expect(() => acknowledgedSequence(Buffer.from(bad)), bad).toThrow(ProtocolError);
      expect(() => parseAcknowledge(Buffer.from(bad)), bad).toThrow(ProtocolError);
    }
    expect(acknowledgedSequence(Buffer.from(template.replace(':42,', ':-1,')))).toBe(-1);
  });
});

describe('payload helpers', () => {
  it('goJson escapes like Go encoding/json', () => {
    expect(goJson({ a: '<b>&\u2028\u2029"' })).toBe('{"a":"\\u003cb\\u003e\\u0026\\u2028\\u2029\\""}');
  });
  it('flags, exit codes, sizes and channel_closed', () => {
    expect(encodeFlag(2).toString('hex')).toBe('00000002');
    expect(parseFlag(Buffer.from('00000003', 'hex'))).toBe(3);
    expect(() => parseFlag(Buffer.from('01', 'hex'))).toThrow(ProtocolError);
    expect(parseExitCode(encodeExitCode(127))).toBe(127);
    expect(() => parseSize(Buffer.from('{"cols":"80","rows":24}'))).toThrow(ProtocolError);
    expect(parseChannelClosed(Buffer.from('not json')).output).toBe('');
  });
});
