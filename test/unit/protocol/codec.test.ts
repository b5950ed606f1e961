import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, MessageType, PayloadType, ProtocolError, readMessageId, validateMessage, writeMessageId } from '../../../src/protocol/codec';
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
