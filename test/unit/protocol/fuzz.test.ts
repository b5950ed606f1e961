// Property tests: random, truncated and corrupted input never crashes the decoder or the
// channel; the only exception type is ProtocolError, and buffers stay bounded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataChannel } from '../../../src/protocol/channel';
import { decodeMessage, encodeAcknowledge, encodeMessage, MessageType, parseAcknowledge, PayloadType, ProtocolError, validateMessage } from '../../../src/protocol/codec';
import { KmsCipher } from '../../../src/protocol/encryption';
import {
  parseChannelClosed,
  parseEncChallenge,
  parseExitCode,
  parseFlag,
  parseHandshakeComplete,
  parseHandshakeRequest,
  parseHandshakeResponse,
  parseOpenDataChannel,
  parseSize,
} from '../../../src/protocol/payloads';
import { FakeSocket } from './fake-link';

const RUNS = { numRuns: 300 };

function onlyProtocolErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
  }
}

const messageTypes = fc.constantFrom(...Object.values(MessageType), 'agent_session_state', 'x');
const uuid = fc.uuid();
const fields = fc.record({
  messageType: messageTypes,
  sequenceNumber: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  flags: fc.nat({ max: 3 }),
  payloadType: fc.nat({ max: 12 }),
  payload: fc.uint8Array({ minLength: 1, maxLength: 300 }).map((a) => Buffer.from(a)),
  messageId: uuid,
  createdDate: fc.integer({ min: 1, max: 2 ** 48 }),
  schemaVersion: fc.nat({ max: 5 }),
});

describe('codec properties', () => {
  it('encode → decode is the identity and validates', () => {
    fc.assert(
      fc.property(fields, (f) => {
        const m = decodeMessage(encodeMessage(f));
        validateMessage(m);
        expect(m).toMatchObject({ ...f, payload: f.payload });
      }),
      RUNS,
    );
  });

  it('random bytes: decode/validate throw only ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (a) => onlyProtocolErrors(() => validateMessage(decodeMessage(Buffer.from(a))))),
      RUNS,
    );
  });

  it('random bytes behind a plausible header: only ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 120, maxLength: 400 }), fc.nat({ max: 300 }), (a, hl) => {
        const b = Buffer.from(a);
        b.writeUInt32BE(hl, 0);
        onlyProtocolErrors(() => validateMessage(decodeMessage(b)));
      }),
      RUNS,
    );
  });

  it('truncated or bit-flipped valid frames are rejected with ProtocolError, never accepted wrongly', () => {
    fc.assert(
      fc.property(fields, fc.nat(), fc.nat({ max: 7 }), fc.boolean(), (f, pos, bit, truncate) => {
        const frame = encodeMessage(f);
        if (truncate) {
          const cut = frame.subarray(0, pos % frame.length);
          expect(() => validateMessage(decodeMessage(cut))).toThrow(ProtocolError);
          return;
        }
        const i = pos % frame.length;
        const bad = Buffer.from(frame);
        bad[i] ^= 1 << bit;
        let m;
        try {
          m = decodeMessage(bad);
          validateMessage(m);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
          return;
        }
        // Accepted: then the flip hit a field the receiver does not check, never the payload
        // (publication messages are exempt from validation by spec 4.7 and carry nothing).
        if (m.messageType === MessageType.PausePublication || m.messageType === MessageType.StartPublication) return;
        expect(m.payload.equals(f.payload)).toBe(true);
      }),
      RUNS,
    );
  });

  it('payload parsers throw only ProtocolError on junk', () => {
    const parsers = [parseAcknowledge, parseSize, parseFlag, parseHandshakeRequest, parseHandshakeResponse, parseHandshakeComplete, parseEncChallenge, parseExitCode, parseOpenDataChannel, parseChannelClosed];
    const junk = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      fc.json().map((j) => Buffer.from(j)),
      fc.constantFrom('null', '[]', '{"AcknowledgedMessageSequenceNumber":"x"}', '{"RequestedClientActions":[null,1,{}]}', '{"cols":-1,"rows":2}').map((s) => Buffer.from(s)),
    );
    fc.assert(
      fc.property(junk, (b) => {
        for (const p of parsers) onlyProtocolErrors(() => p(b));
      }),
      RUNS,
    );
  });

  it('AES-GCM open of random bytes fails with ProtocolError only', () => {
    const c = new KmsCipher(Buffer.alloc(64, 1), 'client');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (a) => {
        expect(() => c.decrypt(Buffer.from(a))).toThrow(ProtocolError);
      }),
      RUNS,
    );
  });
});

