// The plugin engine: AWS's session-manager-plugin in a pty, called exactly as the AWS CLI
// calls it (spec 12.2): the StartSession response travels in an environment variable
// whose name is argv 1, never on the command line.
import { spawnLocalPty, type SpawnPty } from './pty';
import { mapReason } from './native-engine';
import { Emitter } from '../../shared/emitter';
import { type EngineContext, type EngineEnd, type EngineSession, type EngineState, type SessionEngine, type StartSessionResult } from './engine';

const START_SESSION_RESPONSE_VAR = 'AWS_SSM_START_SESSION_RESPONSE';

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
    const data = new Emitter<[string]>();
    const state = new Emitter<[EngineState]>();
    const end = new Emitter<[EngineEnd]>();
    let terminating = false;
    // Live once the plugin says the session started ("Starting session with SessionId: …",
    // printed when its data channel is open) — not when the process starts: until then the
    // session may still fail (a bad token, an unreachable endpoint). A plugin that prints
    // no banner is live once its output has flowed for a moment.
    let live = false;
    let fallback: NodeJS.Timeout | null = null;
    const goLive = () => {
      if (live) return;
      live = true;
      if (fallback) clearTimeout(fallback);
      state.emit('live');
    };
    // The plugin exits 0 however the session ended; when the service gave a reason (idle
    // timeout, terminated, …) the plugin prints it as "SessionId: <id> : <reason>" last.
    let tail = '';
    child.onData((text) => {
      tail = (tail + text).slice(-600);
      data.emit(text);
      if (live) return;
      if (tail.includes('Starting session with SessionId')) goLive();
      else fallback ??= setTimeout(goLive, PLUGIN_LIVE_FALLBACK_MS);
    });
    child.onExit(({ exitCode, signal, error }) => {
      if (fallback) clearTimeout(fallback);
      const closing = new RegExp(`SessionId: ${escapeRegExp(start.SessionId)} : ([^\\r\\n]+)`).exec(tail);
      const serviceEnded = closing ? mapReason('terminated', closing[1]) : null;
      end.emit(
        terminating
          ? { reason: 'terminated', exitCode, message: null }
          : exitCode === 0 && !error
            ? { reason: serviceEnded ?? 'exit', exitCode, message: closing?.[1].trim() ?? null }
            : { reason: 'failed', exitCode, message: error ?? failureText(tail, signal, exitCode) },
      );
    });
    return {
      write: (text) => child.write(text),
      resize: (cols, rows) => child.resize(cols, rows),
      pause: () => child.pause(),
      resume: () => child.resume(),
      terminate: () => {
        terminating = true;
        child.kill('SIGTERM');
      },
      onData: (listener) => void data.on(listener),
      onState: (listener) => void state.on(listener),
      onEnd: (listener) => void end.on(listener),
      latencyMs: () => null, // the plugin does not tell
    };
  }
}

/** How long output must flow without the start banner before the session counts as live. */
const PLUGIN_LIVE_FALLBACK_MS = 1500;

/** The plugin's own last words when it fails ("Cannot perform start session: …"), with its status. */
function failureText(tail: string, signal: number | undefined | null, exitCode: number | null): string {
  // eslint-disable-next-line no-control-regex -- terminal escapes are stripped from the plugin's output
  const lines = tail.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const last = lines.at(-1);
  const status = `session-manager-plugin exited with ${signal ? `signal ${signal}` : `status ${exitCode}`}`;
  return last ? `${last} (${status})` : `${status}.`;
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
