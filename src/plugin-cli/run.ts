// hatch-ssm-plugin: session-manager-plugin's contract (spec 12) on the native engine.
// Shell sessions run the local terminal in raw mode; port sessions forward as the handshake
// says (stdio, basic or multiplexed); ResumeSession/TerminateSession go through the SSM API.
import { DescribeSessionsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { KMSClient } from '@aws-sdk/client-kms';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { Readable, Writable } from 'node:stream';
import type { DataChannelClient, SessionEnd } from '../protocol/client';
import { openSession, ssmSessionCalls } from '../protocol/opener';
import { ProtocolError } from '../protocol/codec';
import { PortSession, portChannelOfClient, type PortProperties } from '../protocol/port-session';
import { ShellSession } from '../protocol/shell-session';
import { INSTALLED_MESSAGE, PLUGIN_VERSION, parseCli, unknownOperationMessage, type CliAction } from './args';

interface PluginIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: Writable & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** Signals are wired through this (process.on in the real program). */
  onSignal(sig: NodeJS.Signals, cb: () => void): void;
}

export function processIo(): PluginIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    onSignal: (sig, cb) => process.on(sig, cb),
  };
}

/**
 * Exit status (docs/engine-on-networks.md): 0 for every end the reference treats as normal
 * (12.5); the shell's own status when it is known; 2 for unusable arguments; a distinct code
 * per cause when the data channel cannot be opened or kept (EXIT_CODES); 1 for anything else.
 */
export const EXIT_CODES = {
  failed: 1,
  arguments: 2,
  'stream-rejected': 3,
  'dns-failed': 4,
  'connection-refused': 5,
  'handshake-timeout': 6,
  'insecure-stream-url': 7,
  'bad-stream-url': 7,
  'tls-failed': 8,
  unreachable: 9,
  'resume-failed': 9,
} as const;

function exitCodeOf(error: unknown): number {
  const code = error instanceof ProtocolError ? error.code : '';
  return (EXIT_CODES as Record<string, number>)[code] ?? EXIT_CODES.failed;
}

/** One line for the reader: the reason, without a stack or a token. */
function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
}
export async function runPlugin(args: readonly string[], io: PluginIo = processIo()): Promise<number> {
  const action = parseCli(args, io.env);
  const out = (s: string) => io.stdout.write(s);
  switch (action.kind) {
    case 'installed':
      out(INSTALLED_MESSAGE);
      return 0;
    case 'version':
      out(`${PLUGIN_VERSION}\n`);
      return 0;
    case 'unknown-operation':
      out(unknownOperationMessage(action.arg));
      return 0;
    case 'invalid-operation':
      out('Invalid Operation');
      return 0;
    case 'error':
      out(`${action.message}\n`);
      return action.exitCode;
    case 'start':
      // The token must not linger in our environment (children, crash dumps).
      if (action.responseEnvVar) delete io.env[action.responseEnvVar];
      return startSession(action, io);
  }
}

type StartAction = Extract<CliAction, { kind: 'start' }>;

async function startSession(a: StartAction, io: PluginIo): Promise<number> {
  const out = (s: string) => io.stdout.write(s);
  const sessionId = a.response.SessionId;
  const credentials = fromNodeProviderChain(a.profile ? { profile: a.profile } : {});
  const ssm = new SSMClient({ region: a.region, endpoint: a.endpointUrl, credentials, maxAttempts: 4 });
  // KMS honours AWS_ENDPOINT_URL_KMS / AWS_ENDPOINT_URL through the SDK's own configuration.
  const kms = a.legacy ? undefined : new KMSClient({ region: a.region, credentials });
  out(`\nStarting session with SessionId: ${sessionId}\n`);
  let client: DataChannelClient;
  try {
    ({ client } = await openSession({
      calls: ssmSessionCalls(ssm),
      target: a.parameters.Target,
      start: a.response,
      kms,
      // Progress goes to stderr: stdout may be a forwarded byte stream (ssh ProxyCommand).
      onClient: (c) => c.on('retrying', (r) => io.stderr.write(`${retryLine(r.phase, r.delayMs, r.attempt, r.error)}\n`)),
    }));
  } catch (e) {
    out(`Cannot perform start session: ${oneLine(e)}\n`);
    ssm.destroy();
    kms?.destroy();
    return exitCodeOf(e);
  }
  try {
    const ready = await client.whenReady();
    if (ready.customerMessage) out(`${ready.customerMessage}\n`);
    if (ready.kind === 'port') return await runPort(client, ready.properties as PortProperties, ready.agentVersion, io);
    return await runShell(client, ssm, io);
  } catch (e) {
    out(`Cannot perform start session: ${(e as Error).message}\n`);
    client.close();
    return 1;
  } finally {
    ssm.destroy();
    kms?.destroy();
  }
}

function retryLine(phase: 'connect' | 'resume', delayMs: number, attempt: number, error: Error): string {
  const secs = delayMs >= 1000 ? `${Math.round(delayMs / 1000)} s` : `${Math.max(1, Math.round(delayMs))} ms`;
  const what = phase === 'resume' ? 'connection lost' : 'cannot connect';
  return `${what}, retrying in ${secs} (attempt ${attempt}): ${oneLine(error)}`;
}

/** The reference's closing lines (5.8, 10). */
function endMessage(sessionId: string, end: SessionEnd): { text: string; code: number } {
  switch (end.reason) {
    case 'exit':
    case 'closed':
      return { text: `\n\nExiting session with sessionId: ${sessionId}.\n\n`, code: 0 };
    case 'terminated':
      return { text: `\n\nSessionId: ${sessionId} : ${end.message}\n\n`, code: 0 };
    case 'timed-out':
      return { text: `Session: ${sessionId} timed out.\n`, code: 0 };
    default:
      return { text: `\n\nSessionId: ${sessionId} : ${end.message || end.reason}\n\n`, code: end.error ? exitCodeOf(end.error) : EXIT_CODES.failed };
  }
}

