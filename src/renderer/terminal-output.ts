// A terminal's end of its session's stream: output goes straight into term.write (no React
// state, no re-render), what xterm has written is acknowledged every few thousand
// characters, keystrokes go out one-way. Open streams are listed by session, so broadcast
// input reaches the other panes' sessions on their own streams.
import { api, terminals } from './api';
import { createAckPacer, type TerminalStream } from '../shared/terminal-stream';
import { splitTerminalInput } from '../shared/terminal-input';

interface TerminalSink {
  write(data: string, written: () => void): void;
}

const open = new Map<string, TerminalStream>();

/** Show `sessionId` in `term` until close(): main's replay of recent output first, then live output. */
export function connectTerminal(sessionId: string, term: TerminalSink, onEnd: (reason: string) => void = () => undefined): { input(data: string): void; close(): void } {
  const stream = terminals.open(sessionId);
  open.set(sessionId, stream);
  const acks = createAckPacer(stream);
  stream.onOutput((data) => term.write(data, () => acks.written(data.length)));
  stream.onEnd((reason) => {
    if (open.get(sessionId) === stream) open.delete(sessionId);
    acks.dispose();
    onEnd(reason);
  });
  return {
    input: (data) => stream.input(data),
    close() {
      if (open.get(sessionId) === stream) open.delete(sessionId);
      acks.dispose();
      stream.close();
    },
  };
}

/** Keystrokes for a session of this window (broadcast to another pane), on its own stream. */
export function inputTo(sessionId: string, data: string): void {
  const stream = open.get(sessionId);
  if (stream) stream.input(data);
  else for (const part of splitTerminalInput(data)) void api.call('sessions.write', { sessionId, data: part }).catch(() => undefined);
}
