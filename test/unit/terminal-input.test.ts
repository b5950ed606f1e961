import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { splitTerminalInput } from '../../src/shared/terminal-input';
import { MAX_TERMINAL_WRITE_CHARS } from '../../src/shared/contract';

describe('splitTerminalInput', () => {
  it('keeps a keystroke whole and cuts a paste into pieces the contract accepts', () => {
    expect(splitTerminalInput('ls\r')).toEqual(['ls\r']);
    const paste = 'a'.repeat(MAX_TERMINAL_WRITE_CHARS * 2 + 5);
    const parts = splitTerminalInput(paste);
    expect(parts.map((p) => p.length)).toEqual([MAX_TERMINAL_WRITE_CHARS, MAX_TERMINAL_WRITE_CHARS, 5]);
  });

  it('rejoins to the input, never exceeds the limit and never cuts a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '\u00e9', '\u{1F600}', '\r', '\u0003'), maxLength: 400 }), fc.integer({ min: 2, max: 50 }), (text, max) => {
        const parts = splitTerminalInput(text, max);
        expect(parts.join('')).toBe(text);
        for (const part of parts) {
          expect(part.length).toBeLessThanOrEqual(max);
          expect(part).not.toMatch(/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]/);
        }
      }),
    );
  });
});
