// A session's data path (docs/architecture.md, "Data paths that must stay fast"). Control
// calls (start, resize, terminate, lists) stay on the contract; each terminal a window
// shows gets its own stream instead: output from main as batches of text, keystrokes to
// main one-way, and cumulative acknowledgements of what the terminal has written.
//
// One interface, two carriers:
// - Electron: a MessagePort per stream (main brokers it with MessageChannelMain, the page
//   owns its end). Messages are plain values: main → page a string (output) or
//   `{ end: reason }`; page → main a string (keystrokes) or a number (the acknowledgement).
// - Browser host: binary frames on the page's one WebSocket, each with a 5-byte header
//   (kind, stream number); see FrameKind.
import { Emitter, type Unsubscribe } from './emitter';
import { MAX_TERMINAL_WRITE_CHARS } from './contract';
import { splitTerminalInput } from './terminal-input';

/** The page's end of one session's stream, whichever transport carries it. */
export interface TerminalStream {
  readonly sessionId: string;
  /** Output in order: main's replay of recent output first, then live batches. */
  onOutput(listener: (data: string) => void): Unsubscribe;
  /** Main ended the stream (the session is gone, Hatch is closing) or could not open it. */
  onEnd(listener: (reason: string) => void): Unsubscribe;
  /** Keystrokes or a paste; nothing comes back for them. Long text is sent in pieces. */
  input(data: string): void;
  /** Characters written to the terminal since the stream opened (cumulative). */
  ack(chars: number): void;
  close(): void;
}

/** Opens a stream for a session (one per terminal on screen). */
export interface TerminalStreams {
  open(sessionId: string): TerminalStream;
}

/** Longest keystroke message main accepts; the page cuts longer pastes (splitTerminalInput). */
export const MAX_INPUT_CHARS = MAX_TERMINAL_WRITE_CHARS;
export const MAX_SESSION_ID_CHARS = 200;
/** A terminal acknowledges once this many characters are written (and when it goes idle). */
export const ACK_EVERY_CHARS = 4096;
/** …or this long after the last unacknowledged write. */
export const ACK_IDLE_MS = 100;

// ── Browser host frames ──────────────────────────────────────────────────────────────

/**
 * Frame kinds. Page → main: open (payload: the session id), input (UTF-8 text), ack
 * (float64 big-endian: the cumulative count), close (empty). Main → page: output (UTF-8
 * text), end (UTF-8 reason). The stream number is chosen by the page when it opens a stream.
 */
export const FrameKind = { open: 1, input: 2, ack: 3, close: 4, output: 16, end: 17 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];
export const FRAME_HEADER_BYTES = 5;
export const MAX_STREAM_NUMBER = 0xffffffff;

function writeFrameHeader(frame: Uint8Array, kind: FrameKind, stream: number): void {
  frame[0] = kind;
  new DataView(frame.buffer, frame.byteOffset, FRAME_HEADER_BYTES).setUint32(1, stream);
}

/** The header of a frame, or null when it is too short to have one. */
export function readFrameHeader(frame: Uint8Array): { kind: number; stream: number } | null {
  if (frame.byteLength < FRAME_HEADER_BYTES) return null;
  return { kind: frame[0], stream: new DataView(frame.buffer, frame.byteOffset, FRAME_HEADER_BYTES).getUint32(1) };
}

const encoder = new TextEncoder();

/** A whole frame: text payloads as UTF-8, a number as float64. (Main encodes output with Buffer instead.) */
export function encodeFrame(kind: FrameKind, stream: number, payload: string | number | null = null): Uint8Array<ArrayBuffer> {
  if (typeof payload === 'number') {
    const frame = new Uint8Array(FRAME_HEADER_BYTES + 8);
    writeFrameHeader(frame, kind, stream);
    new DataView(frame.buffer).setFloat64(FRAME_HEADER_BYTES, payload);
    return frame;
  }
  const text = payload === null ? new Uint8Array(0) : encoder.encode(payload);
  const frame = new Uint8Array(FRAME_HEADER_BYTES + text.byteLength);
  writeFrameHeader(frame, kind, stream);
  frame.set(text, FRAME_HEADER_BYTES);
  return frame;
}

/** The float64 payload of an ack frame, or null when the frame is not exactly one. */
export function readAckPayload(frame: Uint8Array): number | null {
  if (frame.byteLength !== FRAME_HEADER_BYTES + 8) return null;
  return new DataView(frame.buffer, frame.byteOffset + FRAME_HEADER_BYTES, 8).getFloat64(0);
}

