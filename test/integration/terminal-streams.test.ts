// The browser host's data path end to end: a HatchHost against the sandbox, served by the
// real web host, and pages played by the renderer's own WebSocket bridge in Node (the
// `ws` client). Checks that a session's output reaches only the connections that opened
// its stream, that bad binary frames are dropped without closing anything, that a new
// connection (a reloaded page) gets the session back with its recent output, and that a
// session no window shows pauses with bounded memory and loses nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startWebHost, type WebHost } from '../../src/host-web/server';
import { createWebSocketBridge, webSocketProtocols, type WebSocketBridge } from '../../src/shared/websocket-bridge';
import { encodeFrame, FRAME_HEADER_BYTES, FrameKind, readFrameHeader, type TerminalStream } from '../../src/shared/terminal-stream';
import { RING_CHARS } from '../../src/main/sessions/session-output';
import { DEFAULT_MAX_BATCH_CHARS } from '../../src/main/sessions/output-batcher';
import { createAckPacer } from '../../src/shared/terminal-stream';
import type { SessionInfo } from '../../src/shared/contract';
import { plainLines, sleep, startHostHarness, waitFor, waitForAsync, type HostHarness } from '../helpers/host-harness';

let h: HostHarness;
let web: WebHost;
const badFrames: string[] = [];
const pages: Page[] = [];

beforeAll(async () => {
  h = await startHostHarness({ sandbox: { agentPacing: false }, watch: false });
  const rendererDir = mkdtempSync(path.join(os.tmpdir(), 'hatch-renderer-'));
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Hatch</title>');
  web = await startWebHost({ host: h.host, rendererDir, port: 0, onBadFrame: (why) => badFrames.push(why) });
});

afterAll(async () => {
  for (const page of pages) page.close();
  await web?.close();
  await h?.dispose();
});

/** A page: the renderer's bridge on a real socket, plus a record of every binary frame it received. */
interface Page {
  bridge: WebSocketBridge;
  socket: WebSocket;
  /** Every output frame that reached this connection: its stream number and text. */
  frames: Array<{ stream: number; text: string }>;
  close(): void;
}

async function openPage(): Promise<Page> {
  const socket = new WebSocket(`ws://127.0.0.1:${web.port}/ws`, webSocketProtocols(web.token), { headers: { Origin: `http://127.0.0.1:${web.port}` } });
  const frames: Page['frames'] = [];
  socket.on('message', (data, isBinary) => {
    if (!isBinary) return;
    const bytes = new Uint8Array(data as ArrayBuffer);
    const header = readFrameHeader(bytes)!;
    if (header.kind === FrameKind.output) frames.push({ stream: header.stream, text: Buffer.from(bytes.subarray(FRAME_HEADER_BYTES)).toString('utf8') });
  });
  const bridge = createWebSocketBridge(socket as never);
  await bridge.ready;
  const page = { bridge, socket, frames, close: () => socket.close() };
  pages.push(page);
  return page;
}

/** A terminal on a page: collects the stream's output and acknowledges it as xterm would. */
function show(page: Page, sessionId: string): { stream: TerminalStream; text(): string; ended(): string | null } {
  const stream = page.bridge.open(sessionId);
  const acks = createAckPacer(stream);
  let text = '';
  let ended: string | null = null;
  stream.onOutput((data) => {
    text += data;
    setImmediate(() => acks.written(data.length));
  });
  stream.onEnd((reason) => (ended = reason));
  return { stream, text: () => text, ended: () => ended };
}

async function startShell(node: string): Promise<SessionInfo> {
  const session = await h.call<SessionInfo>('sessions.start', { profile: 'Sandbox', region: 'us-east-1', target: h.byName(node).id, cols: 100, rows: 30, engine: 'native' });
  await waitFor(() => h.session(session.id)?.state === 'live', 20_000, `session ${session.id} to be live`);
  return session;
}

const stats = (sessionId: string) => h.call<{ bufferedChars: number; outputPaused: boolean; attachedWindows: number; replayChars: number }>('sessions.stats', { sessionId });

