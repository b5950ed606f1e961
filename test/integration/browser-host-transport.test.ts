// The browser host under hostile input, through the real `hatch-web` process and real
// sockets: a frame it cannot read, a message over the limit, a reset handshake or a
// malformed path ends (at most) that one connection. After every attack, a second,
// well-behaved connection — the renderer's own bridge — must still get answers, and the
// process must still be running.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { startHatchWeb, type RunningHost } from '../e2e/host';
import { ensureHostWebBuilt } from '../helpers/built-bundle';
import { encodeFrame, rawUpgrade, type RawConnection } from '../helpers/raw-websocket';
import { createHatchApi, MAX_TERMINAL_WRITE_CHARS, type HatchApi } from '../../src/shared/contract';
import { createWebSocketBridge, MAX_WIRE_MESSAGE_BYTES, webSocketProtocols, type WebSocketBridge } from '../../src/shared/websocket-bridge';

let web: RunningHost;
let port: number;
let token: string;
let control: WebSocketBridge;
let api: HatchApi;

const origin = () => `http://127.0.0.1:${port}`;
const goodHeaders = () => ({ Host: `127.0.0.1:${port}`, Origin: origin(), 'Sec-WebSocket-Protocol': webSocketProtocols(token).join(', ') });

function bridge(): WebSocketBridge {
  return createWebSocketBridge(new WebSocket(`ws://127.0.0.1:${port}/ws`, webSocketProtocols(token), { headers: { Origin: origin() } }) as never);
}

/** The host still answers a well-behaved connection, and the process runs. */
async function stillServing(what: string): Promise<void> {
  const nonce = randomBytes(6).toString('hex');
  const answer = await Promise.race([
    api.call('system.ping', { nonce }),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer to a ping after ${what}; hatch-web exit code ${web.exitCode()}`)), 10_000)),
  ]);
  expect(answer).toEqual({ nonce });
  expect(web.exitCode(), `hatch-web still running after ${what}`).toBeNull();
}

async function openRaw(): Promise<RawConnection> {
  const connection = await rawUpgrade(port, goodHeaders());
  expect(connection.response).toMatch(/^HTTP\/1\.1 101/);
  return connection;
}

/** Resolves with the close code, or rejects saying what it waited for. */
function closeCode(connection: RawConnection, what: string): Promise<number> {
  return Promise.race([
    connection.closed,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the host did not close the connection after ${what}`)), 10_000)),
  ]);
}

beforeAll(async () => {
  await ensureHostWebBuilt();
  web = await startHatchWeb({}, { quiet: true });
  const url = new URL(web.url);
  port = Number(url.port);
  token = url.searchParams.get('token')!;
  control = bridge();
  await control.ready;
  api = createHatchApi(control);
});

afterAll(() => {
  control?.close();
  web?.stop();
});

