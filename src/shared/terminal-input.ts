// Keystrokes and pastes travel in messages of bounded size (on a terminal's stream, or as
// sessions.write calls), so a huge paste can never exceed a transport's message limit (the
// browser host closes a connection that does).
import { MAX_TERMINAL_WRITE_CHARS } from './contract';

/** `data` in order, in pieces of at most `max` UTF-16 units; a surrogate pair is never cut. */
export function splitTerminalInput(data: string, max = MAX_TERMINAL_WRITE_CHARS): string[] {
  if (data.length <= max) return [data];
  const parts: string[] = [];
  let at = 0;
  while (at < data.length) {
    let end = Math.min(at + max, data.length);
    // Do not end on a high surrogate whose low half would start the next piece.
    if (end < data.length && end - at > 1) {
      const last = data.charCodeAt(end - 1);
      if (last >= 0xd800 && last <= 0xdbff) end--;
    }
    parts.push(data.slice(at, end));
    at = end;
  }
  return parts;
}
