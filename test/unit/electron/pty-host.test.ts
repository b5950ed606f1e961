// The pty host end to end without Electron: main's PtyHost talks to a fake utility process
// that runs the worker's PtyHostCore in-process with the real node-pty, each message
// structured-cloned as it would be across the process boundary.
import { EventEmitter } from 'node:events';
import * as pty from 'node-pty';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as fake from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

const { PtyHost } = await import('../../../src/main/app/pty-host');
const { PtyHostCore } = await import('../../../src/main/pty-host/pty-host-core');
const { isToPtyHost } = await import('../../../src/main/pty-host/protocol');

const unix = process.platform !== 'win32';
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color' };
let children: Array<EventEmitter & { core: InstanceType<typeof PtyHostCore>; crash(): void }>;

beforeEach(() => {
  fake.reset();
  children = [];
  fake.utilityProcess.forkImpl = () => {
    const child = Object.assign(new EventEmitter(), {
      core: undefined as unknown as InstanceType<typeof PtyHostCore>,
      postMessage: (message: unknown) => child.core.handle(structuredClone(message)),
      kill: () => (child.core.dispose(), child.emit('exit', 0), true),
      crash: () => (child.core.dispose(), child.emit('exit', 139)),
    });
    child.core = new PtyHostCore(pty.spawn, (message) => child.emit('message', structuredClone(message)));
    children.push(child);
    return child;
  };
});
afterEach(() => {
  for (const child of children) child.core.dispose();
});

const exitOf = (handle: { onExit(listener: (exit: unknown) => void): void }) => new Promise<{ exitCode: number; signal: number | null; error: string | null }>((resolve) => handle.onExit(resolve as never));

describe.runIf(unix)('pty host', () => {
  it('runs a program in a pty and reports its output and exit status', async () => {
    const host = new PtyHost('/dist/main/pty-host.cjs');
    const handle = host.spawn({ file: '/bin/sh', args: ['-c', 'printf "hello from %s" "$(tty | cut -c1-8)"; exit 3'], cols: 80, rows: 24, env });
    let output = '';
    handle.onData((data) => (output += data));
    const exit = exitOf(handle);
    expect(await handle.pid).toBeGreaterThan(0);
    expect(await exit).toMatchObject({ exitCode: 3, error: null });
    expect(output).toContain('hello from /dev/pt');
    expect(fake.utilityProcess.fork).toHaveBeenCalledTimes(1);
    expect(fake.utilityProcess.fork.mock.calls[0][0]).toBe('/dist/main/pty-host.cjs');
  });

  it('carries keystrokes and resizes to the child', async () => {
    const host = new PtyHost('worker');
    const handle = host.spawn({ file: '/bin/sh', args: ['-c', 'read line; stty size; echo "got $line"'], cols: 80, rows: 24, env });
    let output = '';
    handle.onData((data) => (output += data));
    const exit = exitOf(handle);
    await handle.pid;
    handle.resize(100, 30);
    handle.write('ping\r');
    await exit;
    expect(output).toContain('30 100');
    expect(output).toContain('got ping');
  });

  it('reports a program that cannot be started as an error exit', async () => {
    const host = new PtyHost('worker');
    const handle = host.spawn({ file: '/nonexistent/program', args: [], cols: 80, rows: 24, env });
    const exit = await exitOf(handle);
    // node-pty forks before exec on Unix: the failure shows as a non-zero exit, not a throw.
    expect(exit.exitCode).not.toBe(0);
  });

  it('ends every session when the host dies, and starts a new host for the next one', async () => {
    const host = new PtyHost('worker');
    const handle = host.spawn({ file: '/bin/sh', args: ['-c', 'sleep 30'], cols: 80, rows: 24, env });
    await handle.pid;
    const exit = exitOf(handle);
    children[0].crash();
    expect(await exit).toMatchObject({ exitCode: -1, error: expect.stringContaining('stopped unexpectedly') });
    const next = host.spawn({ file: '/bin/sh', args: ['-c', 'exit 0'], cols: 80, rows: 24, env });
    expect(await exitOf(next)).toMatchObject({ exitCode: 0 });
    expect(fake.utilityProcess.fork).toHaveBeenCalledTimes(2);
  });

  it('kills a session on request', async () => {
    const host = new PtyHost('worker');
    const handle = host.spawn({ file: '/bin/sh', args: ['-c', 'sleep 30'], cols: 80, rows: 24, env });
    await handle.pid;
    const exit = exitOf(handle);
    handle.kill('SIGTERM');
    expect(await exit).toMatchObject({ signal: 15, error: null });
  });
});

