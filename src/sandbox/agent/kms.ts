// AES-256-GCM as the data channel uses it (spec 7.2): nonce(12) ‖ ciphertext ‖ tag(16), no AAD.
// The agent encrypts with bytes 0–31 of the data key and decrypts with bytes 32–63 (7.1).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { PayloadCipher } from '../../main/protocol/channel';

const NONCE = 12;
const TAG = 16;

export class AgentCipher implements PayloadCipher {
  private readonly encKey: Buffer;
  private readonly decKey: Buffer;
  // The agent's nonce is a 96-bit little-endian counter from a random start (7.2).
  private readonly nonce = randomBytes(NONCE);

  constructor(dataKey: Buffer) {
    if (dataKey.length !== 64) throw new Error(`data key must be 64 bytes, got ${dataKey.length}`);
    this.encKey = Buffer.from(dataKey.subarray(0, 32));
    this.decKey = Buffer.from(dataKey.subarray(32, 64));
  }

  encrypt(plain: Buffer): Buffer {
    const nonce = Buffer.from(this.nonce);
    // Little-endian increment: carry into the next byte while a byte wraps to 0.
    for (let i = 0; i < NONCE; i++) {
      this.nonce[i] = (this.nonce[i] + 1) & 0xff;
      if (this.nonce[i] !== 0) break;
    }
    const c = createCipheriv('aes-256-gcm', this.encKey, nonce);
    const body = c.update(plain);
    const final = c.final();
    return Buffer.concat([nonce, body, final, c.getAuthTag()]);
  }

  /** Throws when the tag does not verify. */
  decrypt(wire: Buffer): Buffer {
    if (wire.length < NONCE + TAG) throw new Error('encrypted payload too short');
    const d = createDecipheriv('aes-256-gcm', this.decKey, wire.subarray(0, NONCE));
    d.setAuthTag(wire.subarray(wire.length - TAG));
    return Buffer.concat([d.update(wire.subarray(NONCE, wire.length - TAG)), d.final()]);
  }
}
