// The renderer's end of the browser host's transport: the contract over one WebSocket
// (JSON text frames), and each terminal's stream as binary frames on the same socket
// (src/shared/terminal-stream.ts). Written against the WHATWG WebSocket interface so that
// tests run it with `ws` in Node.
import type { CallResult, HatchBridge, WireFromRenderer, WireToRenderer } from './contract';
import { createTerminalStream, encodeFrame, FRAME_HEADER_BYTES, FrameKind, MAX_STREAM_NUMBER, readFrameHeader, type TerminalStream, type TerminalStreams } from './terminal-stream';
import { Emitter } from './emitter';

/** The largest message either side sends or accepts; the host closes a connection that sends more (1009). */
export const MAX_WIRE_MESSAGE_BYTES = 4 * 1024 * 1024;

/** The subprotocol the browser host speaks. */
export const WIRE_PROTOCOL = 'hatch.v1';
/** The launch token travels as a second offered subprotocol (never in a cookie or a URL the page keeps). */
const TOKEN_PROTOCOL_PREFIX = 'hatch.token.';

/** What a client offers in `new WebSocket(url, protocols)`: the host picks WIRE_PROTOCOL and checks the token. */
export function webSocketProtocols(token: string): string[] {
  return [WIRE_PROTOCOL, TOKEN_PROTOCOL_PREFIX + token];
}

/** The token offered in a Sec-WebSocket-Protocol header, or null. */
export function tokenFromProtocols(header: string | undefined): string | null {
  for (const offered of (header ?? '').split(',')) {
    const value = offered.trim();
    if (value.startsWith(TOKEN_PROTOCOL_PREFIX)) return value.slice(TOKEN_PROTOCOL_PREFIX.length);
  }
  return null;
}

/** Why the host closed a connection, in words a user can act on (RFC 6455 close codes). */
function closeMessage(code: number, reason: string): string {
  switch (code) {
    case 1009:
      return 'A message to Hatch was larger than the connection allows, so Hatch closed it.';
    case 1007:
    case 1002:
    case 1003:
      return `Hatch closed the connection after a message it could not read${reason ? ` (${reason})` : ''}.`;
    case 1008:
      return `Hatch closed the connection${reason ? `: ${reason}` : ''}.`;
    default:
      return 'The connection to Hatch was lost.';
  }
}

interface SocketLike {
  readyState: number;
  binaryType: string;
  send(data: string | Uint8Array<ArrayBuffer>): void;
  close(): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export interface WebSocketBridge extends HatchBridge, TerminalStreams {
  /** Resolves when the socket is open; rejects if it closes first. */
  ready: Promise<void>;
  close(): void;
}

const OPEN = 1;
const encoder = new TextEncoder();

/** UTF-8 length of a message, measured only when it could be near the limit. */
function tooLarge(text: string): boolean {
  if (text.length * 3 <= MAX_WIRE_MESSAGE_BYTES) return false;
  return text.length > MAX_WIRE_MESSAGE_BYTES || encoder.encode(text).length > MAX_WIRE_MESSAGE_BYTES;
}

export function createWebSocketBridge(socket: SocketLike): WebSocketBridge {
  let nextId = 1;
  let lost: CallResult | null = null;
  /** Why the connection is gone, for terminal streams (null while it is up). */
  let lostReason: string | null = null;
  const pending = new Map<number, (result: CallResult) => void>();
  const subscribers = new Emitter<[name: string, payload: unknown]>();
  const queue: Array<string | Uint8Array<ArrayBuffer>> = [];
  const streams = new Map<number, { output(data: string): void; end(reason: string): void }>();
  let nextStream = 1;
  const decoder = new TextDecoder();
  socket.binaryType = 'arraybuffer';
  const sendNow = (data: string | Uint8Array<ArrayBuffer>) => {
    if (lost) return;
    if (socket.readyState === OPEN) socket.send(data);
    else queue.push(data);
  };

  const ready = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => {
      for (const text of queue.splice(0)) socket.send(text);
      resolve();
    });
    socket.addEventListener('close', (event) => {
      const message = closeMessage(event?.code ?? 1006, event?.reason ?? '');
      lost = { ok: false, error: { code: 'Unavailable', message, action: 'Reload the page.', detail: null } };
      reject(new Error(message));
      for (const [, settle] of pending) settle(lost);
      pending.clear();
      lostReason = `${message} Reload the page.`;
      for (const stream of streams.values()) stream.end(lostReason);
      streams.clear();
    });
  });
  ready.catch(() => undefined);

  socket.addEventListener('message', (event) => {
    if (event.data instanceof ArrayBuffer) return receiveFrame(new Uint8Array(event.data));
    let message: WireToRenderer;
    try {
      message = JSON.parse(String(event.data)) as WireToRenderer;
    } catch {
      return; // not ours to act on; the host only sends JSON text
    }
    if (message.kind === 'result') {
      pending.get(message.id)?.(message.result);
      pending.delete(message.id);
    } else if (message.kind === 'event') {
      subscribers.emit(message.name, message.payload);
    }
  });

  function receiveFrame(frame: Uint8Array): void {
    const header = readFrameHeader(frame);
    const stream = header && streams.get(header.stream);
    if (!stream) return; // a stream closed here while main was still sending
    const text = decoder.decode(frame.subarray(FRAME_HEADER_BYTES));
    if (header.kind === FrameKind.output) stream.output(text);
    else if (header.kind === FrameKind.end) {
      streams.delete(header.stream);
      stream.end(text);
    }
  }

  return {
    ready,
    open(sessionId): TerminalStream {
      const number = nextStream;
      nextStream = nextStream >= MAX_STREAM_NUMBER ? 1 : nextStream + 1;
      const core = createTerminalStream(sessionId, {
        input: (data) => sendNow(encodeFrame(FrameKind.input, number, data)),
        ack: (chars) => sendNow(encodeFrame(FrameKind.ack, number, chars)),
        close: () => {
          streams.delete(number);
          sendNow(encodeFrame(FrameKind.close, number));
        },
      });
      streams.set(number, core);
      if (lostReason !== null) core.end(lostReason);
      else sendNow(encodeFrame(FrameKind.open, number, sessionId));
      return core.stream;
    },
    invoke(method, request) {
      if (lost) return Promise.resolve(lost);
      const id = nextId++;
      const text = JSON.stringify({ kind: 'call', id, method, request } satisfies WireFromRenderer);
      // Refused here rather than sent: the host would close the whole connection (1009).
      if (tooLarge(text)) {
        return Promise.resolve({
          ok: false,
          error: { code: 'BadRequest', message: `The ${method} request is larger than the ${MAX_WIRE_MESSAGE_BYTES / 1024 / 1024} MiB a message may carry.`, action: 'Send it in smaller parts.', detail: null },
        });
      }
      return new Promise<CallResult>((resolve) => {
        pending.set(id, resolve);
        sendNow(text);
      });
    },
    subscribe(listener) {
      return subscribers.on(listener);
    },
    close() {
      socket.close();
    },
  };
}
