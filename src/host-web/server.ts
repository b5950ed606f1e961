// The browser host: the same HatchHost and renderer as the Electron app, served to a
// browser over loopback. The contract travels over one WebSocket. A random per-launch
// token guards the page and the socket; the Host and Origin headers are checked so
// another site (or a DNS-rebound name) cannot talk to it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { WireFromRenderer, type WireToRenderer } from '../shared/contract';
import type { HatchHost } from '../main/host';
import { contentSecurityPolicy } from '../shared/csp';

export interface WebHostOptions {
  host: HatchHost;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** 0 = any free port. */
  port?: number;
  /** Fixed token for tests; a random one otherwise. */
  token?: string;
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

const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  let port = 0;
  const cookieName = () => `hatch_token_${port}`;

  /** 'ok', 'missing' (401) or 'wrong' (403). */
  function authorize(req: IncomingMessage, url: URL): 'ok' | 'missing' | 'wrong' {
    const offered = url.searchParams.get('token') ?? readCookie(req.headers.cookie, cookieName());
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
    });
  });

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (!hostAllowed(req)) return deny(res, 403, 'Unexpected Host header.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Method not allowed.');
    const auth = authorize(req, url);
    if (auth !== 'ok') {
      return deny(res, auth === 'missing' ? 401 : 403, auth === 'missing' ? 'This Hatch needs its launch token: open the URL it printed.' : 'Wrong token for this Hatch.');
    }
    if (url.searchParams.has('token')) {
      // Trade the token in the URL for a cookie, then drop it from the address bar.
      res.setHeader('Set-Cookie', `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      url.searchParams.delete('token');
      res.writeHead(303, { Location: url.pathname + url.search }).end();
      return;
    }
    const relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = path.resolve(options.rendererDir, relative);
    if (!file.startsWith(path.resolve(options.rendererDir) + path.sep)) return deny(res, 404, 'Not found.');
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

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const origin = req.headers.origin;
    const originOk = origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    const auth = authorize(req, url);
    if (url.pathname !== '/ws' || !hostAllowed(req) || !originOk || auth !== 'ok') {
      const status = auth === 'missing' ? '401 Unauthorized' : '403 Forbidden';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    const send = (message: WireToRenderer) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const unsubscribe = options.host.subscribe((name, payload) => send({ kind: 'event', name, payload }));
    ws.on('close', unsubscribe);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'binary frames are not part of the contract');
      let message: WireFromRenderer;
      try {
        message = WireFromRenderer.parse(JSON.parse(data.toString()));
      } catch {
        return ws.close(1007, 'malformed message');
      }
      void options.host.call(message.method, message.request).then((result) => send({ kind: 'result', id: message.id, result }));
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
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

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}
