// The native engine: Hatch's own data-channel implementation (src/protocol). It
// resumes a dropped connection itself (ResumeSession + reconnect), so the tab shows
// "reconnecting" instead of dying.
import { openSession, ssmSessionCalls } from '../../protocol/opener';
import { ShellSession } from '../../protocol/shell-session';
import type { SessionEndReason as ProtocolEndReason } from '../../protocol/client';
import type { SessionEndReason } from '../../shared/contract';
import { Emitter } from '../../shared/emitter';
import { type EngineContext, type EngineEnd, type EngineSession, type EngineState, type SessionEngine, type StartSessionResult } from './engine';

export class NativeEngine implements SessionEngine {
  readonly kind = 'native' as const;

  async attach(start: StartSessionResult, context: EngineContext): Promise<EngineSession> {
    const data = new Emitter<[Buffer]>();
    const state = new Emitter<[EngineState]>();
    const end = new Emitter<[EngineEnd]>();
    const { client } = await openSession({
      calls: ssmSessionCalls(context.ssm),
      target: context.target,
      start,
      terminate: context.terminateSession,
      kms: await context.kms(),
      pacing: context.pacing,
    });
    const shell = new ShellSession(client, { cols: context.cols, rows: context.rows });
    shell.client.on('resuming', () => state.emit('reconnecting'));
    shell.client.on('resumed', () => state.emit('live'));
    shell.onData((bytes) => data.emit(bytes));
    shell.onExit((exit) => end.emit({ reason: mapReason(exit.reason, exit.message), exitCode: exit.exitCode, message: exit.message || null }));
    void shell.whenReady().then(
      () => state.emit('live'),
      () => undefined, // the end listener reports the failure
    );
    return {
      write: (text) => void shell.write(text),
      resize: (cols, rows) => shell.resize(cols, rows),
      pause: () => shell.pauseOutput(),
      resume: () => shell.resumeOutput(),
      terminate: () => void shell.terminate().catch(() => undefined),
      onData: (listener) => void data.on(listener),
      onState: (listener) => void state.on(listener),
      onEnd: (listener) => void end.on(listener),
      latencyMs: () => {
        const srtt = shell.client.channel.stats().srttMs;
        return srtt > 0 ? srtt : null;
      },
    };
  }
}

/** The protocol's end reasons, and the service's channel_closed text, as the UI's reasons. */
export function mapReason(reason: ProtocolEndReason, message: string): SessionEndReason {
  switch (reason) {
    case 'exit':
      return 'exit';
    case 'terminated':
      if (/idle|inactivity/i.test(message)) return 'idle-timeout';
      if (/duration/i.test(message)) return 'max-duration';
      return 'terminated';
    case 'closed':
      return 'terminated';
    case 'timed-out':
    case 'connection-lost':
      return 'network';
    default:
      return 'failed';
  }
}
