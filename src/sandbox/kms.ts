// KMS (AWS JSON 1.1, X-Amz-Target: TrentService.*): a few symmetric keys with aliases.
// Ciphertext blobs are sealed with AES-256-GCM under the key's material, with the
// encryption context as additional data, so Decrypt with another context fails.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { AuthContext } from './auth';
import type { Handler } from './context';
import { ApiError } from './errors';
import { optInt, optString, reqString, validation } from './validate';

interface KmsKey {
  keyId: string;
  description: string;
  alias: string;
  enabled: boolean;
  created: Date;
  material: Buffer;
}

const MAGIC = Buffer.from('HKMS\x01');
const IV = 12;
const TAG = 16;

/** Key ids are fixed so profiles and documents can name them; material is per sandbox. */
const SANDBOX_KEYS: { keyId: string; alias: string; description: string; enabled: boolean }[] = [
  { keyId: '6f1c9a52-3b7e-4d8a-9c21-5e0f4b7a8d13', alias: 'alias/hatch-sessions', description: 'Session Manager session encryption (Hatch sandbox)', enabled: true },
  { keyId: '0b8e2d4f-71a3-4c65-b9de-3f2a6c1e5d90', alias: 'alias/hatch-backup', description: 'Second key, for key-mismatch tests', enabled: true },
  { keyId: 'd3a7c5e1-9f2b-4e68-a1c4-7b6d0e2f8a35', alias: 'alias/hatch-disabled', description: 'Disabled key, for DisabledException tests', enabled: false },
];

function contextAad(ctx: Record<string, string> | undefined): Buffer {
  const entries = Object.entries(ctx ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(entries));
}

function checkContext(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw validation('EncryptionContext', v, 'Member must be a map of strings');
  }
  return v as Record<string, string>;
}

function blob(input: Record<string, unknown>, member: string, max: number): Buffer {
  const b64 = reqString(input, member, 8192);
  const buf = Buffer.from(b64, 'base64');
  if (buf.length < 1 || buf.length > max) throw validation(member, '<blob>', `Member must have length between 1 and ${max}`);
  return buf;
}

export class KmsService {
  readonly keys: KmsKey[];

  constructor(
    private readonly accountId: string,
    materials: Record<string, string> = {},
  ) {
    const created = new Date('2024-01-15T09:00:00Z');
    this.keys = SANDBOX_KEYS.map((k) => ({ ...k, created, material: materials[k.keyId] ? Buffer.from(materials[k.keyId], 'base64') : randomBytes(32) }));
  }

  /** For persisting across restarts of a sandbox with a data dir. */
  materials(): Record<string, string> {
    return Object.fromEntries(this.keys.map((k) => [k.keyId, k.material.toString('base64')]));
  }

