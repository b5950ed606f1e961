// The agent side of the sandbox's data channel (spec Appendix A): accepts the client's
// WebSocket, checks its OpenDataChannel token and runs the session behind it.
import type { IncomingMessage } from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { parseOpenDataChannel } from '../../protocol/payloads';
import type { AgentOptions, AgentSessionSpec, DataChannelAgent } from '../agent-api';
import { emptyFaultStats, type FaultStats } from './faults';
import { ApiError } from '../errors';
import { seededRandom } from '../faults';
import { AgentSession, type SessionInfo } from './session';
import { toBuffer } from './socket';

export type { SessionInfo } from './session';
export type { FaultStats } from './faults';

/** How long (real ms) a new socket has to send its OpenDataChannel frame. */
const OPEN_TIMEOUT_MS = 30_000;
/** WebSocket close code for a refused OpenDataChannel (policy violation). */
const CLOSE_REFUSED = 1008;

interface AgentStats extends FaultStats {
  sessions: number;
  activeSessions: number;
  refusedConnections: number;
}

/** DataChannelAgent plus introspection for tests and the sandbox's diagnostics. */
export interface SandboxDataChannelAgent extends DataChannelAgent {
  stats(): AgentStats;
  session(sessionId: string): SessionInfo | undefined;
}

export function createDataChannelAgent(options: AgentOptions): SandboxDataChannelAgent {
  // autoPong off: each socket answers pings itself, so a stalled (half-open) one can stay silent.
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, autoPong: false });
  const sessions = new Map<string, AgentSession>();
  const sockets = new Set<WebSocket>();
  const faultStats = emptyFaultStats();
  // A seed (`--faults seed=N`) makes fault decisions replayable.
  const seed = options.faults.seed;
  const random = typeof seed === 'number' ? seededRandom(seed) : Math.random;
  let refused = 0;
  let closed = false;

  const cutAll = (): void => {
    for (const s of sessions.values()) if (s.cut()) faultStats.cuts++;
  };
  const scale = options.timeScale > 0 ? options.timeScale : 1;
  const cutTimer = options.faults.cutEveryMs > 0 ? setInterval(cutAll, Math.max(1, options.faults.cutEveryMs / scale)) : undefined;
  const stall = (sandboxMs: number, sessionId?: string): void => {
    const ms = Math.max(1, sandboxMs / scale);
    for (const [id, s] of sessions) if ((sessionId === undefined || id === sessionId) && s.stall(ms)) faultStats.stalls++;
  };
  const { stallMs = 0, stallEveryMs = 0 } = options.faults;
  const stallTimer = stallMs > 0 && stallEveryMs > 0 ? setInterval(() => stall(stallMs), Math.max(1, stallEveryMs / scale)) : undefined;

  const refuse = (ws: WebSocket, why: string): void => {
    refused++;
    ws.close(CLOSE_REFUSED, why.slice(0, 120));
  };

  const onConnection = (session: AgentSession, ws: WebSocket, raw: Duplex): void => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => ws.terminate());
    const timer = setTimeout(() => refuse(ws, 'no OpenDataChannel'), OPEN_TIMEOUT_MS);
    ws.once('message', (data, isBinary) => {
      clearTimeout(timer);
      if (isBinary) return refuse(ws, 'expected OpenDataChannel text frame');
      let open;
      try {
        open = parseOpenDataChannel(toBuffer(data));
      } catch {
        return refuse(ws, 'malformed OpenDataChannel');
      }
      const err = session.accept(ws, open, typeof (raw as Partial<net.Socket>).cork === 'function' ? (raw as net.Socket) : undefined);
      if (err) refuse(ws, err);
    });
  };

  return {
    register(spec: AgentSessionSpec): void {
      // A request that arrives while the sandbox shuts down gets an answer, not a crash report.
      if (closed) throw new ApiError('InternalServerError', 'The sandbox is shutting down: it starts no new sessions.', 500);
      if (sessions.has(spec.sessionId)) throw new Error(`session ${spec.sessionId} is already registered`);
      const session = new AgentSession(spec, options, faultStats, random);
      sessions.set(spec.sessionId, session);
    },

    addResumeToken(sessionId: string, tokenValue: string): boolean {
      return sessions.get(sessionId)?.addToken(tokenValue) ?? false;
    },

    handleUpgrade(sessionId: string, req: IncomingMessage, socket: Duplex, head: Buffer): void {
      const session = sessions.get(sessionId);
      if (!session || closed) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (session.stalled) {
        // The network is down for this session: the connection attempt fails (reset).
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(session, ws, socket));
    },

    terminate(sessionId: string): void {
      void sessions.get(sessionId)?.end('terminated', undefined, '');
    },

    cutAll,

    stall,

    async close(): Promise<void> {
      closed = true;
      if (cutTimer) clearInterval(cutTimer);
      if (stallTimer) clearInterval(stallTimer);
      await Promise.all([...sessions.values()].map((s) => s.shutdown()));
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },

    stats(): AgentStats {
      let active = 0;
      for (const s of sessions.values()) if (!s.ended) active++;
      return { ...faultStats, sessions: sessions.size, activeSessions: active, refusedConnections: refused };
    },

    session(sessionId: string): SessionInfo | undefined {
      return sessions.get(sessionId)?.info();
    },
  };
}
