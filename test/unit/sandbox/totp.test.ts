// RFC 6238 appendix B vectors (SHA-1 secret "12345678901234567890"), 6-digit form.
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, newTotpSecret, totp, verifyTotp } from '../../../src/sandbox/totp';

const SECRET = base32Encode(Buffer.from('12345678901234567890'));

describe('TOTP', () => {
  it('encodes base32 like RFC 4648', () => {
    expect(SECRET).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(base32Decode(SECRET).toString()).toBe('12345678901234567890');
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
  });

  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('T=%i gives %s', (t, code8) => {
    expect(totp(SECRET, t * 1000, 30, 8)).toBe(code8);
    expect(totp(SECRET, t * 1000)).toBe(code8.slice(2));
  });

  it('matches RFC 4226 HOTP values', () => {
    expect(hotp(Buffer.from('12345678901234567890'), 0)).toBe('755224');
    expect(hotp(Buffer.from('12345678901234567890'), 9)).toBe('520489');
  });

  it('accepts one step of drift either way, nothing more', () => {
    const secret = newTotpSecret();
    const t = 1_700_000_000_000;
    expect(verifyTotp(secret, totp(secret, t), t)).toBe(true);
    expect(verifyTotp(secret, totp(secret, t - 30_000), t)).toBe(true);
    expect(verifyTotp(secret, totp(secret, t + 30_000), t)).toBe(true);
    expect(verifyTotp(secret, totp(secret, t - 90_000), t)).toBe(false);
    expect(verifyTotp(secret, 'abcdef', t)).toBe(false);
  });
});