  readonly handlers: Record<string, Handler> = {
    GenerateDataKey: (i, a) => this.generateDataKey(i, a, true),
    GenerateDataKeyWithoutPlaintext: (i, a) => this.generateDataKey(i, a, false),
    Encrypt: (i, a) => {
      const key = this.usableKey(reqString(i, 'KeyId'), a.region);
      const plain = blob(i, 'Plaintext', 4096);
      return { CiphertextBlob: this.seal(key, plain, checkContext(i.EncryptionContext)).toString('base64'), KeyId: this.arn(key, a.region), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },
    Decrypt: (i, a) => {
      const ct = blob(i, 'CiphertextBlob', 6144);
      const { key, plaintext } = this.open(ct, checkContext(i.EncryptionContext), optString(i, 'KeyId'), a.region);
      return { Plaintext: plaintext.toString('base64'), KeyId: this.arn(key, a.region), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },
    DescribeKey: (i, a) => ({ KeyMetadata: this.metadata(this.resolve(reqString(i, 'KeyId'), a.region), a.region) }),
    ListKeys: (i, a) => this.page(i, this.keys.map((k) => ({ KeyId: k.keyId, KeyArn: this.arn(k, a.region) })), 'Keys'),
    ListAliases: (i, a) => {
      const only = optString(i, 'KeyId');
      const keys = only ? [this.resolve(only, a.region)] : this.keys;
      return this.page(
        i,
        keys.map((k) => ({ AliasName: k.alias, AliasArn: `arn:aws:kms:${a.region}:${this.accountId}:${k.alias}`, TargetKeyId: k.keyId, CreationDate: k.created, LastUpdatedDate: k.created })),
        'Aliases',
      );
    },
  };

  private page<T>(input: Record<string, unknown>, items: T[], field: string) {
    const limit = optInt(input, 'Limit', 1, 1000) ?? 100;
    const marker = optString(input, 'Marker');
    const start = marker === undefined ? 0 : Number(Buffer.from(marker, 'base64').toString());
    if (!Number.isInteger(start) || start < 0) throw new ApiError('InvalidMarkerException', 'The marker is not valid.', 400);
    const end = start + limit;
    return { [field]: items.slice(start, end), Truncated: end < items.length, ...(end < items.length ? { NextMarker: Buffer.from(String(end)).toString('base64') } : {}) };
  }

  arn(k: KmsKey, region: string): string {
    return `arn:aws:kms:${region}:${this.accountId}:key/${k.keyId}`;
  }

  resolve(id: string, region: string): KmsKey {
    const m = /^arn:aws:kms:[^:]+:(\d{12}):(key\/.+|alias\/.+)$/.exec(id);
    const local = m ? m[2] : id;
    const key = local.startsWith('alias/') ? this.keys.find((k) => k.alias === local) : this.keys.find((k) => k.keyId === local.replace(/^key\//, ''));
    if (!key || (m && m[1] !== this.accountId)) {
      const full = local.startsWith('alias/') ? `arn:aws:kms:${region}:${this.accountId}:${local}` : id;
      throw new ApiError('NotFoundException', local.startsWith('alias/') ? `Alias ${full} is not found.` : `Key '${full}' does not exist`, 400);
    }
    return key;
  }

  private usableKey(id: string, region: string): KmsKey {
    const k = this.resolve(id, region);
    if (!k.enabled) throw new ApiError('DisabledException', `${this.arn(k, region)} is disabled.`, 400);
    return k;
  }

  private metadata(k: KmsKey, region: string) {
    return {
      AWSAccountId: this.accountId,
      KeyId: k.keyId,
      Arn: this.arn(k, region),
      CreationDate: k.created,
      Enabled: k.enabled,
      Description: k.description,
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: k.enabled ? 'Enabled' : 'Disabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    };
  }

  private generateDataKey(input: Record<string, unknown>, auth: AuthContext, withPlaintext: boolean) {
    const key = this.usableKey(reqString(input, 'KeyId'), auth.region);
    const spec = optString(input, 'KeySpec');
    const n = optInt(input, 'NumberOfBytes', 1, 1024);
    if (spec !== undefined && n !== undefined) throw new ApiError('ValidationException', 'Please specify either number of bytes or key spec.', 400);
    let bytes: number;
    if (spec === 'AES_256') bytes = 32;
    else if (spec === 'AES_128') bytes = 16;
    else if (spec !== undefined) throw validation('KeySpec', spec, 'Member must satisfy enum value set: [AES_256, AES_128]');
    else if (n !== undefined) bytes = n;
    else throw new ApiError('ValidationException', 'Please specify either number of bytes or key spec.', 400);
    const plain = randomBytes(bytes);
    const ct = this.seal(key, plain, checkContext(input.EncryptionContext));
    return { CiphertextBlob: ct.toString('base64'), ...(withPlaintext ? { Plaintext: plain.toString('base64') } : {}), KeyId: this.arn(key, auth.region) };
  }

  seal(key: KmsKey, plain: Buffer, context: Record<string, string> | undefined): Buffer {
    const iv = randomBytes(IV);
    const c = createCipheriv('aes-256-gcm', key.material, iv);
    c.setAAD(contextAad(context));
    const body = Buffer.concat([c.update(plain), c.final()]);
    return Buffer.concat([MAGIC, Buffer.from(key.keyId, 'ascii'), iv, c.getAuthTag(), body]);
  }

  /** Decrypt; a wrong context, key or tampered blob is InvalidCiphertextException as on AWS. */
  open(ct: Buffer, context: Record<string, string> | undefined, keyId?: string, region = 'us-east-1'): { key: KmsKey; plaintext: Buffer } {
    const bad = () => new ApiError('InvalidCiphertextException', 'The ciphertext is invalid, or the encryption context does not match the one used to encrypt it.', 400);
    if (ct.length < MAGIC.length + 36 + IV + TAG || !ct.subarray(0, MAGIC.length).equals(MAGIC)) throw bad();
    const id = ct.subarray(MAGIC.length, MAGIC.length + 36).toString('ascii');
    const key = this.keys.find((k) => k.keyId === id);
    if (!key) throw bad();
    if (keyId !== undefined && this.resolve(keyId, region) !== key) throw new ApiError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.', 400);
    if (!key.enabled) throw new ApiError('DisabledException', `${this.arn(key, region)} is disabled.`, 400);
    let off = MAGIC.length + 36;
    const iv = ct.subarray(off, (off += IV));
    const tag = ct.subarray(off, (off += TAG));
    try {
      const d = createDecipheriv('aes-256-gcm', key.material, iv);
      d.setAAD(contextAad(context));
      d.setAuthTag(tag);
      return { key, plaintext: Buffer.concat([d.update(ct.subarray(off)), d.final()]) };
    } catch {
      throw bad();
    }
  }
}
