// Z85 (ZeroMQ RFC 32): 4 bytes as 5 printable ASCII characters, 5/4 of the data against
// base64's 4/3. Downloads are paced per message by the agent (1 KiB + 1 ms), so the denser
// text is 6.7 % more file per message; nodes encode it with coreutils' `basenc --z85`.
// Node has no Z85 codec: this loop runs once per 5-character group, at the agent's rate.
import { TransferError } from './remote-shell';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const VALUE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/** Z85 text (a whole number of 5-character groups) to its bytes. */
export function decodeZ85(text: string): Buffer {
  if (text.length % 5 !== 0) throw new TransferError('the node sent Z85 that is not whole groups', 'PROTOCOL');
  const out = Buffer.allocUnsafe((text.length / 5) * 4);
  for (let i = 0, o = 0; i < text.length; i += 5, o += 4) {
    let value = 0;
    for (let k = 0; k < 5; k++) {
      const code = text.charCodeAt(i + k);
      const digit = code < 128 ? VALUE[code] : -1;
      if (digit < 0) throw new TransferError('the node sent a character that is not Z85', 'PROTOCOL');
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) throw new TransferError('the node sent a Z85 group out of range', 'PROTOCOL');
    out.writeUInt32BE(value, o);
  }
  return out;
}

/** Bytes (a multiple of 4 long) as Z85: for tests and for checking a node's basenc. */
export function encodeZ85(bytes: Buffer): string {
  if (bytes.length % 4 !== 0) throw new Error('Z85 encodes whole 4-byte groups');
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    let value = bytes.readUInt32BE(i);
    let group = '';
    for (let k = 0; k < 5; k++) {
      group = ALPHABET[value % 85] + group;
      value = Math.floor(value / 85);
    }
    out += group;
  }
  return out;
}