describe('pty host batching', () => {
  it('coalesces a burst of pty reads into a few messages in its own process, and sends the last output before the exit', async () => {
    // A stand-in pty: the test drives its reads; everything else is the real PtyHostCore.
    const emitter = new EventEmitter();
    const fakePty = {
      pid: 4242,
      onData: (listener: (data: string) => void) => void emitter.on('data', listener),
      onExit: (listener: (exit: { exitCode: number; signal?: number }) => void) => void emitter.on('exit', listener),
      write: () => undefined,
      resize: () => undefined,
      pause: () => undefined,
      resume: () => undefined,
      kill: () => undefined,
    };
    const posted: Array<{ type: string; data?: string }> = [];
    const core = new PtyHostCore((() => fakePty) as never, (message) => posted.push(message));
    core.handle({ type: 'spawn', id: 's', options: { file: '/bin/sh', args: [], cols: 80, rows: 24, env: {} } });
    let sent = '';
    for (let i = 0; i < 500; i++) {
      const chunk = `line ${i}\r\n`;
      sent += chunk;
      emitter.emit('data', chunk);
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
    const data = posted.filter((m) => m.type === 'data');
    expect(data.map((m) => m.data).join('')).toBe(sent);
    expect(data.length).toBeLessThanOrEqual(2); // the first read at once, the rest as one batch
    emitter.emit('data', 'bye\r\n');
    emitter.emit('exit', { exitCode: 0 });
    expect(posted.slice(-2)).toEqual([
      { type: 'data', id: 's', data: 'bye\r\n' },
      { type: 'exit', id: 's', exitCode: 0, signal: null },
    ]);
  });
});

describe('pty host protocol', () => {
  it('accepts well-formed messages and rejects the rest', () => {
    expect(isToPtyHost({ type: 'spawn', id: 'a', options: { file: '/bin/sh', args: [], cols: 80, rows: 24, env: {} } })).toBe(true);
    expect(isToPtyHost({ type: 'write', id: 'a', data: 'ls\r' })).toBe(true);
    expect(isToPtyHost({ type: 'resize', id: 'a', cols: 80, rows: 24 })).toBe(true);
    expect(isToPtyHost({ type: 'kill', id: 'a' })).toBe(true);
    for (const bad of [
      null,
      'spawn',
      { type: 'spawn', id: 'a', options: { file: '', args: [], cols: 80, rows: 24, env: {} } },
      { type: 'spawn', id: 'a', options: { file: '/bin/sh', args: [1], cols: 80, rows: 24, env: {} } },
      { type: 'spawn', id: 'a', options: { file: '/bin/sh', args: [], cols: 80, rows: 24, env: { A: 1 } } },
      { type: 'resize', id: 'a', cols: 0, rows: 24 },
      { type: 'resize', id: 'a', cols: 80.5, rows: 24 },
      { type: 'write', id: 'a', data: 42 },
      { type: 'write', id: '', data: 'x' },
      { type: 'exec', id: 'a' },
    ]) {
      expect(isToPtyHost(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('answers a malformed message with an error instead of throwing', () => {
    const posted: unknown[] = [];
    const core = new PtyHostCore(pty.spawn, (message) => posted.push(message));
    core.handle({ type: 'write', id: 'x', data: 7 });
    core.handle(undefined);
    expect(posted).toEqual([
      { type: 'error', id: 'x', message: 'malformed message to the pty host' },
      { type: 'error', id: '', message: 'malformed message to the pty host' },
    ]);
  });
});
