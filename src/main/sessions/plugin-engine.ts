// The plugin engine: AWS's session-manager-plugin in a pty, called exactly as the AWS CLI
// calls it (spec 12.2): the StartSession response travels in an environment variable
// whose name is argv 1, never on the command line.
import { spawnLocalPty, type SpawnPty } from './pty';
import { mapReason } from './native-engine';
import { Listeners, type EngineContext, type EngineEnd, type EngineSession, type EngineState, type SessionEngine, type StartSessionResult } from './engine';

export const START_SESSION_RESPONSE_VAR = 'AWS_SSM_START_SESSION_RESPONSE';

export class PluginEngine implements SessionEngine {
  readonly kind = 'plugin' as const;

  constructor(
    private readonly pluginPath: () => Promise<string | null>,
    private readonly spawnPty: SpawnPty = spawnLocalPty,
  ) {}

  async attach(start: StartSessionResult, context: EngineContext): Promise<EngineSession> {
    const executable = await this.pluginPath();
    if (!executable) throw new Error('session-manager-plugin is not installed.');
    const parameters: Record<string, unknown> = { Target: context.target };
    if (context.documentName) parameters.DocumentName = context.documentName;
    if (Object.keys(context.parameters).length) parameters.Parameters = context.parameters;
    const env = {
      ...stringEnv(process.env),
      ...(await context.childEnv()),
      [START_SESSION_RESPONSE_VAR]: JSON.stringify(start),
    };
    const child = this.spawnPty({
      file: executable,
      args: [START_SESSION_RESPONSE_VAR, context.region, 'StartSession', '', JSON.stringify(parameters), await context.ssmEndpoint()],
      name: 'xterm-256color',
      cols: context.cols,
      rows: context.rows,
      env,
    });
    const data = new Listeners<Buffer>();
    const state = new Listeners<EngineState>();
    const end = new Listeners<EngineEnd>();
    let terminating = false;
    // The plugin exits 0 however the session ended; when the service gave a reason (idle
    // timeout, terminated, …) the plugin prints it as "SessionId: <id> : <reason>" last.
    let tail = '';
    child.onData((text) => {
      tail = (tail + text).slice(-600);
      data.emit(Buffer.from(text, 'utf8'));
    });
    child.onExit(({ exitCode, signal, error }) => {
      const closing = new RegExp(`SessionId: ${escapeRegExp(start.SessionId)} : ([^\\r\\n]+)`).exec(tail);
      const serviceEnded = closing ? mapReason('terminated', closing[1]) : null;
      end.emit(
        terminating
          ? { reason: 'terminated', exitCode, message: null }
          : exitCode === 0 && !error
            ? { reason: serviceEnded ?? 'exit', exitCode, message: closing?.[1].trim() ?? null }
            : { reason: 'failed', exitCode, message: error ?? `session-manager-plugin exited with ${signal ? `signal ${signal}` : `status ${exitCode}`}.` },
      );
    });
    queueMicrotask(() => state.emit('live'));
    return {
      write: (text) => child.write(text),
      resize: (cols, rows) => child.resize(cols, rows),
      pause: () => child.pause(),
      resume: () => child.resume(),
      terminate: () => {
        terminating = true;
        child.kill('SIGTERM');
      },
      onData: (listener) => data.add(listener),
      onState: (listener) => state.add(listener),
      onEnd: (listener) => end.add(listener),
      latencyMs: () => null, // the plugin does not tell
    };
  }
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
