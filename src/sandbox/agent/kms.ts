// The agent's KMS cipher: the protocol's KmsCipher in the agent role (encrypts with bytes
// 0–31, decrypts with 32–63), with the agent's nonce scheme (spec 7.2).
import { randomBytes } from 'node:crypto';
import { KmsCipher, NONCE_BYTES } from '../../protocol/encryption';

/** A 96-bit little-endian counter from a random start, as the real agent draws nonces. */
function counterNonces(): () => Buffer {
  const n = randomBytes(NONCE_BYTES);
  return () => {
    const out = Buffer.from(n);
    for (let i = 0; i < NONCE_BYTES; i++) {
      n[i] = (n[i] + 1) & 0xff;
      if (n[i] !== 0) break; // no carry
    }
    return out;
  };
}

export function agentCipher(dataKey: Buffer): KmsCipher {
  return new KmsCipher(dataKey, 'agent', counterNonces());
}
