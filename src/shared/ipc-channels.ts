// The Electron IPC channel names, written once: one channel for calls, one for events, and
// two for the terminals' data path (a page asks for a session's stream; main answers with a
// MessagePort). Kept apart from contract.ts so the preload bundle stays tiny (no zod in it).
import type { HatchBridge } from './contract';

export const ipcChannels = {
  call: 'hatch:call',
  event: 'hatch:event',
  terminalOpen: 'hatch:terminal-open',
  terminalPort: 'hatch:terminal-port',
} as const;

/** What the preload exposes: the contract's bridge, plus asking main for a terminal's port. */
export interface ElectronBridge extends HatchBridge {
  /** Main answers with a port for `sessionId`, tagged with the page's `stream` number. */
  openTerminal(sessionId: string, stream: number): void;
}

/**
 * How the preload hands a session's MessagePort to the page: contextBridge cannot carry a
 * port, so the preload posts this message to its own window (to the app's origin only) with
 * the port transferred, as Electron's MessagePort guide does.
 */
export const terminalPortMessage = 'hatch:terminal-port' as const;

export interface TerminalPortMessage {
  type: typeof terminalPortMessage;
  sessionId: string;
  stream: number;
}

export function isTerminalPortMessage(data: unknown): data is TerminalPortMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { type?: unknown }).type === terminalPortMessage &&
    typeof (data as { sessionId?: unknown }).sessionId === 'string' &&
    Number.isSafeInteger((data as { stream?: unknown }).stream)
  );
}