describe('terminal streams over the browser host', () => {
  it('sends a session’s output only to the connections that opened its stream', async () => {
    const [one, two] = await Promise.all([startShell('web-1'), startShell('web-2')]);
    const a = await openPage();
    const b = await openPage();
    const onA = show(a, one.id);
    const onB = show(b, two.id);
    await waitFor(() => /[$#] $/m.test(onA.text()) && /[$#] $/m.test(onB.text()), 20_000, 'a prompt on both pages');
    onA.stream.input('echo only-one-$((6*7))\r');
    onB.stream.input('echo only-two-$((6*7))\r');
    await waitFor(() => onA.text().includes('only-one-42') && onB.text().includes('only-two-42'), 20_000, 'each page’s echo');
    // Everything a connection received belongs to the stream it opened: nothing of the other session.
    expect(new Set(a.frames.map((f) => f.stream)).size).toBe(1);
    expect(a.frames.map((f) => f.text).join('')).not.toContain('only-two');
    expect(b.frames.map((f) => f.text).join('')).not.toContain('only-one');
    expect((await stats(one.id)).attachedWindows).toBe(1);
    // A third page that shows nothing receives no terminal frames at all.
    const c = await openPage();
    onA.stream.input('echo still-one-$((6*7))\r');
    await waitFor(() => onA.text().includes('still-one-42'), 20_000, 'the echo after a third page connected');
    await sleep(100);
    expect(c.frames).toEqual([]);
    for (const s of [one, two]) await h.call('sessions.terminate', { sessionId: s.id });
  });

  it('drops a bad frame, reports it, and keeps the connection and the stream working', async () => {
    const session = await startShell('web-1');
    const page = await openPage();
    const term = show(page, session.id);
    await waitFor(() => /[$#] $/m.test(term.text()), 20_000, 'a prompt');
    const before = badFrames.length;
    const raw = (bytes: Uint8Array) => page.socket.send(bytes, { binary: true });
    raw(new Uint8Array([1, 2])); // no header
    raw(encodeFrame(FrameKind.ack, 1, -5)); // an impossible acknowledgement
    raw(encodeFrame(FrameKind.ack, 1, 1e12)); // more than was ever sent
    raw(encodeFrame(FrameKind.input, 999, 'echo nope\r')); // a stream that is not open
    raw(new Uint8Array([99, 0, 0, 0, 1])); // an unknown kind
    raw(encodeFrame(FrameKind.open, 1, 'x'.repeat(300))); // an over-long session id
    await waitFor(() => badFrames.length >= before + 6, 5_000, 'six bad frames reported');
    expect(page.socket.readyState).toBe(WebSocket.OPEN);
    term.stream.input('echo after-bad-$((6*7))\r');
    await waitFor(() => term.text().includes('after-bad-42'), 20_000, 'the echo after the bad frames');
    expect(term.text()).not.toContain('nope');
    // A stream for a session that does not exist ends with main's reason.
    const ghost = show(page, 'no-such-session');
    await waitFor(() => ghost.ended(), 5_000, 'the unknown session’s stream to end');
    expect(ghost.ended()).toContain('no longer open');
    await h.call('sessions.terminate', { sessionId: session.id });
  });

  it('gives a reloaded page its session back: recent output replayed, shell state intact', async () => {
    const session = await startShell('bastion');
    const page = await openPage();
    const term = show(page, session.id);
    await waitFor(() => /[$#] $/m.test(term.text()), 20_000, 'a prompt');
    term.stream.input('export HATCH_KEPT=across-$((20+1)); echo set-$HATCH_KEPT\r');
    await waitFor(() => term.text().includes('set-across-21'), 20_000, 'the variable set');
    page.close(); // the page reloads: its connection goes away, the session stays
    await waitForAsync(async () => (await stats(session.id)).attachedWindows === 0, 5_000, 'the stream to detach');
    const again = await openPage();
    const back = show(again, session.id);
    await waitFor(() => back.text().includes('set-across-21'), 20_000, 'the replay of the earlier output');
    back.stream.input('echo still-$HATCH_KEPT\r');
    await waitFor(() => back.text().includes('still-across-21'), 20_000, 'the variable after the reload');
    await h.call('sessions.terminate', { sessionId: session.id });
  });

  it('pauses a session no window shows once its ring is full, holds bounded memory, and loses nothing', async () => {
    const session = await startShell('web-2');
    const page = await openPage();
    const term = show(page, session.id);
    await waitFor(() => /[$#] $/m.test(term.text()), 20_000, 'a prompt');
    const lines = 200_000; // 20 chars a line: ≈ 4 MB, four times the ring
    term.stream.input(`stty -echo; yes UNSEEN-$((6*7))-LINE | head -n ${lines}; echo UNSEEN-DONE-$((40+2))\r`);
    term.stream.close(); // the window goes away as the flood starts
    const paused = await waitForAsync(async () => {
      const s = await stats(session.id);
      return s.outputPaused && s.attachedWindows === 0 ? s : undefined;
    }, 30_000, 'the unattached session to pause');
    // Bounded: the ring plus at most a batch, sampled while it stays paused.
    const samples: number[] = [paused.replayChars];
    for (let i = 0; i < 10; i++) {
      await sleep(100);
      const s = await stats(session.id);
      expect(s.outputPaused).toBe(true);
      samples.push(s.replayChars);
    }
    expect(Math.max(...samples)).toBeLessThanOrEqual(RING_CHARS + DEFAULT_MAX_BATCH_CHARS);
    expect(samples.at(-1)).toBe(samples[0]); // nothing more arrives while paused
    // A window that attaches gets what no window has shown, then the rest: every line, intact.
    const back = show(await openPage(), session.id);
    await waitFor(() => back.text().includes('UNSEEN-DONE-42'), 60_000, 'the flood to complete after attaching');
    const got = plainLines(back.text()).filter((l) => l.startsWith('UNSEEN-'));
    const flood = got.filter((l) => l === 'UNSEEN-42-LINE');
    expect(got.filter((l) => l !== 'UNSEEN-42-LINE' && l !== 'UNSEEN-DONE-42')).toEqual([]);
    // The replay starts at a line within what the ring kept; nothing after the detach was dropped.
    expect(flood.length).toBe(lines);
    await h.call('sessions.terminate', { sessionId: session.id });
  });
});