describe('one bad connection never ends hatch-web', () => {
  it('closes a connection that sends invalid UTF-8 (1007), only that one', async () => {
    const raw = await openRaw();
    raw.socket.write(encodeFrame({ opcode: 0x1, payload: Buffer.from([0x7b, 0xff, 0xfe, 0xc0, 0xaf, 0x7d]) }));
    expect(await closeCode(raw, 'invalid UTF-8')).toBe(1007);
    await stillServing('invalid UTF-8');
  });

  it('answers a message over the limit with 1009 and a close of that connection only', async () => {
    const raw = await openRaw();
    // Declares 5 MiB and starts sending it: refused from the header, before it is buffered.
    raw.socket.write(encodeFrame({ opcode: 0x1, payload: Buffer.alloc(64 * 1024, 0x61), declaredLength: MAX_WIRE_MESSAGE_BYTES + 1024 * 1024 }));
    expect(await closeCode(raw, 'an oversized frame')).toBe(1009);
    // The same over fragments: each small, together too large.
    const fragmented = await openRaw();
    const piece = Buffer.alloc(1024 * 1024, 0x61);
    fragmented.socket.write(encodeFrame({ opcode: 0x1, fin: false, payload: piece }));
    for (let i = 0; i < 5; i++) fragmented.socket.write(encodeFrame({ opcode: 0x0, fin: false, payload: piece }));
    expect(await closeCode(fragmented, 'an oversized fragmented message')).toBe(1009);
    await stillServing('oversized messages');
  });

  it('a 900,000-character sessions.write from the renderer is refused by its bridge, and the connection stays', async () => {
    const own = bridge();
    await own.ready;
    const ownApi = createHatchApi(own);
    // Control characters are six bytes each in JSON: 5.4 MB, over the 4 MiB message limit.
    const error = await ownApi.call('sessions.write', { sessionId: 'nope', data: '\u0001'.repeat(900_000) }).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'BadRequest', message: expect.stringContaining('larger than the 4 MiB') });
    expect(await ownApi.call('system.ping', { nonce: 'after' })).toEqual({ nonce: 'after' });
    // Within the limit, the contract caps one write; the renderer splits pastes to fit it.
    const over = await ownApi.call('sessions.write', { sessionId: 'nope', data: 'x'.repeat(MAX_TERMINAL_WRITE_CHARS + 1) }).catch((e: Error) => e);
    expect(over).toMatchObject({ code: 'BadRequest' });
    own.close();
    await stillServing('an oversized write');
  });

  it('answers GET /%zz with 400, not 500', async () => {
    const response = await fetch(`${origin()}/%zz`);
    expect(response.status).toBe(400);
    expect((await fetch(`${origin()}/assets/%E0%A4%A`)).status).toBe(400);
    await stillServing('a malformed path');
  });

  it('survives an upgrade with a malformed target and a handshake reset by the client', async () => {
    const weird = await rawUpgrade(port, goodHeaders(), 'http://[');
    expect(weird.response).toMatch(/^HTTP\/1\.1 (400|403)/);
    for (let i = 0; i < 20; i++) {
      // Refused (wrong Origin), then reset instead of closed politely.
      const refused = await rawUpgrade(port, { ...goodHeaders(), Origin: 'http://evil.example' });
      expect(refused.response).toMatch(/^HTTP\/1\.1 403/);
      refused.socket.resetAndDestroy();
      // Reset in the middle of its own handshake.
      const half = net.connect(port, '127.0.0.1');
      half.on('error', () => undefined);
      half.once('connect', () => {
        half.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${origin()}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n`);
        setTimeout(() => half.resetAndDestroy(), 5);
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    await stillServing('reset handshakes');
  });
});

// Frames as an attacker would write them: any opcode, reserved bits, lying lengths,
// unmasked, fragments out of order, control frames too long, garbage with no framing at all.
const frameArb = fc.oneof(
  fc.record({
    fin: fc.boolean(),
    rsv: fc.integer({ min: 0, max: 7 }),
    opcode: fc.integer({ min: 0, max: 15 }),
    payload: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
    mask: fc.boolean(),
    declaredLength: fc.option(fc.oneof(fc.integer({ min: 0, max: 200 }), fc.constantFrom(125, 126, 65535, 65536, 2 ** 32, 2 ** 53 - 1)), { nil: undefined }),
  }),
  // Text frames: valid JSON that is not an envelope, envelopes with junk, invalid UTF-8.
  fc.oneof(fc.json(), fc.string(), fc.constant('{"kind":"call","id":-1}')).map((text) => ({ opcode: 0x1, payload: Buffer.from(text) })),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => ({ opcode: 0x1, payload: Buffer.concat([Buffer.from('{"kind":"call","id":1,"method":"'), Buffer.from(bytes), Buffer.from([0xff])]) })),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => ({ opcode: 0x2, payload: Buffer.from(bytes) })),
  fc.integer({ min: 0, max: 65535 }).map((code) => ({ opcode: 0x8, payload: Buffer.from([code >> 8, code & 0xff, 0xc3]) })),
  fc.uint8Array({ minLength: 126, maxLength: 200 }).map((bytes) => ({ opcode: 0x9, payload: Buffer.from(bytes) })),
);
const attackArb = fc.oneof(
  { weight: 4, arbitrary: fc.array(frameArb, { minLength: 1, maxLength: 4 }).map((frames) => Buffer.concat(frames.map(encodeFrame))) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((bytes) => Buffer.from(bytes)) },
);

describe('transport fuzz', () => {
  it('thousands of random and malformed frames over hundreds of connections: the host keeps serving', async () => {
    let frames = 0;
    const attacks = fc.sample(attackArb, { numRuns: 600, seed: 1313 });
    // Several connections at a time, like a hostile page opening sockets in a loop.
    for (let at = 0; at < attacks.length; at += 20) {
      await Promise.all(
        attacks.slice(at, at + 20).map(async (bytes) => {
          const raw = await openRaw();
          frames += 1;
          raw.socket.write(bytes);
          // Either the host closes it, or it stays open waiting for more; end it ourselves then.
          await Promise.race([raw.closed, new Promise((resolve) => setTimeout(resolve, 300))]);
          raw.socket.destroy();
        }),
      );
      await stillServing(`attack batch at ${at}`);
    }
    expect(frames).toBe(600);
  });

  it('thousands of random messages on one connection: each well-formed envelope answered, the connection never closed by them', async () => {
    const own = bridge();
    await own.ready;
    // Any method name and any request: answered with a typed error or a value, never a crash.
    // Methods that act (profiles.add, sessions.start, …) would need a valid request to do
    // anything; hatch-web runs with an empty temporary HOME.
    const messages = fc.sample(fc.record({ method: fc.oneof(fc.string({ maxLength: 100 }), fc.constantFrom('system.ping', 'profiles.get', 'profiles.remove', 'sessions.write', 'terminal.ack', 'tunnels.stop')), request: fc.anything() }), { numRuns: 3000, seed: 13 });
    const results = await Promise.all(messages.map(({ method, request }) => own.invoke(method, request)));
    expect(results).toHaveLength(3000);
    for (const result of results) expect(typeof result.ok).toBe('boolean');
    expect(results.filter((r) => !r.ok && r.error.code === 'Unavailable')).toHaveLength(0);
    expect(await createHatchApi(own).call('system.ping', { nonce: 'still' })).toEqual({ nonce: 'still' });
    own.close();
    await stillServing('3000 random calls');
  });
});
