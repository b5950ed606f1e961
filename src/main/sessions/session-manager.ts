// SessionManager: starts sessions on nodes with either engine, carries their terminal
// output to the windows that show them (SessionOutput: batching, replay ring, flow
// control), records what they showed, and reports how each one ended.
import { randomUUID } from 'node:crypto';
import { StartSessionCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { KMSClient } from '@aws-sdk/client-kms';
import { HatchError, type EngineKind, type EventName, type EventPayload, type SessionInfo } from '../../shared/contract';
import type { EngineSession, SessionEngine } from './engine';
import { SessionOutput, type SessionOutputOptions, type TerminalAttachment, type TerminalViewer } from './session-output';
import { SessionRecorder } from './recorder';
import { describeAwsError } from './aws-errors';
import { ssmSessionCalls, terminateOnce } from '../../protocol/opener';

/** How sessions reach AWS for a profile and region (implemented by the aws service). */
export interface SessionAwsAccess {
  ssm(profile: string, region: string): Promise<SSMClient>;
  kms(profile: string, region: string): Promise<KMSClient>;
  childEnv(profile: string, region: string): Promise<Record<string, string>>;
  ssmEndpoint(profile: string, region: string): Promise<string>;
  /** ECS ExecuteCommand (interactive): its `session` is a StartSession response. */
  executeCommand?(profile: string, region: string, exec: ContainerExec): Promise<{ SessionId: string; TokenValue: string; StreamUrl: string }>;
}

/** A command in an ECS container (ExecuteCommand), instead of StartSession on a node. */
export interface ContainerExec {
  cluster: string;
  task: string;
  container: string;
  command: string;
}

interface SessionManagerOptions {
  aws: SessionAwsAccess;
  engines: Record<EngineKind, SessionEngine>;
  pluginAvailable: () => Promise<boolean>;
  emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  /** Where recordings go and whether input is recorded, asked at each start; null = don't record. */
  recording: () => { dir: string; includeInput: boolean } | null;
  /** Ring and flow-control sizes (tests make them small). */
  output?: Omit<SessionOutputOptions, 'record'>;
  /** The profile's upload pacing for the built-in engine; default adaptive. */
  pacing?: (profile: string) => 'adaptive' | 'aws';
  /** How many ended sessions stay listed (the most recent); live ones always are. Default 50. */
  endedHistory?: number;
}

export const ENDED_SESSION_HISTORY = 50;

interface StartRequest {
  profile: string;
  region: string;
  target: string;
  documentName?: string;
  parameters?: Record<string, string[]>;
  reason?: string;
  engine?: EngineKind;
  cols: number;
  rows: number;
  /** Set for a container shell: `target` is then the container's ecs:… target. */
  exec?: ContainerExec;
}

interface LiveSession {
  info: SessionInfo;
  request: StartRequest;
  engine: EngineSession | null;
  /** Kept across restarts in the same tab: the windows showing it stay attached. */
  output: SessionOutput;
  recorder: SessionRecorder | null;
  recordInput: boolean;
  /** The terminal's current size (a redraw nudge restores it). */
  cols: number;
  rows: number;
  /** The user asked to end it: whatever the engine saw, the reason is "terminated". */
  terminating: boolean;
  /** Last data either way (the idle timeout counts from here). */
  lastActivityAt: number;
  /** TerminateSession for the AWS session, sent at most once (engine and manager share it). */
  terminateAws: (() => Promise<void>) | null;
}

export class SessionManager {
  private readonly sessions = new Map<string, LiveSession>();

  constructor(private readonly options: SessionManagerOptions) {}

  list(): SessionInfo[] {
    return [...this.sessions.values()].map((s) => s.info);
  }

  async start(request: StartRequest, reuseId?: string): Promise<SessionInfo> {
    const engineKind = request.engine ?? ((await this.options.pluginAvailable()) ? 'plugin' : 'native');
    if (engineKind === 'plugin' && !(await this.options.pluginAvailable())) {
      throw new HatchError('Unavailable', 'AWS’s session-manager-plugin is not installed.', 'Install the plugin, or start the session with Hatch’s built-in engine.');
    }
    const id = reuseId ?? randomUUID();
    const output =
      (reuseId ? this.sessions.get(reuseId)?.output : undefined) ??
      new SessionOutput({ record: (data) => this.sessions.get(id)?.recorder?.output(data), ...this.options.output });
    const live: LiveSession = {
      info: {
        id,
        awsSessionId: null,
        profile: request.profile,
        region: request.region,
        target: request.target,
        documentName: request.documentName ?? null,
        engine: engineKind,
        state: 'connecting',
        endReason: null,
        exitCode: null,
        message: null,
        startedAt: Date.now(),
        endedAt: null,
        recordingPath: null,
        exec: request.exec ?? null,
      },
      request,
      engine: null,
      recorder: null,
      recordInput: false,
      terminating: false,
      lastActivityAt: Date.now(),
      terminateAws: null,
      output,
      cols: request.cols,
      rows: request.rows,
    };
    this.sessions.set(id, live);
    this.changed(live);

    const { aws } = this.options;
    let ssm: SSMClient;
    let started: { SessionId: string; TokenValue: string; StreamUrl: string };
    try {
      ssm = await aws.ssm(request.profile, request.region);
      // ECS Exec answers with the same session shape; Resume/Terminate then go to SSM.
      const response = request.exec
        ? await this.executeCommand(request.profile, request.region, request.exec)
        : await ssm.send(new StartSessionCommand({ Target: request.target, DocumentName: request.documentName, Parameters: request.parameters, Reason: request.reason }));
      if (!response.SessionId || !response.TokenValue || !response.StreamUrl) throw new Error('StartSession returned no session.');
      started = { SessionId: response.SessionId, TokenValue: response.TokenValue, StreamUrl: response.StreamUrl };
    } catch (error) {
      const described = describeAwsError(error, request);
      this.end(live, { reason: 'failed', exitCode: null, message: described.message });
      throw described;
    }
    live.info = { ...live.info, awsSessionId: started.SessionId };
    const terminateAws = terminateOnce(ssmSessionCalls(ssm), started.SessionId);
    live.terminateAws = terminateAws;
    const recording = this.options.recording();
    if (recording) {
      try {
        live.recordInput = recording.includeInput;
        live.recorder = new SessionRecorder(recording.dir, { id, awsSessionId: started.SessionId, target: request.target, cols: request.cols, rows: request.rows, title: `${request.profile} ${request.target}` });
        live.info = { ...live.info, recordingPath: live.recorder.path };
      } catch {
        live.recorder = null; // a recording that can't be written must not stop the session
      }
    }

    try {
      const engine = await this.options.engines[engineKind].attach(started, {
        profile: request.profile,
        region: request.region,
        target: request.target,
        documentName: request.documentName ?? null,
        parameters: request.parameters ?? {},
        cols: request.cols,
        rows: request.rows,
        ssm,
        kms: () => aws.kms(request.profile, request.region),
        childEnv: () => aws.childEnv(request.profile, request.region),
        ssmEndpoint: () => aws.ssmEndpoint(request.profile, request.region),
        terminateSession: terminateAws,
        pacing: this.options.pacing?.(request.profile) ?? 'adaptive',
      });
      live.engine = engine;
      live.output.bind(engine);
      engine.onData((chunk) => {
        live.lastActivityAt = Date.now();
        live.output.push(chunk);
      });
      engine.onState((state) => {
        if (live.info.state === 'ended') return;
        live.info = { ...live.info, state };
        this.changed(live);
      });
      engine.onEnd((end) => this.end(live, end));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      void terminateAws().catch(() => undefined);
      this.end(live, { reason: 'failed', exitCode: null, message });
      throw new HatchError('Unavailable', `Could not open the session’s data channel: ${message}`, 'Check the node is online and try again.');
    }
    this.changed(live);
    return live.info;
  }

  private executeCommand(profile: string, region: string, exec: ContainerExec) {
    if (!this.options.aws.executeCommand) throw new HatchError('Unavailable', 'ECS Exec is not available here.');
    return this.options.aws.executeCommand(profile, region, exec);
  }

  write(sessionId: string, data: string): void {
    const live = this.get(sessionId);
    if (live.info.state === 'ended') return;
    live.lastActivityAt = Date.now();
    if (live.recordInput) live.recorder?.input(data);
    live.engine?.write(data);
  }

  resize(sessionId: string, cols: number, rows: number): void {
    const live = this.get(sessionId);
    if (live.info.state === 'ended') return; // a tab resized after its session ended
    live.cols = cols;
    live.rows = rows;
    live.engine?.resize(cols, rows);
    live.recorder?.resize(cols, rows);
  }

  /**
   * A window starts showing a session: the replay ring first, then its live output, until
   * the attachment is closed. A window coming back to a running session (a reload, a new
   * window) also makes full-screen programs redraw.
   */
  openTerminal(sessionId: string, viewer: TerminalViewer): TerminalAttachment {
    const live = this.get(sessionId);
    const view = live.output.attach(viewer);
    if (view.reattached) this.redraw(live);
    return {
      input: (data) => {
        const current = this.sessions.get(sessionId);
        if (current && current.info.state !== 'ended') this.write(sessionId, data);
      },
      ack: view.ack,
      close: view.close,
    };
  }

  stats(sessionId: string): { latencyMs: number | null; lastActivityAt: number; bufferedChars: number; outputPaused: boolean; attachedWindows: number; replayChars: number } {
    const live = this.get(sessionId);
    return {
      latencyMs: live.engine?.latencyMs() ?? null,
      lastActivityAt: live.lastActivityAt,
      bufferedChars: live.output.buffered,
      outputPaused: live.output.isPaused,
      attachedWindows: live.output.attachedWindows,
      replayChars: live.output.held,
    };
  }

  async terminate(sessionId: string): Promise<void> {
    const live = this.get(sessionId);
    if (live.info.state === 'ended') return;
    live.terminating = true;
    live.engine?.terminate();
    // The native engine sends TerminateSession through the same once-only call: one request in all.
    await live.terminateAws?.().catch(() => undefined);
  }

  /**
   * An AWS session is being terminated from elsewhere in the app (the audit view): if it
   * is one of ours, its end reads "terminated" rather than a plain exit. Returns an undo
   * for when the termination fails.
   */
  expectTermination(awsSessionId: string): () => void {
    const live = [...this.sessions.values()].find((s) => s.info.awsSessionId === awsSessionId && s.info.state !== 'ended');
    if (!live || live.terminating) return () => undefined;
    live.terminating = true;
    return () => {
      live.terminating = false;
    };
  }

  /** Start a fresh session on the same node, in the same tab. */
  async restart(sessionId: string): Promise<SessionInfo> {
    const live = this.get(sessionId);
    if (live.info.state !== 'ended') throw new HatchError('BadRequest', 'This session is still running.', 'End it first, or open a new tab.');
    return this.start(live.request, sessionId);
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.terminate(id).catch(() => undefined)));
    for (const live of this.sessions.values()) live.output.endViewers('Hatch is shutting down.');
  }

  private get(sessionId: string): LiveSession {
    const live = this.sessions.get(sessionId);
    if (!live) throw new HatchError('NotFound', 'That session is no longer open.', 'Start a new session.');
    return live;
  }

  private end(live: LiveSession, end: { reason: SessionInfo['endReason']; exitCode: number | null; message: string | null }): void {
    if (live.info.state === 'ended') return;
    live.output.end();
    void live.recorder?.close();
    const reason = live.terminating && end.reason !== 'failed' ? 'terminated' : end.reason;
    live.info = { ...live.info, state: 'ended', endReason: reason, exitCode: end.exitCode, message: end.message, endedAt: Date.now() };
    this.changed(live);
    this.pruneEnded();
  }

  /** Ended sessions are history: keep the most recent few, so the list (and memory) stays bounded. */
  private pruneEnded(): void {
    const keep = this.options.endedHistory ?? ENDED_SESSION_HISTORY;
    const ended = [...this.sessions.values()].filter((s) => s.info.state === 'ended');
    if (ended.length <= keep) return;
    ended.sort((a, b) => (a.info.endedAt ?? 0) - (b.info.endedAt ?? 0));
    for (const old of ended.slice(0, ended.length - keep)) this.sessions.delete(old.info.id);
  }

  /**
   * Make a full-screen program repaint for a window that has just attached: a program only
   * redraws on SIGWINCH, and the kernel sends it only when the size changes, so the size
   * moves by a row and back.
   */
  private redraw(live: LiveSession): void {
    if (live.info.state !== 'live' || !live.engine) return;
    const { cols, rows } = live;
    live.engine.resize(cols, rows > 1 ? rows - 1 : rows + 1);
    live.engine.resize(cols, rows);
  }

  private changed(live: LiveSession): void {
    this.options.emit('sessions.changed', { session: live.info });
  }
}
