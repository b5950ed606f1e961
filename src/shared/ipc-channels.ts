// The Electron IPC channel names, written once: one channel for calls, one for events.
// Kept apart from contract.ts so the preload bundle stays tiny (no zod in it).
export const ipcChannels = { call: 'hatch:call', event: 'hatch:event' } as const;
