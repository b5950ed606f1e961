// Port forwarding from the GUI. A tunnel owns ONE local TCP listener and a pool of 1–8
// Session Manager port sessions (basic or smux, chosen by the agent's version); each
// accepted connection goes to the session with the fewest open connections. The agent
// paces every session to ~1 MB/s downstream (spec 9.6), so a pool multiplies what
// parallel connections get, and in basic mode (one connection per session at a time) it
// is what makes connections parallel at all. Bytes flow main ↔ socket only; the renderer
// gets counters once a second. A session that ends unexpectedly is replaced while the
// rest of the pool keeps serving; the local port stays bound throughout.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { HatchError, isLoopbackBind, MAX_TUNNEL_POOL, type EventName, type EventPayload, type TunnelInfo, type TunnelStats } from '../../shared/contract';
import type { DataChannelClient } from '../../protocol/client';
import { openSession, ssmSessionCalls, terminateOnce, type StartedSession } from '../../protocol/opener';
import { startPortSession, type PortSession } from '../../protocol/port-session';
import { describeAwsError } from '../sessions/aws-errors';

interface TunnelRequest {
  profile: string;
  region: string;
  target: string;
  remotePort: number;
  remoteHost?: string;
  localPort: number;
  bindAddress: string;
  /** Confirmed by the person: required for a bind address other than loopback. */
  exposeToNetwork?: boolean;
  label?: string;
  /** Port sessions behind the local port, 1–8. Default 1. */
  poolSize?: number;
}

interface TunnelServiceOptions {
  ssm(profile: string, region: string): Promise<SSMClient>;
  emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  statsIntervalMs?: number;
  /** Attempts, per session of the pool, to replace a session that ended before giving up. */
  maxRestarts?: number;
  /** The profile's upload pacing ("AWS-compatible pacing" switch); default adaptive. */
  pacing?: (profile: string) => 'adaptive' | 'aws';
}

/** Local connections waiting while no session of the pool is up; more are refused. */
const MAX_PENDING = 256;

/** One live session of a pool. */
interface Member {
  slot: number;
  sessionId: string;
  client: DataChannelClient;
  port: PortSession;
  resuming: boolean;
  /** Local connections handed to this session and not closed yet (queued ones included). */
  active: number;
  total: number;
  retired: boolean;
}

