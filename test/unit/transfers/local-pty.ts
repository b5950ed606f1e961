// A TransferChannel over a local interactive bash in a real pty (as a sandbox node's shell
// is), for tests of the node scripts without a session in between.
import * as pty from 'node-pty';
import type { TransferChannel } from '../../../src/main/transfers/remote-shell';

export function localPtyChannel(home: string, env: Record<string, string> = {}): TransferChannel & { pty: pty.IPty } {
  const proc = pty.spawn('/bin/bash', ['--noprofile', '--norc'], {
    name: 'xterm-256color',
    cols: 120,
    rows: 40,
    cwd: home,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', TERM: 'xterm-256color', PS1: 'node$ ', ...env },
    encoding: null,
  });
  const drains = new Set<() => void>();
  let resolveEnded!: (why: string) => void;
  const ended = new Promise<string>((resolve) => (resolveEnded = resolve));
  proc.onExit((e) => resolveEnded(`exit ${e.exitCode}`));
  return {
    pty: proc,
    write: (data) => {
      proc.write(data as unknown as string);
      return true;
    },
    onData: (listener) => {
      const sub = proc.onData((d: string | Buffer) => listener(typeof d === 'string' ? Buffer.from(d) : d));
      return () => sub.dispose();
    },
    onDrain: (listener) => {
      drains.add(listener);
      return () => drains.delete(listener);
    },
    ended,
    pauseOutput: () => proc.pause(),
    resumeOutput: () => proc.resume(),
    close: async () => {
      proc.kill();
      await Promise.race([ended, new Promise((r) => setTimeout(r, 2000))]);
    },
  };
}