/**
 * Best effort for shells that send no EXIT_CODE message: the session's history entry.
 * AWS leaves `Details` empty (so this yields null there); the sandbox records the status.
 */
async function exitCodeFromHistory(ssm: SSMClient, sessionId: string): Promise<number | null> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 1500);
  try {
    const r = await ssm.send(
      new DescribeSessionsCommand({ State: 'History', Filters: [{ key: 'SessionId', value: sessionId }] }),
      { abortSignal: ac.signal },
    );
    const m = /exit code (-?\d+)/.exec(r.Sessions?.[0]?.Details ?? '');
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

async function runShell(client: DataChannelClient, ssm: SSMClient, io: PluginIo): Promise<number> {
  const { stdin, stdout, stderr } = io;
  const tty = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  // Raw mode (not cbreak): every key, Ctrl-C included, goes to the remote terminal as bytes.
  if (tty) stdin.setRawMode?.(true);
  const size = () => ({ cols: stdout.columns || 300, rows: stdout.rows || 100 });
  const shell = new ShellSession(client, size());
  // SIGWINCH: Node re-reads the size and emits 'resize' on the TTY stream.
  // Input racing the end of the session (send throws then) is dropped, never a crash.
  const guard = (fn: () => void) => {
    try {
      fn();
    } catch {
      /* session already over */
    }
  };
  const onResize = () => guard(() => shell.resize(size().cols, size().rows));
  stdout.on('resize', onResize);
  io.onSignal('SIGWINCH', onResize);
  // Signals that reach us anyway (kill, or a non-tty stdin) are forwarded as their bytes.
  io.onSignal('SIGINT', () => guard(() => shell.write('\x03')));
  io.onSignal('SIGQUIT', () => guard(() => shell.write('\x1c')));
  io.onSignal('SIGTSTP', () => guard(() => shell.write('\x1a')));

  const offDrain = client.channel.on('drain', () => stdin.resume());
  const onInput = (d: Buffer | string) =>
    guard(() => {
      if (!shell.write(typeof d === 'string' ? Buffer.from(d) : d)) stdin.pause();
    });
  stdin.on('data', onInput);
  stdin.resume();
  shell.onData((data, stream) => {
    const target = stream === 'stderr' ? stderr : stdout;
    if (!target.write(data)) {
      shell.pauseOutput();
      target.once('drain', () => shell.resumeOutput());
    }
  });
  const exit = await shell.exited;
  offDrain();
  stdin.off('data', onInput);
  stdout.off('resize', onResize);
  if (tty) stdin.setRawMode?.(false);
  stdin.pause();
  const msg = endMessage(client.sessionId, { reason: exit.reason, message: exit.message, error: exit.error });
  stdout.write(msg.text);
  if (exit.exitCode !== null) return exit.exitCode;
  if (exit.reason === 'exit') return (await exitCodeFromHistory(ssm, client.sessionId)) ?? 0;
  return msg.code;
}

async function runPort(client: DataChannelClient, properties: PortProperties, agentVersion: string, io: PluginIo): Promise<number> {
  const out = (s: string) => io.stdout.write(s);
  const sessionId = client.sessionId;
  const ps = new PortSession({
    channel: portChannelOfClient(client),
    sessionId,
    agentVersion,
    properties: properties ?? {},
    // The reference listens on localhost; we bind IPv4 loopback explicitly.
    bindAddress: '127.0.0.1',
    stdin: io.stdin,
    stdout: io.stdout,
  });
  let announcedFirst = false;
  ps.on('listening', (info) => {
    const what = info.path ? `Unix socket ${info.path}` : `Port ${info.port}`;
    if (ps.mode === 'multiplexed') out(`${what} opened for sessionId ${sessionId}.\nWaiting for connections...\n`);
    else out(`${what} opened for sessionId ${sessionId}.\n`);
  });
  ps.on('connection', () => {
    if (ps.mode === 'basic') out(`Connection accepted for session ${sessionId}.\n`);
    else if (!announcedFirst) out(`\nConnection accepted for session [${sessionId}]\n`);
    announcedFirst = true;
  });
  ps.on('connectToPortError', () => out('\nConnection to destination port failed, check SSM Agent logs.\n'));
  ps.on('failed', (e) => io.stderr.write(`port forwarding failed: ${e.message}\n`));

  let userStop: Promise<number> | null = null;
  const stop = (banner: boolean): Promise<number> => {
    userStop ??= (async () => {
      if (banner) out('Terminate signal received, exiting.\n');
      const { flagSent } = await ps.close({ terminate: true });
      // Old agents (≤ 2.3.722.0) in basic mode do not know the flag: use the API (9.3).
      if (!flagSent) await client.terminate(3000);
      client.close();
      out(`\n\nExiting session with sessionId: ${sessionId}.\n\n`);
      return 0;
    })();
    return userStop;
  };
  io.onSignal('SIGINT', () => void stop(true));
  io.onSignal('SIGTERM', () => void stop(true));
  ps.on('stdinEnded', () => void stop(false));
  ps.on('failed', () => void stop(false));

  try {
    await ps.start();
  } catch (e) {
    out(`Cannot perform start session: ${(e as Error).message}\n`);
    await ps.close({ terminate: true });
    client.close();
    return 1;
  }
  const ended = client.ended.then(async (end) => {
    if (userStop) return userStop;
    await ps.close();
    const msg = endMessage(sessionId, end);
    out(msg.text);
    return msg.code;
  });
  return Promise.race([ended, new Promise<number>((r) => ps.once('closed', () => userStop && r(userStop)))]);
}
