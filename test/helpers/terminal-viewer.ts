// A window's view of one session for tests: opens the session's stream on a HatchHost
// (the replay of recent output first, then live output), acknowledges what it receives as
// a terminal that keeps up would, and collects the text.
import type { HatchHost } from '../../src/main/host';
import type { TerminalAttachment } from '../../src/main/sessions/session-output';

export interface TerminalWatch {
  readonly chunks: string[];
  text(): string;
  /** Keystrokes on the stream (one-way). */
  input(data: string): void;
  readonly attachment: TerminalAttachment;
  /** The reason main gave if it ended the stream. */
  ended(): string | null;
  close(): void;
}

export function watchTerminal(host: Pick<HatchHost, 'openTerminal'>, sessionId: string, options: { ack?: boolean } = {}): TerminalWatch {
  const chunks: string[] = [];
  let received = 0;
  let endReason: string | null = null;
  const attachment: TerminalAttachment = host.openTerminal(sessionId, {
    output: (data) => {
      chunks.push(data);
      received += data.length;
      const total = received;
      if (options.ack !== false) setImmediate(() => attachment.ack(total));
    },
    end: (reason) => (endReason = reason),
  });
  return {
    chunks,
    text: () => chunks.join(''),
    input: (data) => attachment.input(data),
    attachment,
    ended: () => endReason,
    close: () => attachment.close(),
  };
}
