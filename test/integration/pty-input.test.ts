// Input to a pty that has ended is dropped quietly (src/runtime/pty-input.ts): no
// "Unhandled pty write error ... EBADF" from node-pty's write queue after the terminal
// closed, no throw from a write or resize after the exit. Real ptys, real shells.
import { createHash, randomBytes } from 'node:crypto';
import * as pty from 'node-pty';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PtyInput } from '../../src/runtime/pty-input';
import { spawnLocalPty } from '../../src/main/sessions/pty';

const BIG = Buffer.alloc(1 << 20, 0x61);

/** Resolves with the exit, or fails naming what it waited for. */
function exited(p: { onExit(cb: (e: { exitCode: number }) => void): unknown }, what: string): Promise<{ exitCode: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gave up after 15 s waiting for ${what} to exit`)), 15_000);
    p.onExit((e) => {
      clearTimeout(timer);
      resolve(e);
    });
  });
}

/** A few turns of the event loop, so node-pty's write loop (setImmediate, fs.write) runs again. */
const settle = () => new Promise((r) => setTimeout(r, 300));

describe('input to a pty that has ended', () => {
  const errors: unknown[][] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    errors.length = 0;
  });
  const watchErrors = () => vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args));
  const ptyErrors = () => errors.filter((a) => String(a[0]).includes('pty write error'));

  it('drops what node-pty still queued when the shell exits without reading it, and later writes', async () => {
    watchErrors();
    // Raw mode: the terminal's input buffer fills and node-pty keeps the rest queued.
    const proc = pty.spawn('/bin/sh', ['-c', 'stty raw -echo; sleep 0.5'], { cols: 80, rows: 24 });
    const input = new PtyInput(proc);
    const exit = exited(proc, 'a shell that never reads its input');
    input.write(BIG);
    expect((await exit).exitCode).toBe(0);
    expect(input.isEnded).toBe(true);
    expect(() => input.write('after the exit')).not.toThrow();
    expect(() => input.resize(100, 30)).not.toThrow();
    await settle();
    expect(ptyErrors()).toEqual([]);
  });

  it('is quiet when the shell is killed during a large write (the app’s local pty)', async () => {
    watchErrors();
    const p = spawnLocalPty({ file: '/bin/sh', args: ['-c', 'stty raw -echo; sleep 30'], cols: 80, rows: 24, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    const exit = exited(p, 'a killed shell');
    p.write(BIG.toString('latin1'));
    await new Promise((r) => setTimeout(r, 100));
    p.kill('SIGKILL');
    await exit;
    expect(() => p.write('typed after the close')).not.toThrow();
    expect(() => p.resize(120, 40)).not.toThrow();
    await settle();
    expect(ptyErrors()).toEqual([]);
  });

  it('delivers many small pieces in order and intact (queued pieces are joined into larger writes)', async () => {
    // 4 MB of text in pieces of 1..3000 bytes, written at once: the queue joins them.
    const text = randomBytes(3 << 20).toString('base64');
    const proc = pty.spawn('/bin/sh', ['-c', `stty raw -echo; echo READY; head -c ${text.length} | sha256sum`], { cols: 80, rows: 24 });
    const input = new PtyInput(proc);
    let out = '';
    proc.onData((d) => (out += d));
    const exit = exited(proc, 'head | sha256sum reading the input');
    const deadline = Date.now() + 15_000;
    while (!out.includes('READY')) {
      if (Date.now() > deadline) throw new Error(`gave up waiting for READY; saw ${JSON.stringify(out)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    let pieces = 0;
    for (let at = 0; at < text.length; pieces++) {
      const size = 1 + ((pieces * 7919) % 3000);
      input.write(Buffer.from(text.slice(at, at + size), 'latin1'));
      at += size;
    }
    expect(pieces).toBeGreaterThan(2000);
    expect((await exit).exitCode).toBe(0);
    expect(out).toContain(createHash('sha256').update(text).digest('hex'));
  });
});
