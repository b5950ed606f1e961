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
/** Largest write coalesced from several batches (a single larger batch is written whole). */
const MAX_WRITE_CHARS = 64 * 1024;

/** Show `sessionId` in `term` until close(): main's replay of recent output first, then live output. */
export function connectTerminal(sessionId: string, term: TerminalSink, onEnd: (reason: string) => void = () => undefined): { input(data: string): void; close(): void } {
  const stream = terminals.open(sessionId);
  open.set(sessionId, stream);
  const acks = createAckPacer(stream);
  // One write in xterm at a time: what arrives while it parses is joined and written when it
  // calls back, so a flood reaches xterm as a few large writes (one parse pass, one callback
  // and one acknowledgement each) instead of one per batch; output after a quiet spell is
  // written at once. What waits here is bounded by main's flow control (unacknowledged chars).
  let waiting: string[] = [];
  let writing = false;
  /** The stream's end, told once the output before it is written. */
  let endReason: string | null = null;
  let closed = false;
  const writeNext = () => {
    if (closed) return;
    if (waiting.length === 0) {
      writing = false;
      if (endReason !== null) onEnd(endReason);
      endReason = null;
      return;
    }
    // Up to about the size a batch may have, so acknowledgements keep flowing while xterm works.
    let count = 1;
    let chars = waiting[0].length;
    while (count < waiting.length && chars + waiting[count].length <= MAX_WRITE_CHARS) chars += waiting[count++].length;
    const parts = count === waiting.length ? waiting : waiting.slice(0, count);
    waiting = count === waiting.length ? [] : waiting.slice(count);
    const data = parts.length === 1 ? parts[0] : parts.join('');
    writing = true;
    term.write(data, () => {
      acks.written(data.length);
      writeNext();
    });
  };
  stream.onOutput((data) => {
    waiting.push(data);
    if (!writing) writeNext();
  });
  stream.onEnd((reason) => {
    if (open.get(sessionId) === stream) open.delete(sessionId);
    acks.dispose();
    endReason = reason;
    if (!writing) writeNext();
  });
  return {
    input: (data) => stream.input(data),
    close() {
      closed = true;
      waiting = [];
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
