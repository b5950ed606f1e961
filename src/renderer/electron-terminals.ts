// Terminal streams in the Electron app: each stream asks main for a port through the
// preload; the port comes back as a window message (contextBridge cannot carry ports),
// accepted only from this window and the app's origin. Until it arrives, keystrokes and
// acknowledgements wait in order (createPortStream).
import { isTerminalPortMessage, type ElectronBridge } from '../shared/ipc-channels';
import { createPortStream, MAX_STREAM_NUMBER, type PortLike, type TerminalStreams } from '../shared/terminal-stream';

/** The parts of `window` this needs (a test passes a stand-in). */
export interface PortWindow {
  location: { origin: string };
  addEventListener(type: 'message', listener: (event: { data: unknown; origin: string; source: unknown; ports: readonly PortLike[] }) => void): void;
}

export function createElectronTerminals(bridge: Pick<ElectronBridge, 'openTerminal'>, win: PortWindow): TerminalStreams {
  const waiting = new Map<number, ReturnType<typeof createPortStream>>();
  let next = 1;
  win.addEventListener('message', (event) => {
    if (event.source !== win || event.origin !== win.location.origin || !isTerminalPortMessage(event.data)) return;
    const entry = waiting.get(event.data.stream);
    const port = event.ports[0];
    waiting.delete(event.data.stream);
    if (!entry || !port || entry.stream.sessionId !== event.data.sessionId) return void port?.close();
    entry.connect(port);
  });
  return {
    open(sessionId) {
      const stream = next;
      next = next >= MAX_STREAM_NUMBER ? 1 : next + 1;
      const entry = createPortStream(sessionId);
      waiting.set(stream, entry);
      bridge.openTerminal(sessionId, stream);
      return entry.stream;
    },
  };
}