describe('channel properties', () => {
  const agentData = (seq: number, payload: Buffer, type = PayloadType.Output): Buffer =>
    encodeMessage({ messageType: MessageType.OutputStreamData, sequenceNumber: seq, payloadType: type, payload });

  it('any arrival order with duplicates delivers 0..n-1 exactly once, in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }).chain((n) =>
          fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }), fc.array(fc.nat({ max: n - 1 }), { maxLength: 30 })),
        ),
        ([n, order, dups]) => {
          const ch = new DataChannel({ role: 'client', resendTickMs: 0 });
          const sock = new FakeSocket();
          ch.attach(sock);
          const got: number[] = [];
          ch.on('data', (m) => void got.push(m.payload.readUInt16BE(0)));
          const frame = (i: number): Buffer => {
            const p = Buffer.alloc(2);
            p.writeUInt16BE(i);
            return agentData(i, p);
          };
          for (const i of [...order, ...dups]) sock.deliver(frame(i));
          expect(got).toEqual([...Array(n).keys()]);
          expect(ch.stats().outOfOrder).toBe(0);
          ch.close();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('hostile input: random/corrupt frames, wild sequence numbers, bogus acks: no throw, bounded buffers', () => {
    const input = fc.array(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
        fc.record({ seq: fc.nat({ max: Number.MAX_SAFE_INTEGER }), p: fc.uint8Array({ minLength: 1, maxLength: 50 }) }).map(({ seq, p }) => agentData(seq, Buffer.from(p))),
        fc.tuple(fc.nat({ max: 200 }), fc.nat({ max: 12 })).map(([seq, type]) => agentData(seq, Buffer.from('x'), type)),
        fc.nat({ max: 100 }).map((seq) => encodeAcknowledge({ messageType: MessageType.InputStreamData, messageId: '00000000-0000-4000-8000-000000000000', sequenceNumber: seq })),
        fc.constantFrom(MessageType.PausePublication, MessageType.StartPublication, MessageType.ChannelClosed).map((t) => encodeMessage({ messageType: t, sequenceNumber: 0, payload: Buffer.from('{') })),
        fc.tuple(fc.nat({ max: 200 }), fc.nat()).map(([seq, pos]) => {
          const f = agentData(seq, Buffer.from('payload'));
          f[pos % f.length] ^= 0x40;
          return f;
        }),
      ),
      { maxLength: 200 },
    );
    fc.assert(
      fc.property(input, fc.boolean(), fc.boolean(), (frames, encrypted, slowReader) => {
        const limit = 16;
        const ch = new DataChannel({ role: 'client', resendTickMs: 0, receiveBufferLimit: limit });
        if (encrypted) ch.setCipher(new KmsCipher(Buffer.alloc(64, 9), 'client'));
        const sock = new FakeSocket();
        ch.attach(sock);
        ch.on('data', () => (slowReader ? false : undefined));
        ch.sendOutput(Buffer.from('hello'));
        for (const f of frames) ch.receive(f);
        ch.tick();
        const s = ch.stats();
        expect(s.outOfOrder).toBeLessThanOrEqual(limit + 1);
        expect(s.inFlight).toBeLessThanOrEqual(1);
        ch.close();
      }),
      { numRuns: 200 },
    );
  });
});