interface Tunnel {
  info: TunnelInfo;
  request: TunnelRequest;
  server: net.Server | null;
  /** By slot; null while that slot's session is (re)opening or given up. */
  members: Array<Member | null>;
  /** Replacement attempts per slot. */
  restarts: number[];
  /** Slots whose replacement loop is running. */
  replacing: Set<number>;
  /** Accepted while no session was up; handed out as soon as one is. */
  pending: net.Socket[];
  /** Bumped by stop/restart: work begun for an older generation is abandoned. */
  generation: number;
  stopping: boolean;
  /** tunnels.changed goes out only once start() succeeded: a failed start leaves no row behind. */
  announced: boolean;
  openSockets: number;
  accepted: number;
  /** Counters of sessions that have ended, so the tunnel's totals never go backwards. */
  retired: { up: number; down: number; errors: number };
  last: { up: number; down: number; at: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class TunnelService {
  private readonly tunnels = new Map<string, Tunnel>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: TunnelServiceOptions) {
    this.timer = setInterval(() => this.publishStats(), options.statsIntervalMs ?? 1000);
    this.timer.unref();
  }

  list(): TunnelInfo[] {
    return [...this.tunnels.values()].map((t) => t.info);
  }

  async start(request: TunnelRequest): Promise<TunnelInfo> {
    // A renderer bug or a forged call must not open a port to the network unasked.
    if (!isLoopbackBind(request.bindAddress) && request.exposeToNetwork !== true) {
      throw new HatchError(
        'BadRequest',
        `Binding to ${request.bindAddress} makes the local port reachable from other machines, and Hatch was not told you confirmed that.`,
        'Confirm it in the tunnel dialog, or bind to 127.0.0.1.',
      );
    }
    const poolSize = Math.min(MAX_TUNNEL_POOL, Math.max(1, Math.trunc(request.poolSize ?? 1)));
    const id = randomUUID();
    const tunnel: Tunnel = {
      info: {
        id,
        label: request.label ?? `${request.remoteHost ?? request.target}:${request.remotePort}`,
        profile: request.profile,
        region: request.region,
        target: request.target,
        remoteHost: request.remoteHost ?? null,
        remotePort: request.remotePort,
        bindAddress: request.bindAddress,
        localPort: request.localPort,
        state: 'starting',
        mode: null,
        awsSessionId: null,
        poolSize,
        awsSessionIds: [],
        message: null,
        startedAt: Date.now(),
      },
      request,
      server: null,
      members: new Array<Member | null>(poolSize).fill(null),
      restarts: new Array<number>(poolSize).fill(0),
      replacing: new Set(),
      pending: [],
      generation: 0,
      stopping: false,
      announced: false,
      openSockets: 0,
      accepted: 0,
      retired: { up: 0, down: 0, errors: 0 },
      last: { up: 0, down: 0, at: Date.now() },
    };
    // The port is bound before any StartSession: a port in use costs no session.
    await this.listen(tunnel);
    this.tunnels.set(id, tunnel);
    try {
      await this.openPool(tunnel);
    } catch (error) {
      this.tunnels.delete(id);
      tunnel.generation++;
      await this.shutdown(tunnel, true);
      throw error;
    }
    tunnel.announced = true;
    this.update(tunnel, {});
    return tunnel.info;
  }

  async stop(id: string): Promise<void> {
    const tunnel = this.get(id);
    tunnel.stopping = true;
    tunnel.generation++;
    await this.shutdown(tunnel, true);
    this.update(tunnel, { state: 'stopped', message: null, awsSessionIds: [] });
  }

  async restart(id: string): Promise<TunnelInfo> {
    const tunnel = this.get(id);
    tunnel.stopping = true;
    tunnel.generation++;
    await this.shutdown(tunnel, true);
    tunnel.stopping = false;
    tunnel.restarts.fill(0);
    this.update(tunnel, { state: 'starting', message: null, awsSessionIds: [] });
    try {
      await this.listen(tunnel);
      await this.openPool(tunnel);
    } catch (error) {
      tunnel.generation++;
      await this.shutdown(tunnel, true);
      this.update(tunnel, { state: 'failed', message: messageOf(error) });
      throw error;
    }
    return tunnel.info;
  }

  /** Forgets a stopped or failed tunnel (a running one must be stopped first). */
  remove(id: string): void {
    const tunnel = this.get(id);
    if (tunnel.info.state !== 'stopped' && tunnel.info.state !== 'failed') {
      throw new HatchError('BadRequest', `The tunnel ${tunnel.info.label} is still ${tunnel.info.state}.`, 'Stop it first, then remove it.');
    }
    this.tunnels.delete(id);
    this.options.emit('tunnels.removed', { tunnelId: id });
  }

  async dispose(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.tunnels.keys()].map((id) => this.stop(id).catch(() => undefined)));
  }

  // ---------- the local listener ----------

  private async listen(tunnel: Tunnel): Promise<void> {
    const host = tunnel.request.bindAddress;
    const port = tunnel.info.localPort;
    // Paused until a session takes the socket; half-open kept as the session's own listener does.
    const server: net.Server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (sock) => this.accept(tunnel, server, sock));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, host, port)));
      server.listen(port, host, () => resolve());
    });
    server.removeAllListeners('error');
    server.on('error', () => undefined); // accept errors (EMFILE) are not fatal to the tunnel
    tunnel.server = server;
    const address = server.address();
    if (address && typeof address === 'object') tunnel.info = { ...tunnel.info, localPort: address.port };
  }

  private accept(tunnel: Tunnel, server: net.Server, sock: net.Socket): void {
    if (tunnel.server !== server || tunnel.stopping || tunnel.pending.length >= MAX_PENDING) {
      sock.destroy();
      return;
    }
    tunnel.accepted++;
    tunnel.openSockets++;
    // The session reports socket errors; this only keeps a queued socket from throwing.
    sock.on('error', () => undefined);
    sock.once('close', () => {
      tunnel.openSockets--;
      const i = tunnel.pending.indexOf(sock);
      if (i >= 0) tunnel.pending.splice(i, 1);
    });
    const member = this.pick(tunnel);
    if (member) this.assign(member, sock);
    else tunnel.pending.push(sock);
  }

  /** The least-loaded live session: not reconnecting, fewest open connections, then fewest so far. */
  private pick(tunnel: Tunnel): Member | null {
    let best: Member | null = null;
    for (const m of tunnel.members) {
      if (!m || m.retired || m.port.isClosed) continue;
      if (!best || compareLoad(m, best) < 0) best = m;
    }
    return best;
  }

  private assign(member: Member, sock: net.Socket): void {
    member.active++;
    member.total++;
    sock.once('close', () => member.active--);
    try {
      member.port.adopt(sock);
    } catch {
      sock.destroy();
    }
  }

  private drainPending(tunnel: Tunnel): void {
    while (tunnel.pending.length) {
      const member = this.pick(tunnel);
      if (!member) return;
      const sock = tunnel.pending.shift()!;
      if (!sock.destroyed) this.assign(member, sock);
    }
  }

  // ---------- the pool ----------

  /** Opens every slot at once. Fails only if none opens; failed slots are retried in the background. */
  private async openPool(tunnel: Tunnel): Promise<void> {
    const generation = tunnel.generation;
    const results = await Promise.allSettled(tunnel.members.map((_, slot) => this.openSlot(tunnel, slot, generation)));
    if (tunnel.generation !== generation) return;
    const failures = results.flatMap((r, slot) => (r.status === 'rejected' ? [{ slot, error: r.reason as unknown }] : []));
    if (failures.length === results.length) throw failures[0].error;
    for (const { slot, error } of failures) void this.replace(tunnel, slot, generation, messageOf(error));
    this.refresh(tunnel);
  }

  private async openSlot(tunnel: Tunnel, slot: number, generation: number): Promise<void> {
    const { request } = tunnel;
    const ssm = await this.options.ssm(request.profile, request.region);
    const documentName = request.remoteHost ? 'AWS-StartPortForwardingSessionToRemoteHost' : 'AWS-StartPortForwardingSession';
    const parameters: Record<string, string[]> = { portNumber: [String(request.remotePort)], localPortNumber: [String(tunnel.info.localPort)] };
    if (request.remoteHost) parameters.host = [request.remoteHost];
    const calls = ssmSessionCalls(ssm);
    let started: StartedSession;
    try {
      started = await calls.start({ Target: request.target, DocumentName: documentName, Parameters: parameters });
    } catch (error) {
      throw describeAwsError(error, request);
    }
    const sessionId = started.SessionId;
    // Every clean-up path below shares this: TerminateSession goes out at most once.
    const terminate = terminateOnce(calls, sessionId);
    let client: DataChannelClient | null = null;
    try {
      ({ client } = await openSession({ calls, target: request.target, start: started, terminate, pacing: this.options.pacing?.(request.profile) ?? 'adaptive' }));
      // The tunnel's listener accepts; the session only forwards what it is handed.
      const port = await startPortSession(client, { listen: false });
      if (port.mode === 'stdio') throw new Error('the node answered with a stdio session, not port forwarding');
      if (tunnel.generation !== generation) {
        // Stopped or restarted while this session was opening.
        await port.close({ terminate: true }).catch(() => undefined);
        await client.terminate().catch(() => undefined);
        return;
      }
      const member: Member = { slot, sessionId, client, port, resuming: false, active: 0, total: 0, retired: false };
      client.on('resuming', () => {
        member.resuming = true;
        this.refresh(tunnel);
      });
      client.on('resumed', () => {
        member.resuming = false;
        this.refresh(tunnel);
      });
      port.on('connectToPortError', (err) => this.update(tunnel, { message: `The node could not connect to ${err.host ?? 'port'} ${err.remotePort}: ${err.message}` }));
      void client.ended.then((end) => this.onMemberEnded(tunnel, member, end.message || end.reason));
      tunnel.members[slot] = member;
      this.refresh(tunnel, { mode: port.mode });
      this.drainPending(tunnel);
    } catch (error) {
      client?.close();
      void terminate().catch(() => undefined);
      throw new HatchError('Unavailable', `Could not open the tunnel: ${messageOf(error)}`, 'Check the node is online and try again.');
    }
  }

  /** A session ended without the user asking: replace it; its siblings keep serving. */
  private onMemberEnded(tunnel: Tunnel, member: Member, why: string): void {
    if (member.retired) return; // stopped, restarted
    void this.retire(tunnel, member, false);
    if (tunnel.stopping) return;
    void this.replace(tunnel, member.slot, tunnel.generation, why);
  }

  private async replace(tunnel: Tunnel, slot: number, generation: number, why: string): Promise<void> {
    if (tunnel.replacing.has(slot)) return;
    tunnel.replacing.add(slot);
    const max = this.options.maxRestarts ?? 5;
    const size = tunnel.info.poolSize;
    const current = () => tunnel.generation === generation && !tunnel.stopping;
    try {
      while (current() && tunnel.restarts[slot] < max) {
        tunnel.restarts[slot]++;
        this.refresh(tunnel, {
          message: size === 1 ? `Session ended (${why}); reopening on port ${tunnel.info.localPort}…` : `Session ${slot + 1} of ${size} ended (${why}); reopening it…`,
        });
        try {
          await this.openSlot(tunnel, slot, generation);
          if (!current()) return;
          tunnel.replacing.delete(slot);
          this.refresh(tunnel, tunnel.replacing.size ? {} : { message: null });
          return;
        } catch (error) {
          why = messageOf(error);
          await sleep(Math.min(10_000, 500 * 2 ** tunnel.restarts[slot]));
        }
      }
    } finally {
      tunnel.replacing.delete(slot);
    }
    if (!current()) return;
    const live = tunnel.members.filter((m): m is Member => m !== null);
    if (live.length === 0 && tunnel.replacing.size === 0) {
      // Nothing left to serve the port: release it.
      tunnel.generation++;
      await this.shutdown(tunnel, false);
      this.update(tunnel, { state: 'failed', message: why, awsSessionIds: [] });
    } else {
      this.refresh(tunnel, { message: `Serving with ${live.length} of ${size} sessions; one could not be reopened: ${why}` });
    }
  }

  /** Takes a session out of the pool (its own connections end with it) and banks its counters. */
  private async retire(tunnel: Tunnel, member: Member, terminate: boolean): Promise<void> {
    if (member.retired) return;
    member.retired = true;
    if (tunnel.members[member.slot] === member) tunnel.members[member.slot] = null;
    const s = member.port.stats;
    tunnel.retired.up += s.bytesUp;
    tunnel.retired.down += s.bytesDown;
    tunnel.retired.errors += s.connectErrors;
    if (!tunnel.stopping) this.refresh(tunnel);
    await member.port.close({ terminate }).catch(() => undefined);
    if (terminate) await member.client.terminate().catch(() => undefined);
    else member.client.close();
  }

  /** Closes the listener, drops waiting connections and ends every session. */
  private async shutdown(tunnel: Tunnel, terminate: boolean): Promise<void> {
    const server = tunnel.server;
    tunnel.server = null;
    // 'close' comes once every accepted socket is gone, i.e. after the sessions closed theirs.
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : null;
    for (const sock of tunnel.pending.splice(0)) sock.destroy();
    const members = tunnel.members.filter((m): m is Member => m !== null);
    await Promise.all(members.map((m) => this.retire(tunnel, m, terminate)));
    if (closed) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000).unref()))]);
      clearTimeout(timer);
    }
  }

  /** Recomputes state and session ids from the pool, then applies `patch`. */
  private refresh(tunnel: Tunnel, patch: Partial<TunnelInfo> = {}): void {
    if (tunnel.stopping || tunnel.info.state === 'stopped' || tunnel.info.state === 'failed') return;
    const live = tunnel.members.filter((m): m is Member => m !== null && !m.retired);
    const state: TunnelInfo['state'] =
      live.length > 0 ? (live.every((m) => m.resuming) ? 'reconnecting' : 'open') : tunnel.info.state === 'starting' && tunnel.replacing.size === 0 ? 'starting' : 'reconnecting';
    this.update(tunnel, {
      state,
      awsSessionId: live[0]?.sessionId ?? tunnel.info.awsSessionId,
      awsSessionIds: live.map((m) => m.sessionId),
      ...patch,
    });
  }

  private publishStats(): void {
    const stats: TunnelStats[] = [];
    const now = Date.now();
    for (const tunnel of this.tunnels.values()) {
      if (!tunnel.announced || tunnel.info.state === 'stopped' || tunnel.info.state === 'failed') continue;
      let up = tunnel.retired.up;
      let down = tunnel.retired.down;
      let errors = tunnel.retired.errors;
      const sessions: TunnelStats['sessions'] = [];
      for (const m of tunnel.members) {
        if (!m || m.retired) continue;
        const s = m.port.stats;
        up += s.bytesUp;
        down += s.bytesDown;
        errors += s.connectErrors;
        sessions.push({ awsSessionId: m.sessionId, activeConnections: m.active, totalConnections: m.total, bytesUp: s.bytesUp, bytesDown: s.bytesDown });
      }
      const seconds = Math.max(0.001, (now - tunnel.last.at) / 1000);
      stats.push({
        id: tunnel.info.id,
        bytesUp: up,
        bytesDown: down,
        rateUp: Math.max(0, (up - tunnel.last.up) / seconds),
        rateDown: Math.max(0, (down - tunnel.last.down) / seconds),
        activeConnections: tunnel.openSockets,
        totalConnections: tunnel.accepted,
        connectErrors: errors,
        sessions,
      });
      tunnel.last = { up, down, at: now };
    }
    if (stats.length) this.options.emit('tunnels.stats', { stats });
  }

  private get(id: string): Tunnel {
    const tunnel = this.tunnels.get(id);
    if (!tunnel) throw new HatchError('NotFound', 'That tunnel no longer exists.', 'Refresh the tunnel list.');
    return tunnel;
  }

  private update(tunnel: Tunnel, patch: Partial<TunnelInfo>): void {
    tunnel.info = { ...tunnel.info, ...patch };
    if (tunnel.announced) this.options.emit('tunnels.changed', { tunnel: tunnel.info });
  }
}

function compareLoad(a: Member, b: Member): number {
  return Number(a.resuming) - Number(b.resuming) || a.active - b.active || a.total - b.total || a.slot - b.slot;
}

/** Binding the tunnel's port failed: say why in the user's terms. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new HatchError('BadRequest', `Local port ${port} on ${host} is already in use.`, 'Pick another local port, or 0 for any free one.');
    case 'EACCES':
      return new HatchError('BadRequest', `Hatch may not listen on port ${port} (ports below 1024 need privileges).`, 'Pick a port above 1023.');
    case 'EADDRNOTAVAIL':
    case 'EAFNOSUPPORT':
      return new HatchError('BadRequest', `This machine has no address ${host} to listen on.`, 'Pick another bind address, such as 127.0.0.1.');
    default:
      return new HatchError('Unavailable', `Could not listen on ${host}:${port}: ${error.message}`, null);
  }
}
