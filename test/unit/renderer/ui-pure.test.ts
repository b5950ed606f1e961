// The renderer's pure pieces: palette ranking, tab numbering, terminal colours that read.
import { describe, expect, it } from 'vitest';
import { fuzzyScore } from '../../../src/renderer/fuzzy';
import { tabLabels } from '../../../src/renderer/tab-labels';
import { ANSI_KEYS, contrastRatio, TERMINAL_THEMES } from '../../../src/renderer/terminal-theme';

describe('fuzzyScore', () => {
  it('matches characters in order, and nothing else', () => {
    expect(fuzzyScore('fwd', 'Forward port on web-1…')).toBeGreaterThan(0);
    expect(fuzzyScore('shrt', 'Keyboard shortcuts')).toBeGreaterThan(0);
    expect(fuzzyScore('xyz', 'Keyboard shortcuts')).toBe(0);
    expect(fuzzyScore('stuc', 'Keyboard shortcuts')).toBe(0); // out of order
  });

  it('ranks a prefix over a word start over a scattered match', () => {
    const prefix = fuzzyScore('set', 'Settings');
    const word = fuzzyScore('set', 'Open Settings');
    const scattered = fuzzyScore('set', 'Session manager preferences and documents');
    expect(prefix).toBeGreaterThan(word);
    expect(word).toBeGreaterThan(scattered);
    expect(scattered).toBeGreaterThan(0);
  });

  it('prefers the exact title', () => {
    expect(fuzzyScore('web-1', 'web-1')).toBeGreaterThan(fuzzyScore('web-1', 'web-1  i-0abc'));
    expect(fuzzyScore('web-1', 'web-1  i-0abc')).toBeGreaterThan(fuzzyScore('web-1', 'New session on web-1'));
  });

  it('lets the words of a query match apart', () => {
    expect(fuzzyScore('stop web', 'Stop tunnel web-1:5432')).toBeGreaterThan(0);
  });
});

describe('tabLabels', () => {
  it('numbers tabs that share a name, in order, and leaves the others alone', () => {
    const labels = tabLabels([
      { id: 'nodes', title: 'Nodes' },
      { id: 'a', title: 'web-1' },
      { id: 'b', title: 'db' },
      { id: 'c', title: 'web-1' },
      { id: 'd', title: 'web-1' },
    ]);
    expect([...labels.values()]).toEqual(['Nodes', 'web-1', 'db', 'web-1 (2)', 'web-1 (3)']);
  });
});

describe('terminal colours', () => {
  it('every ANSI colour of the light theme reads on its background (WCAG AA, 4.5:1)', () => {
    const theme = TERMINAL_THEMES.light;
    for (const key of ANSI_KEYS) {
      expect(contrastRatio(theme[key]!, theme.background!), `${key} ${theme[key]}`).toBeGreaterThanOrEqual(4.5);
    }
    expect(contrastRatio(theme.foreground!, theme.background!)).toBeGreaterThanOrEqual(7);
  });

  it('the dark theme’s colours (all but black, which is the background’s family) read too', () => {
    const theme = TERMINAL_THEMES.dark;
    for (const key of ANSI_KEYS.filter((k) => k !== 'black')) {
      expect(contrastRatio(theme[key]!, theme.background!), `${key} ${theme[key]}`).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('contrastRatio agrees with the WCAG reference values', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 1);
  });
});
