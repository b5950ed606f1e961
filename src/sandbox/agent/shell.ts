// Shell-type plugins: Standard_Stream and InteractiveCommands in a pty, NonInteractiveCommands
// with pipes (so stdout and stderr stay apart).
import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import * as pty from 'node-pty';
import { PayloadType } from '../../protocol/codec';
import { encodeExitCode, parseSize } from '../../protocol/payloads';
import type { AgentSessionSpec } from '../agent-api';
import type { HandlerHost, SessionHandler } from './handler';
import { completeUtf8Length } from './utf8';
import { PtyFlow } from '../../runtime/pty-flow';
import { PtyInput } from '../../runtime/pty-input';

const SHELL = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
const SHELL_ARGS = SHELL === '/bin/bash' ? ['--noprofile', '--norc'] : [];
/** After SIGHUP, how long a shell gets before SIGKILL. */
const KILL_GRACE_MS = 1000;

function homeDir(dataDir: string, instanceId: string): string {
  // instanceId comes from the fleet file; keep it from escaping homes/.
  const safe = instanceId.replace(/[^A-Za-z0-9._-]/g, '_');
  const dir = path.join(dataDir, 'homes', safe);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function promptFor(name: string): string {
  // PS1 is interpreted by bash: escape what it would expand.
  const safe = name.replace(/[\\$`]/g, (c) => `\\${c}`);
  return `ssm-user@${safe}:\\w\\$ `;
}

const builtToolDirs = new Set<string>();

/**
 * PATH for a node's shells. A node with `hideTools` gets a folder of links to every command
 * on the sandbox's PATH except those (built once per node), so `command -v gzip` finds
 * nothing there, as on a minimal image.
 */
function nodePath(dataDir: string, node: AgentSessionSpec['node']): string {
  const base = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
  if (!node.hideTools?.length) return base;
  const safe = node.instanceId.replace(/[^A-Za-z0-9._-]/g, '_');
  const dir = path.join(dataDir, 'tools', safe);
  const key = `${dir}\u0000${node.hideTools.join(',')}`;
  if (builtToolDirs.has(key)) return dir;
  builtToolDirs.add(key);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const hidden = new Set(node.hideTools);
  for (const folder of base.split(path.delimiter)) {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names) {
      if (hidden.has(name)) continue;
      try {
        symlinkSync(path.join(folder, name), path.join(dir, name));
      } catch {
        /* an earlier folder of PATH already has it: that one wins, as on PATH */
      }
    }
  }
  return dir;
}

// OSC 7 (file://host/dir) before each prompt, as VTE and many distributions' shells send it.
const OSC7_PROMPT_COMMAND = 'printf "\\033]7;file://%s%s\\007" "$HOSTNAME" "$PWD"';

function shellEnv(spec: AgentSessionSpec, home: string, pathValue = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'): Record<string, string> {
  const container = spec.node.container;
  if (container) {
    // An ECS container: its task definition's environment, its hostname, root's prompt.
    const host = spec.node.computerName.split('.')[0].replace(/[^A-Za-z0-9-]/g, '');
    const ps1 = `root@${host}:${container.name.replace(/[^A-Za-z0-9_-]/g, "")}# `;
    // POSIX sh takes no PS1 from the environment; it reads the file named by ENV.
    const shrc = path.join(home, '.shrc');
    writeFileSync(shrc, `PS1='${ps1}'\n`);
    return {
      ...container.environment,
      PATH: pathValue,
      HOME: home,
      USER: 'root',
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      HOSTNAME: spec.node.computerName,
      // What ECS itself puts into every Fargate container.
      AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE',
      AWS_REGION: spec.node.region,
      AWS_DEFAULT_REGION: spec.node.region,
      ENV: shrc,
      PS1: ps1,
    };
  }
  // A fresh environment: the sandbox's own (possibly credential-bearing) variables stay out.
  return {
    ...(spec.node.osc7 ? { PROMPT_COMMAND: OSC7_PROMPT_COMMAND } : {}),
    PATH: pathValue,
    HOME: home,
    USER: 'ssm-user',
    LOGNAME: 'ssm-user',
    SHELL,
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    HISTFILE: path.join(home, '.bash_history'),
    PS1: promptFor(spec.node.name || spec.node.instanceId),
    HOSTNAME: spec.node.computerName || spec.node.name,
  };
}

interface CommandProps {
  commands: string;
  separateOutputStream: boolean;
  stdOutSeparatorPrefix: string;
  stdErrSeparatorPrefix: string;
}

/** The linux block of InteractiveCommands / NonInteractiveCommands properties. */
export function commandProps(properties: unknown): CommandProps {
  const p = (properties && typeof properties === 'object' ? properties : {}) as Record<string, unknown>;
  const linux = (p.linux && typeof p.linux === 'object' ? p.linux : p) as Record<string, unknown>;
  const c = linux.commands;
  const commands = Array.isArray(c) ? c.map(String).join('\n') : typeof c === 'string' ? c : '';
  const sep = linux.separateOutputStream;
  const prefix = (v: unknown): string => (typeof v === 'string' && /^[0-9A-Za-z\r\n_:-]{0,30}$/.test(v) ? v : '');
  return {
    commands,
    separateOutputStream: sep === true || sep === 'true',
    stdOutSeparatorPrefix: prefix(linux.stdOutSeparatorPrefix),
    stdErrSeparatorPrefix: prefix(linux.stdErrSeparatorPrefix),
  };
}

function exitStatus(e: { exitCode: number; signal?: number }): number {
  return e.signal ? 128 + e.signal : e.exitCode;
}

/** A shell or an interactive command in a pty. */
export class PtyHandler implements SessionHandler {
  private proc: pty.IPty | undefined;
  /** Input for proc: quiet after the shell ends or is stopped (runtime/pty-input.ts). */
  private ptyInput: PtyInput | undefined;
  /** Pauses proc under back-pressure without losing its last output (runtime/pty-flow.ts). */
  private flow: PtyFlow | undefined;
  private carry: Buffer | undefined;
  private exited: Promise<void> | undefined;

  constructor(
    private readonly spec: AgentSessionSpec,
    private readonly dataDir: string,
    private readonly host: HandlerHost,
  ) {}

  start(): void {
    const home = homeDir(this.dataDir, this.spec.node.instanceId);
    const args = [...SHELL_ARGS];
    if (this.spec.sessionType === 'InteractiveCommands') args.push('-c', commandProps(this.spec.properties).commands);
    const proc = pty.spawn(SHELL, args, {
      name: 'xterm-256color',
      cols: 80,
      rows: 24,
      cwd: home,
      env: shellEnv(this.spec, home, nodePath(this.dataDir, this.spec.node)),
      encoding: null, // Buffers: we cut on UTF-8 boundaries ourselves
    });
    this.proc = proc;
    const input = new PtyInput(proc);
    this.ptyInput = input;
    this.flow = new PtyFlow(proc);
    proc.onData((d: string | Buffer) => this.onData(typeof d === 'string' ? Buffer.from(d, 'utf8') : d));
    this.exited = new Promise((resolve) => {
      proc.onExit((e) => {
        this.proc = undefined;
        // Whatever was held back for a boundary is flushed as is.
        if (this.carry) this.host.output(PayloadType.Output, this.carry);
        this.carry = undefined;
        resolve();
        this.host.ended({ reason: 'exit', exitCode: exitStatus(e) });
      });
    });
    const profile = this.spec.sessionType === 'Standard_Stream' ? this.spec.preferences.shellProfileLinux : undefined;
    if (profile) input.write(`${profile}\r`);
  }

  private onData(d: Buffer): void {
    const buf = this.carry ? Buffer.concat([this.carry, d]) : d;
    const n = completeUtf8Length(buf);
    this.carry = n < buf.length ? Buffer.from(buf.subarray(n)) : undefined;
    if (n > 0) this.host.output(PayloadType.Output, buf.subarray(0, n));
  }

  input(payloadType: number, payload: Buffer): boolean {
    if (!this.proc) return false;
    if (payloadType === PayloadType.Output) this.ptyInput?.write(payload);
    else if (payloadType === PayloadType.Size) {
      try {
        const { cols, rows } = parseSize(payload);
        if (cols > 0 && rows > 0) this.ptyInput?.resize(cols, rows);
      } catch {
        /* a malformed size is ignored, like the agent does */
      }
    }
    return true;
  }

  pause(): void {
    if (this.proc) this.flow?.pause();
  }

  resume(): void {
    if (this.proc) this.flow?.resume();
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || !this.exited) return;
    // Input still queued for the shell would be written after its terminal closed.
    this.ptyInput?.end();
    proc.kill('SIGHUP');
    // As when a real terminal hangs up, the shell's process group hears it too (what runs
    // in the foreground of a shell that exec'ed into a loop, e.g. a file transfer's reader).
    try {
      process.kill(-proc.pid, 'SIGHUP');
    } catch {
      /* not a group leader, or already gone */
    }
    const timer = setTimeout(() => {
      try {
        process.kill(proc.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, KILL_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

/** NonInteractiveCommands: pipes, stdout as 1, stderr as 11 (or merged), then EXIT_CODE as 12. */
export class CommandHandler implements SessionHandler {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private atLineStart = { out: true, err: true };

  constructor(
    private readonly spec: AgentSessionSpec,
    private readonly dataDir: string,
    private readonly host: HandlerHost,
  ) {}

  start(): void {
    const home = homeDir(this.dataDir, this.spec.node.instanceId);
    const props = commandProps(this.spec.properties);
    const child = spawnChild(SHELL, [...SHELL_ARGS, '-c', props.commands], {
      cwd: home,
      env: shellEnv(this.spec, home, nodePath(this.dataDir, this.spec.node)),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so stop() reaches the command's children too
    });
    this.child = child;
    const sep = props.separateOutputStream;
    const stdoutDone = new Promise<void>((r) => child.stdout?.on('end', r).on('error', () => r()));
    const stderrDone = new Promise<void>((r) => child.stderr?.on('end', r).on('error', () => r()));
    child.stdout?.on('data', (d: Buffer) => this.emit('out', d, PayloadType.Output, sep ? props.stdOutSeparatorPrefix : ''));
    child.stderr?.on('data', (d: Buffer) =>
      this.emit('err', d, sep ? PayloadType.StdErr : PayloadType.Output, sep ? props.stdErrSeparatorPrefix : ''),
    );
    child.stdin?.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      let code = 0;
      child.on('error', (err) => {
        this.child = undefined;
        resolve();
        this.host.failed(`Unable to start command: ${err.message}`);
      });
      child.on('exit', (c, signal) => {
        code = c ?? 128 + (signal ? signalNumber(signal) : 0);
      });
      child.on('close', () => {
        this.child = undefined;
        // 'close' fires after the pipes ended, so all output precedes EXIT_CODE.
        void Promise.all([stdoutDone, stderrDone]).then(() => {
          if (sep) this.host.output(PayloadType.ExitCode, encodeExitCode(code));
          resolve();
          this.host.ended({ reason: 'exit', exitCode: code });
        });
      });
    });
  }

  private emit(stream: 'out' | 'err', d: Buffer, type: PayloadType, prefix: string): void {
    if (!prefix) {
      this.host.output(type, d);
      return;
    }
    // Prefix every line start; latin1 keeps the bytes intact through the regex.
    let text = d.toString('latin1').replace(/\n(?=.)/gs, `\n${prefix}`);
    if (this.atLineStart[stream]) text = prefix + text;
    this.atLineStart[stream] = d[d.length - 1] === 0x0a;
    this.host.output(type, Buffer.from(text, 'latin1'));
  }

  input(payloadType: number, payload: Buffer): boolean {
    const child = this.child;
    if (!child) return true;
    // The agent only looks for Ctrl-C / Ctrl-\ in a non-interactive session (spec 8.2).
    if (payloadType === PayloadType.Output) {
      if (payload.includes(0x03)) this.signal('SIGINT');
      if (payload.includes(0x1c)) this.signal('SIGQUIT');
    }
    return true;
  }

  private signal(sig: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, sig);
    } catch {
      /* gone */
    }
  }

  pause(): void {
    this.child?.stdout?.pause();
    this.child?.stderr?.pause();
  }

  resume(): void {
    this.child?.stdout?.resume();
    this.child?.stderr?.resume();
  }

  async stop(): Promise<void> {
    if (!this.child || !this.exited) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), KILL_GRACE_MS);
    this.resume(); // drained pipes let the process exit
    await this.exited;
    clearTimeout(timer);
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  const n = osConstants.signals[signal];
  return typeof n === 'number' ? n : 0;
}
