import { describe, expect, it } from 'vitest';
import { loadVectors } from '../../helpers/vectors';
import {
  decodeMessage,
  encodeAcknowledge,
  encodeMessage,
  MessageType,
  parseAcknowledge,
  ProtocolError,
  validateMessage,
  type ClientMessage,
} from '../../../src/protocol/codec';
import {
  encodeEncChallenge,
  encodeFlag,
  parseEncChallenge,
  encodeHandshakeComplete,
  encodeHandshakeRequest,
  encodeHandshakeResponse,
  encodeOpenDataChannel,
  encodeSize,
  parseChannelClosed,
  parseExitCode,
  parseFlag,
  parseHandshakeComplete,
  parseHandshakeRequest,
  parseHandshakeResponse,
  parseSize,
} from '../../../src/protocol/payloads';
import { aesGcmOpen, KmsCipher } from '../../../src/protocol/encryption';
import { agentFeatures, answerEncChallenge, CLIENT_VERSION, processHandshakeRequest, versionGreaterThan } from '../../../src/protocol/handshake';

interface Fields {
  headerLength: number;
  messageType: string;
  schemaVersion: number;
  createdDate: number;
  sequenceNumber: number;
  flags: number;
  messageId: string;
  payloadDigest: string;
  payloadType: number;
  payloadLength: number;
  payloadHex: string;
  payloadText?: string;
}
type Case = Fields & { name: string; kind?: string; hex: string; [k: string]: unknown };

const hex = (b: Buffer): string => b.toString('hex');

function encodeFields(f: Fields): Buffer {
  return encodeMessage({
    messageType: f.messageType,
    schemaVersion: f.schemaVersion,
    createdDate: f.createdDate,
    sequenceNumber: f.sequenceNumber,
    flags: f.flags,
    messageId: f.messageId,
    payloadType: f.payloadType,
    payload: Buffer.from(f.payloadHex, 'hex'),
  });
}

function expectFields(m: ClientMessage, f: Fields): void {
  expect(m.messageType).toBe(f.messageType);
  expect(m.schemaVersion).toBe(f.schemaVersion);
  expect(m.createdDate).toBe(f.createdDate);
  expect(m.sequenceNumber).toBe(f.sequenceNumber);
  expect(m.flags).toBe(f.flags);
  expect(m.messageId).toBe(f.messageId);
  expect(hex(m.payloadDigest)).toBe(f.payloadDigest);
  expect(m.payloadType).toBe(f.payloadType);
  expect(m.headerLength).toBe(f.headerLength);
  expect(m.payloadLength).toBe(f.payloadLength);
  expect(hex(m.payload)).toBe(f.payloadHex);
}

function roundTrip(c: Fields & { hex: string }): ClientMessage {
  expect(hex(encodeFields(c))).toBe(c.hex);
  const m = decodeMessage(Buffer.from(c.hex, 'hex'));
  expectFields(m, c);
  validateMessage(m);
  return m;
}

describe('client-message.json', () => {
  const cases = loadVectors<Case & { deserializeError?: string | null; validateError?: string | null; decoded?: Fields }>('client-message.json');
  for (const c of cases.filter((x) => x.kind === 'encode')) {
    it(`encode/decode ${c.name}`, () => {
      const m = roundTrip(c);
      if (c.messageType === MessageType.ChannelClosed) {
        const cc = parseChannelClosed(m.payload);
        expect(cc.output).toBe(JSON.parse(c.payloadText ?? '{}').Output);
        expect(cc.sessionId).toBe('alice-0123456789abcdef0');
      }
      if (c.payloadType === 12) expect(parseExitCode(m.payload)).toBe(2);
    });
  }
  for (const c of cases.filter((x) => x.kind === 'decode')) {
    it(`decode ${c.name}`, () => {
      const frame = Buffer.from(c.hex, 'hex');
      if (c.deserializeError) {
        expect(() => decodeMessage(frame)).toThrow(ProtocolError);
        return;
      }
      const m = decodeMessage(frame);
      expectFields(m, c.decoded as Fields);
      if (c.name === 'payload-length-mismatch') {
        // The reference accepts this; Hatch treats it as invalid (spec 4.7 recommendation).
        expect(() => validateMessage(m)).toThrow(expect.objectContaining({ code: 'payload-length-mismatch' }));
      } else if (c.validateError) {
        expect(() => validateMessage(m)).toThrow(ProtocolError);
      } else {
        expect(() => validateMessage(m)).not.toThrow();
      }
    });
  }
  it('bad digest and zero date carry distinct codes', () => {
    const byName = new Map(cases.map((c) => [c.name, c]));
    const err = (n: string): unknown => {
      try {
        validateMessage(decodeMessage(Buffer.from(byName.get(n)!.hex, 'hex')));
      } catch (e) {
        return e;
      }
      return undefined;
    };
    expect(err('bad-digest')).toMatchObject({ code: 'bad-digest' });
    expect(err('zero-created-date')).toMatchObject({ code: 'missing-created-date' });
    expect(err('truncated-header')).toMatchObject({ code: 'truncated' });
  });
});

