// Terminal colours per app theme. The light palette is chosen so every ANSI colour reads
// on the white background (contrast ≥ 4.5:1, WCAG AA for text; checked by a unit test):
// xterm's defaults are made for dark backgrounds (bright yellow on white is 1.2:1).
import type { ITheme } from '@xterm/xterm';

export const TERMINAL_THEMES: Record<'light' | 'dark', ITheme> = {
  dark: {
    background: '#1b1d21',
    foreground: '#d9dde3',
    cursor: '#5b8ef0',
    cursorAccent: '#1b1d21',
    selectionBackground: '#2f4470',
    black: '#3b4048',
    red: '#f0646a',
    green: '#5cc27b',
    yellow: '#e5b54a',
    blue: '#6b9cf2',
    magenta: '#c583e0',
    cyan: '#4fc1cf',
    white: '#c8ccd2',
    brightBlack: '#828a96',
    brightRed: '#ff8a8f',
    brightGreen: '#85dc9d',
    brightYellow: '#f5d27a',
    brightBlue: '#95b8f7',
    brightMagenta: '#dba6ee',
    brightCyan: '#7fd8e2',
    brightWhite: '#f2f4f7',
  },
  light: {
    background: '#ffffff',
    foreground: '#1d2024',
    cursor: '#2f6fde',
    cursorAccent: '#ffffff',
    selectionBackground: '#c8d8f8',
    black: '#1d2024',
    red: '#b3261e',
    green: '#116329',
    yellow: '#7a5a00',
    blue: '#0b57d0',
    magenta: '#8a35b0',
    cyan: '#0a6570',
    white: '#5f6670',
    brightBlack: '#4b5159',
    brightRed: '#c4291f',
    brightGreen: '#1a7436',
    brightYellow: '#876400',
    brightBlue: '#1a5fd6',
    brightMagenta: '#a02b96',
    brightCyan: '#00737f',
    brightWhite: '#6a717b',
  },
};

/** WCAG contrast ratio of two #rrggbb colours. */
export function contrastRatio(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

export const ANSI_KEYS = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white', 'brightBlack', 'brightRed', 'brightGreen', 'brightYellow', 'brightBlue', 'brightMagenta', 'brightCyan', 'brightWhite'] as const;
