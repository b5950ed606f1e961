// The browser host: the same HatchHost and renderer as the Electron app, served to a
// browser over loopback. The contract travels over one WebSocket.
//
// Guards (docs/security.md): the Host and Origin headers are checked so another site (or a
// DNS-rebound name) cannot talk to it; the WebSocket needs the random per-launch token,
// offered as a subprotocol. The token is never put in a cookie: cookies are not
// port-scoped, so every other server on 127.0.0.1 would receive it. The page and its
// assets are public code and need no token. One connection's bad frames, oversized
// messages or slow reading close that connection only.
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { WireFromRenderer, type WireToRenderer } from '../shared/contract';
import type { HatchHost } from '../main/host';
import { contentSecurityPolicy } from '../shared/csp';
import { MAX_WIRE_MESSAGE_BYTES, WIRE_PROTOCOL, tokenFromProtocols } from '../shared/websocket-bridge';
import { serveTerminalFrames } from './terminal-frames';

interface WebHostOptions {
  host: HatchHost;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** 0 = any free port. */
  port?: number;
  /** Fixed token for tests; a random one otherwise. */
  token?: string;
  /** Where a closed connection's reason is reported (never a payload); default console.warn. */
  log?: (message: string) => void;
  /** A terminal frame that was dropped (bad shape, unknown stream); default: ignored. */
  onBadFrame?: (why: string) => void;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

/**
 * A connection whose unsent output passes this is not reading (every connection receives
 * every event, terminal output included): it is closed instead of growing main's memory.
 */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** The path of a request target, decoded; null when it is not a valid origin-form path. */
function requestPath(target: string | undefined): string | null {
  if (!target || !target.startsWith('/')) return null;
  const raw = target.split(/[?#]/, 1)[0];
  try {
    return decodeURIComponent(raw);
  } catch {
    return null; // "%zz" and friends
  }
}

function requestQuery(target: string): URLSearchParams {
  const at = target.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : target.slice(at + 1).split('#', 1)[0]);
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const log = options.log ?? ((message: string) => console.warn(`[hatch-web] ${message}`));
  let port = 0;

  function tokenState(offered: string | null): 'ok' | 'missing' | 'wrong' {
    if (!offered) return 'missing';
    const bytes = Buffer.from(offered);
    return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes) ? 'ok' : 'wrong';
  }

  function hostAllowed(req: IncomingMessage): boolean {
    return req.headers.host === `127.0.0.1:${port}` || req.headers.host === `localhost:${port}`;
  }

  const server = createServer((req, res) => {
    void serveHttp(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end('Internal error');
      else res.destroy();
    });
  });

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req)) return deny(res, 403, 'Unexpected Host header.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Method not allowed.');
    const pathname = requestPath(req.url);
    if (pathname === null) return deny(res, 400, 'Malformed request path.');
    // The launch URL carries the token so a wrong one is refused early; the page then takes
    // it out of the address bar and keeps it in sessionStorage (this origin and tab only).
    const offered = requestQuery(req.url!).get('token');
    if (offered !== null && tokenState(offered) !== 'ok') return deny(res, 403, 'Wrong token for this Hatch: open the URL it printed.');
    // A finished download, fetched by the page: only with the token (it is the user's file).
    const download = /^\/transfers\/([0-9a-f-]{36})\/[^/]*$/.exec(pathname);
    if (download) {
      if (tokenState(offered) !== 'ok') return deny(res, 403, 'This file needs the launch token.');
      const file = options.host.transfers.downloadedFile(download[1]);
      const info = file ? await stat(file).catch(() => null) : null;
      if (!file || !info?.isFile()) return deny(res, 404, 'No such download (a folder, or not finished).');
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(info.size),
        'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(path.basename(file))}`,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-store',
      });
      if (req.method === 'HEAD') return void res.end();
      createReadStream(file).on('error', () => res.destroy()).pipe(res);
      return;
    }
    const relative = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
    const root = path.resolve(options.rendererDir);
    const file = path.resolve(root, relative);
    if (!file.startsWith(root + path.sep) || relative.includes('\0')) return deny(res, 404, 'Not found.');
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return deny(res, 404, 'Not found.');
    const body = await readFile(file);
    res.writeHead(200, {
      'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': contentSecurityPolicy(`ws://127.0.0.1:${port} ws://localhost:${port}`),
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_WIRE_MESSAGE_BYTES,
    // The token was checked before the upgrade; only the protocol name is echoed back.
    handleProtocols: (protocols) => (protocols.has(WIRE_PROTOCOL) ? WIRE_PROTOCOL : false),
  });
  wss.on('error', (error) => log(`WebSocket server error: ${error.message}`));

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // Node removes its own error listener from an upgraded socket: without this, a reset
    // during the handshake would end the process.
    socket.on('error', () => socket.destroy());
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    try {
      const origin = req.headers.origin;
      const originOk = origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
      if (requestPath(req.url) !== '/ws' || !hostAllowed(req) || !originOk) return refuse('403 Forbidden');
      const auth = tokenState(tokenFromProtocols(req.headers['sec-websocket-protocol']));
      if (auth !== 'ok') return refuse(auth === 'missing' ? '401 Unauthorized' : '403 Forbidden');
      wss.handleUpgrade(req, socket, head, (ws) => attach(ws, `${socket.remoteAddress}:${socket.remotePort}`));
    } catch (error) {
      log(`refused an upgrade: ${error instanceof Error ? error.message : String(error)}`);
      refuse('400 Bad Request');
    }
  });
  // A client that sends something that is not HTTP gets a 400 and only its socket is closed.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  function attach(ws: WebSocket, peer: string): void {
    const send = (message: WireToRenderer) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        log(`closed ${peer}: it stopped reading (${ws.bufferedAmount} bytes unsent)`);
        ws.close(1008, 'the page stopped reading');
        return;
      }
      ws.send(JSON.stringify(message));
    };
    const unsubscribe = options.host.subscribe((name, payload) => send({ kind: 'event', name, payload }));
    // Text frames carry the contract; binary frames are the terminals' data path. Their
    // output is bounded by flow control (each stream's unacknowledged characters).
    const terminals = serveTerminalFrames(
      options.host,
      (frame) => {
        if (ws.readyState === ws.OPEN) ws.send(frame, { binary: true });
      },
      (why) => options.onBadFrame?.(why),
    );
    ws.on('close', () => {
      unsubscribe();
      terminals.close();
    });
    // Invalid UTF-8, an oversized message, a bad opcode: `ws` has already sent the close
    // frame with the matching code (1007, 1009, 1002); this connection ends, nothing else.
    ws.on('error', (error) => log(`closed ${peer}: ${error.message}`));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return terminals.receive(Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data));
      let raw: unknown;
      try {
        raw = JSON.parse(data.toString());
      } catch {
        return ws.close(1007, 'malformed message');
      }
      const parsed = WireFromRenderer.safeParse(raw);
      if (!parsed.success) {
        // A broken envelope that still names its call is answered; one that does not is closed.
        const id = (raw as { id?: unknown } | null)?.id;
        if (!Number.isSafeInteger(id) || (id as number) < 0) return ws.close(1007, 'malformed message');
        const issue = parsed.error.issues[0];
        return send({ kind: 'result', id: id as number, result: { ok: false, error: { code: 'BadRequest', message: `Malformed call envelope at ${issue?.path.join('.') || 'its root'}.`, action: null, detail: null } } });
      }
      const message = parsed.data;
      void options.host.call(message.method, message.request).then((result) => send({ kind: 'result', id: message.id, result }));
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  server.on('error', (error) => log(`server error: ${error.message}`));
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function deny(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end(message + '\n');
}
