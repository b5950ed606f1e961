// The browser host's end of the data path: binary WebSocket frames, each tagged with the
// stream number the page chose when it opened the stream (src/shared/terminal-stream.ts).
// Each connection gets its own set of streams, so a session's output reaches only the
// pages that opened a stream for it. Every frame is checked cheaply where it enters
// (length, kind, stream, payload); a bad one is dropped and reported, and closes nothing.
import type { HatchHost } from '../main/host';
import type { TerminalAttachment } from '../main/sessions/session-output';
import { HatchError } from '../shared/contract';
import { FRAME_HEADER_BYTES, FrameKind, MAX_INPUT_CHARS, MAX_SESSION_ID_CHARS, readAckPayload, readFrameHeader } from '../shared/terminal-stream';

interface TerminalFrames {
  /** One binary frame from the page. */
  receive(frame: Buffer): void;
  /** The connection closed: detach every stream it had open. */
  close(): void;
}

/** Most streams one connection may have open (a window shows a few dozen terminals at most). */
const MAX_STREAMS = 1024;

export function serveTerminalFrames(
  host: Pick<HatchHost, 'openTerminal'>,
  send: (frame: Buffer) => void,
  onBadFrame: (why: string) => void = () => undefined,
): TerminalFrames {
  const streams = new Map<number, TerminalAttachment>();
  let closed = false;

  const textFrame = (kind: FrameKind, stream: number, text: string): Buffer => {
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + Buffer.byteLength(text));
    frame[0] = kind;
    frame.writeUInt32BE(stream, 1);
    frame.write(text, FRAME_HEADER_BYTES);
    return frame;
  };

  const open = (stream: number, sessionId: string) => {
    if (streams.has(stream)) return onBadFrame(`stream ${stream} is already open`);
    if (streams.size >= MAX_STREAMS) return send(textFrame(FrameKind.end, stream, 'Too many terminals are open in this window.'));
    let ended = false;
    try {
      const attachment = host.openTerminal(sessionId, {
        output: (data) => {
          if (!closed && !ended) send(textFrame(FrameKind.output, stream, data));
        },
        end: (reason) => {
          if (closed || ended) return;
          ended = true;
          streams.delete(stream);
          send(textFrame(FrameKind.end, stream, reason));
        },
      });
      if (!ended) streams.set(stream, attachment);
    } catch (error) {
      send(textFrame(FrameKind.end, stream, error instanceof HatchError ? error.message : 'The terminal could not be opened.'));
    }
  };

  return {
    receive(frame) {
      if (closed) return;
      const header = readFrameHeader(frame);
      if (!header) return onBadFrame(`a frame of ${frame.byteLength} bytes has no header`);
      const { kind, stream } = header;
      const text = () => frame.toString('utf8', FRAME_HEADER_BYTES);
      if (kind === FrameKind.open) {
        const payload = frame.byteLength - FRAME_HEADER_BYTES;
        if (payload === 0 || payload > MAX_SESSION_ID_CHARS) return onBadFrame(`open: a session id of ${payload} bytes`);
        return open(stream, text());
      }
      const attachment = streams.get(stream);
      if (!attachment) return onBadFrame(`frame kind ${kind} for stream ${stream}, which is not open`);
      switch (kind) {
        case FrameKind.input: {
          // UTF-8 is at most 3 bytes per UTF-16 unit; a longer frame cannot be a valid piece.
          if (frame.byteLength - FRAME_HEADER_BYTES > MAX_INPUT_CHARS * 3) return onBadFrame(`input of ${frame.byteLength} bytes`);
          return attachment.input(text());
        }
        case FrameKind.ack: {
          const chars = readAckPayload(frame);
          if (chars === null || !attachment.ack(chars)) return onBadFrame(`ack ${chars ?? `of ${frame.byteLength} bytes`} refused`);
          return;
        }
        case FrameKind.close:
          streams.delete(stream);
          return attachment.close();
        default:
          return onBadFrame(`unknown frame kind ${kind}`);
      }
    },
    close() {
      closed = true;
      for (const attachment of streams.values()) attachment.close();
      streams.clear();
    },
  };
}
