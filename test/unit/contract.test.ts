// The contract through the real WebSocket transport of the browser host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { HatchHost } from '../../src/main/host';
import { startWebHost, type WebHost } from '../../src/host-web/server';
import { createHatchApi, HatchError, type HatchApi, type HatchBridge } from '../../src/shared/contract';
import { createWebSocketBridge, webSocketProtocols, type WebSocketBridge } from '../../src/shared/websocket-bridge';

let host: HatchHost;
let web: WebHost;
let bridge: WebSocketBridge;
let api: HatchApi;

/** A client as the renderer connects: the token offered as a subprotocol (`token: null` offers none). */
function connect(headers: Record<string, string> = {}, token: string | null = web.token) {
  const protocols = token === null ? ['hatch.v1'] : webSocketProtocols(token);
  return new WebSocket(`ws://127.0.0.1:${web.port}/ws`, protocols, { headers: { Origin: `http://127.0.0.1:${web.port}`, ...headers } });
}

beforeAll(async () => {
  const rendererDir = mkdtempSync(path.join(os.tmpdir(), 'hatch-renderer-'));
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Hatch</title>');
  host = new HatchHost({ host: 'web', logError: () => undefined });
  web = await startWebHost({ host, rendererDir, port: 0 });
  bridge = createWebSocketBridge(connect() as never);
  await bridge.ready;
  api = createHatchApi(bridge);
});

afterAll(async () => {
  bridge.close();
  await web.close();
  await host.dispose();
});

describe('contract over the WebSocket transport', () => {
  it('round-trips a call with its typed response', async () => {
    const info = await api.call('system.info', {});
    expect(info.appName).toBe('Hatch');
    expect(info.host).toBe('web');
    expect(info.appVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(await api.call('system.ping', { nonce: 'abc' })).toEqual({ nonce: 'abc' });
  });

  it('answers an unknown method with a typed error', async () => {
    const result = await (bridge as HatchBridge).invoke('system.format-disk', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'UnknownMethod' } });
  });

  it('rejects a payload that fails its schema before any service sees it', async () => {
    const error = await api.call('system.ping', { nonce: 42 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HatchError);
    expect((error as HatchError).code).toBe('BadRequest');
    expect((error as HatchError).message).toContain('nonce');
    const extra = await bridge.invoke('system.info', { sneaky: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'BadRequest' } });
  });

  it('delivers events in the order they were emitted', async () => {
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      const off = api.on('system.notice', (notice) => {
        seen.push(notice.message);
        if (seen.length === 50) {
          off();
          resolve();
        }
      });
    });
    for (let i = 0; i < 50; i++) host.emit('system.notice', { level: 'info', message: `n${i}`, action: null });
    await done;
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => `n${i}`));
  });

  it('refuses an event whose payload breaks its schema', () => {
    expect(() => host.emit('system.notice', { level: 'loud' } as never)).toThrow();
  });

  it('closes the socket on a malformed frame', async () => {
    const socket = connect();
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('not json');
    expect(await closed).toBe(1007);
  });
});

describe('browser host guards', () => {
  const status = (socket: WebSocket) =>
    new Promise<number>((resolve) => {
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('open', () => resolve(101));
    });

  it('refuses the WebSocket without the token, with a wrong token, or from another origin', async () => {
    expect(await status(connect({}, null))).toBe(401);
    expect(await status(connect({}, 'wrong'))).toBe(403);
    expect(await status(connect({ Origin: 'http://evil.example' }))).toBe(403);
    expect(await status(connect({ Host: `evil.example:${web.port}` }))).toBe(403);
    // The token in the socket's URL (where the page never puts it) is not accepted either.
    const inUrl = new WebSocket(`ws://127.0.0.1:${web.port}/ws?token=${web.token}`, ['hatch.v1'], { headers: { Origin: `http://127.0.0.1:${web.port}` } });
    expect(await status(inUrl)).toBe(401);
    expect(await status(connect())).toBe(101);
  });

  it('serves the page (public code) with no cookie, refuses a wrong token in its address, and guards the files', async () => {
    const base = `http://127.0.0.1:${web.port}`;
    const first = await fetch(`${base}/?token=${web.token}`, { redirect: 'manual' });
    expect(first.status).toBe(200);
    expect(first.headers.get('set-cookie')).toBeNull();
    expect(first.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(first.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await fetch(`${base}/?token=nope`)).status).toBe(403);
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect((await fetch(`${base}/../../etc/passwd`)).status).toBe(404);
    expect((await fetch(`${base}/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
    expect((await fetch(`${base}/index.html%00.js`)).status).toBe(404);
    const rebound = await new Promise<number>((resolve, reject) =>
      http.get({ host: '127.0.0.1', port: web.port, path: '/', headers: { Host: `evil.example:${web.port}` } }, (res) => resolve(res.statusCode ?? 0)).on('error', reject),
    );
    expect(rebound).toBe(403);
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
  });
});