// ── Shared by both page-side implementations ───────────────────────────────────────

/** What a transport must do for a stream; the rest (listeners, cutting input) is common. */
interface StreamCarrier {
  input(data: string): void;
  ack(chars: number): void;
  close(): void;
}

/**
 * A TerminalStream over a carrier. The transport calls `output`/`end` as frames arrive.
 * After close() or an end, nothing more is sent or delivered.
 */
export function createTerminalStream(sessionId: string, carrier: StreamCarrier): { stream: TerminalStream; output(data: string): void; end(reason: string): void } {
  const outputs = new Emitter<[string]>();
  const ends = new Emitter<[string]>();
  let open = true;
  const finish = () => {
    open = false;
    outputs.clear();
    ends.clear();
  };
  const stream: TerminalStream = {
    sessionId,
    onOutput: (listener) => outputs.on(listener),
    onEnd: (listener) => ends.on(listener),
    input(data) {
      if (!open) return;
      for (const part of splitTerminalInput(data, MAX_INPUT_CHARS)) carrier.input(part);
    },
    ack(chars) {
      if (open) carrier.ack(chars);
    },
    close() {
      if (!open) return;
      finish();
      carrier.close();
    },
  };
  return {
    stream,
    output: (data) => {
      if (open) outputs.emit(data);
    },
    end: (reason) => {
      if (!open) return;
      ends.emit(reason);
      finish();
    },
  };
}

// ── Electron ports ─────────────────────────────────────────────────────────────────

/** What the page needs of a MessagePort (the DOM's, or Node's in tests). */
export interface PortLike {
  postMessage(data: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  start(): void;
  close(): void;
}

/** Main → page on a port: output, or the end of the stream. */
export type PortMessageToPage = string | { end: string };

/**
 * A stream whose port arrives later (main answers an open request by transferring it):
 * keystrokes and acknowledgements wait for the port, in order.
 */
export function createPortStream(sessionId: string): { stream: TerminalStream; connect(port: PortLike): void; fail(reason: string): void } {
  let port: PortLike | null = null;
  let waiting: unknown[] | null = [];
  const post = (message: unknown) => (port ? port.postMessage(message) : waiting?.push(message));
  let closed = false;
  const core = createTerminalStream(sessionId, {
    input: post,
    ack: post,
    close: () => {
      closed = true;
      waiting = null;
      port?.close();
    },
  });
  return {
    stream: core.stream,
    connect(next) {
      if (closed || port) return void next.close();
      port = next;
      next.addEventListener('message', ({ data }) => {
        if (typeof data === 'string') core.output(data);
        else if (typeof data === 'object' && data !== null && typeof (data as { end?: unknown }).end === 'string') {
          core.end((data as { end: string }).end);
          next.close(); // main keeps its end open until the page has read why
        }
      });
      next.start();
      for (const message of waiting ?? []) next.postMessage(message);
      waiting = null;
    },
    fail: (reason) => core.end(reason),
  };
}

// ── The page's acknowledgements ────────────────────────────────────────────────────

/**
 * Counts what a terminal has written and acknowledges it on `stream`: at once past
 * ACK_EVERY_CHARS unacknowledged characters, otherwise ACK_IDLE_MS after the last write,
 * so a busy terminal acknowledges every few thousand characters and an idle one ends
 * with nothing unacknowledged.
 */
export function createAckPacer(
  stream: Pick<TerminalStream, 'ack'>,
  timers: { set(fn: () => void, ms: number): unknown; clear(handle: unknown): void } = {
    set: (fn, ms) => setTimeout(fn, ms),
    clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  },
): { written(chars: number): void; dispose(): void } {
  let written = 0;
  let acked = 0;
  let timer: unknown = null;
  const flush = () => {
    if (timer !== null) timers.clear(timer);
    timer = null;
    if (written > acked) {
      acked = written;
      stream.ack(written);
    }
  };
  return {
    written(chars) {
      written += chars;
      if (written - acked >= ACK_EVERY_CHARS) flush();
      else if (timer === null) timer = timers.set(flush, ACK_IDLE_MS);
    },
    dispose() {
      if (timer !== null) timers.clear(timer);
      timer = null;
    },
  };
}