describe('ack.json', () => {
  const cases = loadVectors<Case & { acknowledgedMessageHex?: string }>('ack.json');
  for (const c of cases) {
    it(c.name, () => {
      const m = roundTrip(c);
      const ack = parseAcknowledge(m.payload);
      expect(ack.isSequentialMessage).toBe(true);
      if (c.acknowledgedMessageHex) {
        const of = decodeMessage(Buffer.from(c.acknowledgedMessageHex, 'hex'));
        const mine = encodeAcknowledge(of, { messageId: c.messageId, createdDate: c.createdDate });
        expect(hex(mine)).toBe(c.hex);
        expect(ack.acknowledgedMessageSequenceNumber).toBe(of.sequenceNumber);
        expect(ack.acknowledgedMessageId).toBe(of.messageId);
      }
    });
  }
});

describe('open-data-channel.json', () => {
  for (const c of loadVectors<{ name: string; json: string; hex: string; tokenValue: string; clientId: string }>('open-data-channel.json')) {
    it(c.name, () => {
      const requestId = JSON.parse(c.json).RequestId as string;
      const text = encodeOpenDataChannel({ tokenValue: c.tokenValue, clientId: c.clientId, clientVersion: '1.2.0.0', requestId });
      expect(text).toBe(c.json);
      expect(Buffer.from(text, 'utf8').toString('hex')).toBe(c.hex);
    });
  }
});

describe('size.json', () => {
  for (const c of loadVectors<Case & { cols: number; rows: number }>('size.json')) {
    it(c.name, () => {
      expect(hex(encodeSize(c.cols, c.rows))).toBe(c.payloadHex);
      const m = roundTrip(c);
      expect(parseSize(m.payload)).toEqual({ cols: c.cols, rows: c.rows });
    });
  }
});

describe('flags.json', () => {
  for (const c of loadVectors<Case>('flags.json')) {
    it(c.name, () => {
      const m = roundTrip(c);
      if (c.payloadType === 10) expect(hex(encodeFlag(parseFlag(m.payload)))).toBe(c.payloadHex);
    });
  }
});

describe('handshake.json', () => {
  type Step = { name: string; fields: Fields; hex: string; payloadJson?: unknown };
  for (const sc of loadVectors<{ name: string; steps: Step[] }>('handshake.json')) {
    for (const st of sc.steps) {
      it(`${sc.name}: ${st.name}`, () => {
        const m = roundTrip({ ...st.fields, hex: st.hex });
        const p = m.payload;
        // Re-encode typed payloads from their parsed form: byte-exact with the reference's JSON.
        switch (m.payloadType) {
          case 5:
            expect(hex(encodeHandshakeRequest(parseHandshakeRequest(p)))).toBe(hex(p));
            break;
          case 6:
            expect(hex(encodeHandshakeResponse(parseHandshakeResponse(p)))).toBe(hex(p));
            break;
          case 7:
            expect(hex(encodeHandshakeComplete(parseHandshakeComplete(p)))).toBe(hex(p));
            break;
          case 8:
          case 9:
            expect(hex(encodeEncChallenge(Buffer.from(JSON.parse(p.toString()).Challenge, 'base64')))).toBe(hex(p));
            break;
          case 3:
            expect(hex(encodeSize(parseSize(p).cols, parseSize(p).rows))).toBe(hex(p));
            break;
          default:
            if (m.messageType === MessageType.Acknowledge) expect(parseAcknowledge(p).acknowledgedMessageSequenceNumber).toBeGreaterThanOrEqual(0);
        }
      });
    }
  }
});

