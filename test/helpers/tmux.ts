// A real terminal for programs that need one (the AWS CLI's interactive sessions): a
// private tmux server on its own socket runs a command in a pane; the test types into it
// and reads the screen. Everything lives in a temp dir removed by kill().
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TmuxPane {
  /** Keys as tmux send-keys takes them: text literally, then optional key names (Enter). */
  type(text: string, ...keys: string[]): Promise<void>;
  /** The pane's visible text plus its scroll-back. */
  screen(): Promise<string>;
  /** Waits until the screen matches; on the deadline, says what it waited for and what it saw. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(): Promise<void>;
}

const run = (args: string[]) =>
  new Promise<string>((resolve, reject) =>
    execFile('tmux', args, { encoding: 'utf8', timeout: 10_000 }, (error, stdout, stderr) => (error ? reject(new Error(`tmux ${args[2] ?? ''}: ${stderr || error.message}`)) : resolve(stdout))),
  );

/** Runs `command` with `env` (exported from a script, so nothing leaks through tmux's own env) in a 120×30 pane. */
export async function startTmux(command: string[], env: Record<string, string>): Promise<TmuxPane> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hatch-tmux-'));
  const socket = path.join(dir, 'sock');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = [
    ...Object.entries(env).map(([k, v]) => `export ${k}=${quote(v)}`),
    command.map(quote).join(' '),
    // The pane stays so the test can read how the command ended.
    'echo "[exit status $?]"',
    'sleep 600',
  ].join('\n');
  writeFileSync(path.join(dir, 'run.sh'), `${script}\n`, { mode: 0o700 });
  await run(['-S', socket, '-f', '/dev/null', 'new-session', '-d', '-x', '120', '-y', '30', 'bash', path.join(dir, 'run.sh')]);
  await run(['-S', socket, 'set-option', '-g', 'history-limit', '5000']);
  const pane: TmuxPane = {
    async type(text, ...keys) {
      if (text) await run(['-S', socket, 'send-keys', '-l', text]);
      if (keys.length) await run(['-S', socket, 'send-keys', ...keys]);
    },
    screen: () => run(['-S', socket, 'capture-pane', '-p', '-J', '-S', '-5000']),
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let seen = '';
      while (Date.now() < deadline) {
        seen = await pane.screen().catch((e: Error) => `(capture failed: ${e.message})`);
        if (pattern.test(seen)) return seen;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${pattern} in the tmux pane; it shows:\n${seen}`);
    },
    async kill() {
      await run(['-S', socket, 'kill-server']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return pane;
}
