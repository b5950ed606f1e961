// Port forwarding from the GUI: a local TCP listener per tunnel, each accepted connection
// a stream of a Session Manager port session (basic or smux, chosen by the agent's
// version). Bytes flow main ↔ socket only; the renderer gets counters once a second.
// A session that ends unexpectedly is started again on the same local port.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { ResumeSessionCommand, StartSessionCommand, TerminateSessionCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { HatchError, type EventName, type EventPayload, type TunnelInfo, type TunnelStats } from '../../shared/contract';
import { connectDataChannel, type DataChannelClient } from '../protocol/client';
import { startPortSession, type PortSession } from '../protocol/port-session';
import { describeAwsError } from '../sessions/aws-errors';

export interface TunnelRequest {
  profile: string;
  region: string;
  target: string;
  remotePort: number;
  remoteHost?: string;
  localPort: number;
  bindAddress: string;
  label?: string;
}

export interface TunnelServiceOptions {
  ssm(profile: string, region: string): Promise<SSMClient>;
  emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  statsIntervalMs?: number;
  /** Attempts to bring a dropped tunnel back before giving up. */
  maxRestarts?: number;
}

interface Tunnel {
  info: TunnelInfo;
  request: TunnelRequest;
  client: DataChannelClient | null;
  port: PortSession | null;
  stopping: boolean;
  restarts: number;
  last: { up: number; down: number; at: number };
}

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
    await assertPortFree(request.bindAddress, request.localPort);
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
        message: null,
        startedAt: Date.now(),
      },
      request,
      client: null,
      port: null,
      stopping: false,
      restarts: 0,
      last: { up: 0, down: 0, at: Date.now() },
    };
    this.tunnels.set(id, tunnel);
    this.update(tunnel, {});
    try {
      await this.open(tunnel);
    } catch (error) {
      this.tunnels.delete(id);
      throw error;
    }
    return tunnel.info;
  }

  async stop(id: string): Promise<void> {
    const tunnel = this.get(id);
    tunnel.stopping = true;
    await this.teardown(tunnel, true);
    this.update(tunnel, { state: 'stopped', message: null });
  }

  async restart(id: string): Promise<TunnelInfo> {
    const tunnel = this.get(id);
    tunnel.stopping = true;
    await this.teardown(tunnel, true);
    tunnel.stopping = false;
    tunnel.restarts = 0;
    this.update(tunnel, { state: 'starting', message: null });
    await this.open(tunnel);
    return tunnel.info;
  }

  async dispose(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.tunnels.keys()].map((id) => this.stop(id).catch(() => undefined)));
  }

  private async open(tunnel: Tunnel): Promise<void> {
    const { request } = tunnel;
    const ssm = await this.options.ssm(request.profile, request.region);
    const documentName = request.remoteHost ? 'AWS-StartPortForwardingSessionToRemoteHost' : 'AWS-StartPortForwardingSession';
    const parameters: Record<string, string[]> = { portNumber: [String(request.remotePort)], localPortNumber: [String(tunnel.info.localPort)] };
    if (request.remoteHost) parameters.host = [request.remoteHost];
    let started;
    try {
      started = await ssm.send(new StartSessionCommand({ Target: request.target, DocumentName: documentName, Parameters: parameters }));
    } catch (error) {
      throw describeAwsError(error, request);
    }
    const sessionId = started.SessionId!;
    try {
      const client = await connectDataChannel({
        streamUrl: started.StreamUrl!,
        tokenValue: started.TokenValue!,
        sessionId,
        target: request.target,
        resume: async () => {
          const resumed = await ssm.send(new ResumeSessionCommand({ SessionId: sessionId }));
          return { tokenValue: resumed.TokenValue, streamUrl: resumed.StreamUrl };
        },
        terminateSession: async () => {
          await ssm.send(new TerminateSessionCommand({ SessionId: sessionId }));
        },
      });
      client.on('resuming', () => this.update(tunnel, { state: 'reconnecting' }));
      client.on('resumed', () => this.update(tunnel, { state: 'open' }));
      const port = await startPortSession(client, { bindAddress: request.bindAddress, localPort: tunnel.info.localPort });
      tunnel.client = client;
      tunnel.port = port;
      const listening = port.listenInfo;
      port.on('connectToPortError', (err) => this.update(tunnel, { message: `The node could not connect to ${err.host ?? 'port'} ${err.remotePort}: ${err.message}` }));
      void client.ended.then((end) => this.onEnded(tunnel, client, end.message || end.reason));
      this.update(tunnel, { state: 'open', mode: port.mode, awsSessionId: sessionId, localPort: listening?.port ?? tunnel.info.localPort, message: null });
    } catch (error) {
      void ssm.send(new TerminateSessionCommand({ SessionId: sessionId })).catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new HatchError('BadRequest', `Local port ${tunnel.info.localPort} on ${request.bindAddress} is already in use.`, 'Pick another local port, or 0 for any free one.');
      }
      throw new HatchError('Unavailable', `Could not open the tunnel: ${message}`, 'Check the node is online and try again.');
    }
  }

  /** The session ended without the user asking: bring the tunnel back on the same local port. */
  private async onEnded(tunnel: Tunnel, client: DataChannelClient, why: string): Promise<void> {
    if (tunnel.stopping || tunnel.client !== client) return;
    await this.teardown(tunnel, false);
    const max = this.options.maxRestarts ?? 5;
    while (!tunnel.stopping && tunnel.restarts < max) {
      tunnel.restarts++;
      this.update(tunnel, { state: 'reconnecting', message: `Session ended (${why}); reopening on port ${tunnel.info.localPort}…` });
      try {
        await this.open(tunnel);
        return;
      } catch (error) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** tunnel.restarts)));
        if (tunnel.restarts >= max) this.update(tunnel, { state: 'failed', message: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  private async teardown(tunnel: Tunnel, terminate: boolean): Promise<void> {
    const { port, client } = tunnel;
    tunnel.port = null;
    tunnel.client = null;
    await port?.close({ terminate }).catch(() => undefined);
    if (terminate) await client?.terminate().catch(() => undefined);
    else client?.close();
  }

  private publishStats(): void {
    const stats: TunnelStats[] = [];
    const now = Date.now();
    for (const tunnel of this.tunnels.values()) {
      if (tunnel.info.state === 'stopped' || tunnel.info.state === 'failed') continue;
      const s = tunnel.port?.stats;
      const up = s?.bytesUp ?? tunnel.last.up;
      const down = s?.bytesDown ?? tunnel.last.down;
      const seconds = Math.max(0.001, (now - tunnel.last.at) / 1000);
      stats.push({
        id: tunnel.info.id,
        bytesUp: up,
        bytesDown: down,
        rateUp: Math.max(0, (up - tunnel.last.up) / seconds),
        rateDown: Math.max(0, (down - tunnel.last.down) / seconds),
        activeConnections: s?.activeConnections ?? 0,
        totalConnections: s?.totalConnections ?? 0,
        connectErrors: s?.connectErrors ?? 0,
      });
      // A new session restarts its counters at zero.
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
    this.options.emit('tunnels.changed', { tunnel: tunnel.info });
  }
}

/** Fail before StartSession when the local port is taken, so no session is wasted. */
async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new HatchError('BadRequest', `Local port ${port} on ${host} is already in use.`, 'Pick another local port, or 0 for any free one.')
          : error.code === 'EACCES'
            ? new HatchError('BadRequest', `Hatch may not listen on port ${port} (ports below 1024 need privileges).`, 'Pick a port above 1023.')
            : error,
      );
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