describe('kms-encryption.json', () => {
  type K = { kind: string; name: string; direction?: string; dataKeyPlaintextHex?: string; aesKeyHex: string; nonceHex?: string; plaintextHex?: string; wireHex: string; request?: unknown; response?: { ciphertextBlobHex: string; plaintextHex: string } };
  const cases = loadVectors<K>('kms-encryption.json');
  for (const c of cases) {
    it(c.name, async () => {
      if (c.kind === 'generate-data-key') {
        const seen: unknown[] = [];
        const outcome = await processHandshakeRequest(
          { AgentVersion: '3.3.987.0', RequestedClientActions: [{ ActionType: 'KMSEncryption', ActionParameters: { KMSKeyId: (c.request as { KeyId: string }).KeyId } }] },
          {
            sessionId: 'alice-0123456789abcdef0',
            targetId: 'i-0123456789abcdef0',
            dataKeys: {
              generateDataKey: async (input) => {
                seen.push(input);
                return { ciphertextBlob: Buffer.from(c.response!.ciphertextBlobHex, 'hex'), plaintext: Buffer.from(c.response!.plaintextHex, 'hex') };
              },
            },
          },
        );
        expect(seen).toEqual([c.request]);
        expect(outcome.cipher).toBeDefined();
        return;
      }
      if (c.kind === 'aes-gcm-reject') {
        expect(() => aesGcmOpen(Buffer.from(c.aesKeyHex, 'hex'), Buffer.from(c.wireHex, 'hex'))).toThrow(expect.objectContaining({ code: 'decrypt-failed' }));
        return;
      }
      const dataKey = Buffer.from(c.dataKeyPlaintextHex!, 'hex');
      const wire = Buffer.from(c.wireHex, 'hex');
      if (c.direction === 'client-to-agent') {
        const cipher = new KmsCipher(dataKey, 'client', () => Buffer.from(c.nonceHex!, 'hex'));
        expect(cipher.encryptKey.toString('hex')).toBe(c.aesKeyHex);
        expect(cipher.encrypt(Buffer.from(c.plaintextHex!, 'hex')).toString('hex')).toBe(c.wireHex);
        expect(new KmsCipher(dataKey, 'agent').decrypt(wire).toString('hex')).toBe(c.plaintextHex);
      } else {
        const cipher = new KmsCipher(dataKey, 'client');
        expect(cipher.decryptKey.toString('hex')).toBe(c.aesKeyHex);
        expect(cipher.decrypt(wire).toString('hex')).toBe(c.plaintextHex);
        // The wrong half must fail loudly, never yield garbage.
        expect(() => new KmsCipher(dataKey, 'agent').decrypt(wire)).toThrow(ProtocolError);
      }
    });
  }
});

