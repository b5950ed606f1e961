// The page's side of a terminal stream (src/shared/terminal-stream.ts): frames, input cut
// into bounded pieces, acknowledgements paced every few thousand characters, a port stream
// that keeps what is typed before its port arrives.
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  ACK_EVERY_CHARS,
  ACK_IDLE_MS,
  createAckPacer,
  createPortStream,
  createTerminalStream,
  encodeFrame,
  FrameKind,
  MAX_INPUT_CHARS,
  readAckPayload,
  readFrameHeader,
  type PortLike,
} from '../../src/shared/terminal-stream';

describe('terminal stream frames', () => {
  it('encodes a 5-byte header (kind, stream number) and its payload', () => {
    const frame = encodeFrame(FrameKind.input, 0xfffffffe, 'ls\r');
    expect(readFrameHeader(frame)).toEqual({ kind: FrameKind.input, stream: 0xfffffffe });
    expect(Buffer.from(frame.subarray(5)).toString()).toBe('ls\r');
    expect(readAckPayload(encodeFrame(FrameKind.ack, 3, 123_456_789))).toBe(123_456_789);
    expect(readAckPayload(encodeFrame(FrameKind.input, 3, 'x'))).toBeNull();
    expect(readFrameHeader(new Uint8Array(4))).toBeNull();
  });
});

describe('createTerminalStream', () => {
  it('cuts a long paste into bounded pieces, never between the halves of a surrogate pair', () => {
    const sent: string[] = [];
    const { stream } = createTerminalStream('s', { input: (d) => void sent.push(d), ack: () => undefined, close: () => undefined });
    const paste = 'a'.repeat(MAX_INPUT_CHARS - 1) + '🚀' + 'b'.repeat(10);
    stream.input(paste);
    expect(sent.join('')).toBe(paste);
    expect(sent.every((part) => part.length <= MAX_INPUT_CHARS)).toBe(true);
    expect(sent[0].endsWith('a')).toBe(true);
  });

  it('delivers nothing and sends nothing after close or end', () => {
    const sent: unknown[] = [];
    const core = createTerminalStream('s', { input: (d) => void sent.push(d), ack: (n) => void sent.push(n), close: () => void sent.push('closed') });
    const got: string[] = [];
    const ends: string[] = [];
    core.stream.onOutput((d) => void got.push(d));
    core.stream.onEnd((r) => void ends.push(r));
    core.output('one');
    core.end('gone');
    core.output('two');
    core.stream.input('x');
    core.stream.close();
    expect(got).toEqual(['one']);
    expect(ends).toEqual(['gone']);
    expect(sent).toEqual([]);
  });
});

describe('createAckPacer', () => {
  function pacer() {
    const acks: number[] = [];
    let timer: (() => void) | null = null;
    const acker = createAckPacer({ ack: (n) => void acks.push(n) }, { set: (fn, ms) => (expect(ms).toBe(ACK_IDLE_MS), (timer = fn)), clear: () => (timer = null) });
    return { acker, acks, idle: () => timer?.() };
  }

  it('acknowledges a busy terminal every few thousand characters, with cumulative counts', () => {
    const { acker, acks } = pacer();
    for (let i = 0; i < 10; i++) acker.written(1000);
    // 4,096 characters unacknowledged trigger an ack of everything written so far.
    expect(ACK_EVERY_CHARS).toBe(4096);
    expect(acks).toEqual([5000, 10_000]);
  });

  it('acknowledges the rest once the terminal goes idle', () => {
    const { acker, acks, idle } = pacer();
    acker.written(10);
    acker.written(5);
    expect(acks).toEqual([]);
    idle();
    expect(acks).toEqual([15]);
  });
});

describe('createPortStream', () => {
  it('keeps what is typed before the port arrives, in order, then carries both ways', async () => {
    const { port1, port2 } = new MessageChannel();
    const entry = createPortStream('s');
    const out: string[] = [];
    entry.stream.onOutput((d) => void out.push(d));
    entry.stream.input('early');
    entry.stream.ack(3);
    const mainSide: unknown[] = [];
    port2.on('message', (data) => {
      mainSide.push(data);
      if (mainSide.length === 2) port2.postMessage('hello');
    });
    entry.connect(port1 as unknown as PortLike);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(mainSide).toEqual(['early', 3]);
    expect(out).toEqual(['hello']);
    entry.stream.close();
    port2.close();
  });
});
