// KMS-encrypted sessions (spec 7): a 64-byte data key from KMS GenerateDataKey, split into one
// AES-256-GCM key per direction; wire form nonce(12) ‖ ciphertext ‖ tag(16), no AAD.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { ProtocolError } from './codec';
import type { ChannelRole, PayloadCipher } from './channel';

export const DATA_KEY_BYTES = 64;
export const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Encryption context of spec 7.1, plus the 3.3.x random-challenge entry (7.5) when present. */
export function encryptionContext(sessionId: string, targetId: string, randomChallenge?: string): Record<string, string> {
  const ctx: Record<string, string> = { 'aws:ssm:SessionId': sessionId, 'aws:ssm:TargetId': targetId };
  if (randomChallenge) ctx['aws:ssm:RandomChallenge'] = randomChallenge;
  return ctx;
}

export interface GenerateDataKeyInput {
  KeyId: string;
  NumberOfBytes: number;
  EncryptionContext: Record<string, string>;
}

export interface DataKey {
  ciphertextBlob: Buffer;
  plaintext: Buffer;
}

/** Anything that can answer GenerateDataKey (the real KMS client, or a test fake). */
export interface DataKeyProvider {
  generateDataKey(input: GenerateDataKeyInput): Promise<DataKey>;
}

/** Minimal shape of @aws-sdk/client-kms's KMSClient that we use, so tests need not build one. */
export interface KmsClientLike {
  send(command: unknown): Promise<unknown>;
}

/** Wraps a KMSClient from @aws-sdk/client-kms as a DataKeyProvider. */
export function kmsDataKeyProvider(client: KmsClientLike): DataKeyProvider {
  return {
    async generateDataKey(input) {
      let out: { CiphertextBlob?: Uint8Array; Plaintext?: Uint8Array };
      try {
        out = (await client.send(new GenerateDataKeyCommand(input))) as typeof out;
      } catch (e) {
        const err = e as Error & { name?: string };
        throw new ProtocolError('kms-error', `KMS GenerateDataKey failed: ${err.name ?? 'Error'}: ${err.message}`);
      }
      if (!out.CiphertextBlob || !out.Plaintext) throw new ProtocolError('kms-error', 'KMS GenerateDataKey returned no key');
      return { ciphertextBlob: Buffer.from(out.CiphertextBlob), plaintext: Buffer.from(out.Plaintext) };
    },
  };
}

/** Bytes 0–31 protect agent→client traffic, 32–63 client→agent (spec 7.1). */
function splitDataKey(dataKey: Buffer, role: ChannelRole): { encryptKey: Buffer; decryptKey: Buffer } {
  if (dataKey.length !== DATA_KEY_BYTES) throw new ProtocolError('bad-data-key', `data key must be ${DATA_KEY_BYTES} bytes, got ${dataKey.length}`);
  const agentKey = Buffer.from(dataKey.subarray(0, 32));
  const clientKey = Buffer.from(dataKey.subarray(32, 64));
  return role === 'client' ? { encryptKey: clientKey, decryptKey: agentKey } : { encryptKey: agentKey, decryptKey: clientKey };
}

export function aesGcmSeal(key: Buffer, plaintext: Buffer, nonce: Buffer = randomBytes(NONCE_BYTES)): Buffer {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  const body = c.update(plaintext);
  const fin = c.final();
  return Buffer.concat([nonce, body, fin, c.getAuthTag()]);
}

/** Opens nonce ‖ ciphertext ‖ tag; a wrong key or tampering throws ProtocolError('decrypt-failed'). */
export function aesGcmOpen(key: Buffer, wire: Buffer): Buffer {
  if (wire.length < NONCE_BYTES + TAG_BYTES) throw new ProtocolError('decrypt-failed', `encrypted payload of ${wire.length} bytes is too short`);
  try {
    const d = createDecipheriv('aes-256-gcm', key, wire.subarray(0, NONCE_BYTES));
    d.setAuthTag(wire.subarray(wire.length - TAG_BYTES));
    const body = d.update(wire.subarray(NONCE_BYTES, wire.length - TAG_BYTES));
    return Buffer.concat([body, d.final()]);
  } catch {
    throw new ProtocolError('decrypt-failed', 'message authentication failed: wrong session key or corrupted data');
  }
}

/** Per-session cipher installed on the DataChannel once the data key is known. */
export class KmsCipher implements PayloadCipher {
  readonly encryptKey: Buffer;
  readonly decryptKey: Buffer;
  constructor(
    dataKey: Buffer,
    readonly role: ChannelRole,
    private readonly nonce: () => Buffer = () => randomBytes(NONCE_BYTES),
  ) {
    ({ encryptKey: this.encryptKey, decryptKey: this.decryptKey } = splitDataKey(dataKey, role));
  }
  encrypt(plain: Buffer): Buffer {
    return aesGcmSeal(this.encryptKey, plain, this.nonce());
  }
  decrypt(wire: Buffer): Buffer {
    return aesGcmOpen(this.decryptKey, wire);
  }
}