describe('handshake.json shell-with-kms end to end', () => {
  type Step = { name: string; fields: Fields; hex: string; payloadJson?: unknown };
  const sc = loadVectors<{ name: string; steps: Step[]; sessionId: string; targetId: string; generateDataKeyRequest: unknown; generateDataKeyResponse: { ciphertextBlobHex: string; plaintextHex: string }; decryptedOutputText: string }>('handshake.json').find((s) => s.name === 'shell-with-kms')!;
  const step = (n: string): Step => sc.steps.find((s) => s.name === n)!;
  const provider = (seen: unknown[]) => ({
    generateDataKey: async (input: unknown) => {
      seen.push(input);
      return { ciphertextBlob: Buffer.from(sc.generateDataKeyResponse.ciphertextBlobHex, 'hex'), plaintext: Buffer.from(sc.generateDataKeyResponse.plaintextHex, 'hex') };
    },
  });

  it('reference behaviour (challenge ignored) gives the exact HandshakeResponse, challenge answer and ciphertexts', async () => {
    const req = parseHandshakeRequest(decodeMessage(Buffer.from(step('HandshakeRequest').hex, 'hex')).payload);
    // Drop the 7.5 Challenge to reproduce the reference client byte for byte.
    const kmsParams = req.RequestedClientActions[1].ActionParameters as Record<string, unknown>;
    delete kmsParams.Challenge;
    const seen: unknown[] = [];
    const out = await processHandshakeRequest(req, { sessionId: sc.sessionId, targetId: sc.targetId, clientVersion: '1.2.0.0', dataKeys: provider(seen) });
    expect(seen).toEqual([sc.generateDataKeyRequest]);
    expect(out.sessionType).toBe('Standard_Stream');
    expect(out.agentVersion).toBe('3.3.987.0');
    const resp = decodeMessage(Buffer.from(step('HandshakeResponse').hex, 'hex'));
    expect(encodeHandshakeResponse(out.response).toString()).toBe(resp.payload.toString());

    const dataKey = Buffer.from(sc.generateDataKeyResponse.plaintextHex, 'hex');
    const forced = new KmsCipher(dataKey, 'client', () => Buffer.from('101112131415161718191a1b', 'hex'));
    const challengeReq = decodeMessage(Buffer.from(step('EncChallengeRequest').hex, 'hex'));
    const answer = answerEncChallenge(forced, parseEncChallenge(challengeReq.payload));
    expect(encodeEncChallenge(answer).toString()).toBe(decodeMessage(Buffer.from(step('EncChallengeResponse').hex, 'hex')).payload.toString());

    const keystroke = new KmsCipher(dataKey, 'client', () => Buffer.from('202122232425262728292a2b', 'hex')).encrypt(Buffer.from('whoami\r'));
    expect(keystroke.toString('hex')).toBe(step('input_stream_data(encrypted)').fields.payloadHex);
    const output = decodeMessage(Buffer.from(step('output_stream_data(encrypted)').hex, 'hex'));
    expect(out.cipher!.decrypt(output.payload).toString()).toBe(sc.decryptedOutputText);
  });

  it('with the 3.3.x Challenge: adds aws:ssm:RandomChallenge and acknowledges it (7.5)', async () => {
    const req = parseHandshakeRequest(decodeMessage(Buffer.from(step('HandshakeRequest').hex, 'hex')).payload);
    const seen: { EncryptionContext: Record<string, string> }[] = [];
    const out = await processHandshakeRequest(req, { sessionId: sc.sessionId, targetId: sc.targetId, dataKeys: provider(seen as unknown[]) });
    expect(seen[0].EncryptionContext['aws:ssm:RandomChallenge']).toBe('AAECAwQFBgcICQoLDA0ODw==');
    const json = JSON.parse(encodeHandshakeResponse(out.response).toString());
    expect(json.ClientVersion).toBe(CLIENT_VERSION);
    expect(json.ProcessedClientActions[1].ActionResult.ChallengeAcknowledgement).toBe(true);
  });

  it('a wrong data key makes the challenge fail with a typed error', () => {
    const challengeReq = decodeMessage(Buffer.from(step('EncChallengeRequest').hex, 'hex'));
    const wrong = new KmsCipher(Buffer.alloc(64, 7), 'client');
    expect(() => answerEncChallenge(wrong, parseEncChallenge(challengeReq.payload))).toThrow(expect.objectContaining({ code: 'encryption-challenge-failed' }));
  });

  it('unknown actions are answered Unsupported (3) with a null result', async () => {
    const un = loadVectors<{ name: string; steps: Step[] }>('handshake.json').find((s) => s.name === 'unknown-action')!;
    const req = parseHandshakeRequest(decodeMessage(Buffer.from(un.steps[0].hex, 'hex')).payload);
    const out = await processHandshakeRequest(req, { sessionId: 's', targetId: 't' });
    expect(out.sessionType).toBe('InteractiveCommands');
    expect(out.response.ProcessedClientActions[1]).toEqual({ ActionType: 'FutureAction', ActionStatus: 3, ActionResult: null, Error: 'Unsupported action FutureAction' });
  });
});

describe('agent-versions.json', () => {
  for (const c of loadVectors<{ name: string; agentVersion: string; multiplexedPortForwarding: boolean; smuxKeepAliveDisabled: boolean; terminateSessionFlagSupported: boolean }>('agent-versions.json')) {
    it(c.name, () => {
      expect(agentFeatures(c.agentVersion)).toEqual({
        multiplexedPortForwarding: c.multiplexedPortForwarding,
        smuxKeepAliveDisabled: c.smuxKeepAliveDisabled,
        terminateSessionFlagSupported: c.terminateSessionFlagSupported,
      });
    });
  }
  it('our advertised client version passes the agent thresholds of 6.5', () => {
    expect(versionGreaterThan(CLIENT_VERSION, '1.2.331.0')).toBe(true);
  });
});
