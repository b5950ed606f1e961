// session-manager-plugin's command-line and environment contract (spec 12.1–12.3), as a
// pure function: argv in, what to do out. The runner (run.ts) does the doing.

/** Printed for `--version`; a plain numeric version > 1.2.497.0 so the AWS CLI passes the
 * StartSession response through the environment rather than the command line (12.2). */
export { CLIENT_VERSION as PLUGIN_VERSION } from '../protocol/handshake';

export const INSTALLED_MESSAGE = '\nThe Session Manager plugin was installed successfully. Use the AWS CLI to start a session.\n\n';
const RESPONSE_ENV_PREFIX = 'AWS_SSM_START_SESSION_RESPONSE';

interface StartSessionResponse {
  SessionId: string;
  TokenValue: string;
  StreamUrl: string;
}

interface StartSessionParameters {
  Target: string;
  DocumentName?: string;
  Parameters?: Record<string, string[]>;
  Reason?: string;
}

export type CliAction =
  | { kind: 'installed' }
  | { kind: 'version' }
  /** argc 2–3 without --version: prints the "Unknown operation" text. */
  | { kind: 'unknown-operation'; arg: string }
  /** argv 3 is not StartSession: prints "Invalid Operation". */
  | { kind: 'invalid-operation' }
  /** The arguments cannot start a session; `exitCode` 2 mirrors the reference's crash status. */
  | { kind: 'error'; message: string; exitCode: number }
  | {
      kind: 'start';
      response: StartSessionResponse;
      region: string;
      /** undefined when argv 4 is empty or absent: the SDK reads AWS_PROFILE itself. */
      profile: string | undefined;
      /** 4-argument legacy mode: KMS encryption is refused (6.3). */
      legacy: boolean;
      parameters: StartSessionParameters;
      /** SSM endpoint for ResumeSession/TerminateSession (argv 6). */
      endpointUrl: string | undefined;
      /** Name of the environment variable the response was read from (to be removed). */
      responseEnvVar?: string;
    };

/** Looks keys up case-insensitively, as the reference's JSON decoder does. */
function pick(o: Record<string, unknown>, key: string): unknown {
  if (key in o) return o[key];
  const k = Object.keys(o).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : o[k];
}

function parseResponse(text: string): StartSessionResponse {
  const v: unknown = JSON.parse(text);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('the StartSession response is not a JSON object');
  const o = v as Record<string, unknown>;
  const str = (k: string) => {
    const x = pick(o, k);
    return typeof x === 'string' ? x : '';
  };
  const r = { SessionId: str('SessionId'), TokenValue: str('TokenValue'), StreamUrl: str('StreamUrl') };
  if (!r.SessionId || !r.StreamUrl) throw new Error('the StartSession response has no SessionId or StreamUrl');
  return r;
}

/**
 * `args` are the arguments after the program path (process.argv.slice(2)); the reference's
 * argc counts the program too, so argc = args.length + 1.
 */
export function parseCli(args: readonly string[], env: Readonly<Record<string, string | undefined>>): CliAction {
  const argc = args.length + 1;
  if (argc === 1) return { kind: 'installed' };
  if (argc <= 3) {
    if (argc === 2 && args[0] === '--version') return { kind: 'version' };
    return { kind: 'unknown-operation', arg: args[0] };
  }
  let responseText = args[0];
  let responseEnvVar: string | undefined;
  if (responseText.startsWith(RESPONSE_ENV_PREFIX)) {
    responseEnvVar = responseText;
    responseText = env[responseEnvVar] ?? '';
  }
  const region = args[1];
  if (args[2] !== 'StartSession') return { kind: 'invalid-operation' };
  let response: StartSessionResponse;
  try {
    response = parseResponse(responseText);
  } catch (e) {
    return { kind: 'error', message: `Cannot perform start session: ${(e as Error).message}`, exitCode: 1 };
  }
  const legacy = argc === 4;
  const profile = !legacy && args[3] ? args[3] : undefined;
  let parameters: StartSessionParameters = { Target: '' };
  if (!legacy && args.length >= 5) {
    let p: unknown;
    try {
      p = JSON.parse(args[4] ?? '');
    } catch {
      p = undefined;
    }
    const target = typeof p === 'object' && p !== null ? pick(p as Record<string, unknown>, 'Target') : undefined;
    if (typeof target !== 'string') {
      return { kind: 'error', message: 'Cannot perform start session: the parameters JSON has no string Target', exitCode: 2 };
    }
    parameters = { ...(p as object), Target: target } as StartSessionParameters;
  }
  const endpointUrl = !legacy && args[5] ? args[5] : undefined;
  return { kind: 'start', response, region, profile, legacy, parameters, endpointUrl, responseEnvVar };
}

export function unknownOperationMessage(arg: string): string {
  return `\nUnknown operation ${arg}. \nUse session-manager-plugin --version to check the version.\n\n`;
}
