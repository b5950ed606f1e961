// The Electron IPC channel names, written once: one channel for calls, one for events, one
// that carries a session's terminal MessagePort. Kept apart from contract.ts so the preload
// bundle stays tiny (no zod in it).
export const ipcChannels = { call: 'hatch:call', event: 'hatch:event', terminalPort: 'hatch:terminal-port' } as const;

/**
 * How the preload hands a session's MessagePort to the page: contextBridge cannot carry a
 * port, so the preload posts this message to its own window (to the app's origin only) with
 * the port transferred, as Electron's MessagePort guide does.
 */
export const terminalPortMessage = 'hatch:terminal-port' as const;

export interface TerminalPortMessage {
  type: typeof terminalPortMessage;
  sessionId: string;
}

export function isTerminalPortMessage(data: unknown): data is TerminalPortMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { type?: unknown }).type === terminalPortMessage &&
    typeof (data as { sessionId?: unknown }).sessionId === 'string'
  );
}
