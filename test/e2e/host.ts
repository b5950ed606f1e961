// Starts `hatch-web` as a user would, with a fresh HOME (so the built-in Sandbox profile
// is all there is, unless AWS config files are given), and returns its tokenised URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunningHost {
  url: string;
  home: string;
  /** The process's exit code, null while it runs. */
  exitCode(): number | null;
  /** What it printed on stderr (when started with quiet). */
  stderr(): string;
  stop(): void;
}

/** `quiet` collects stderr instead of passing it through (tests that provoke many warnings). */
export async function startHatchWeb(files: { config?: string; credentials?: string } = {}, options: { quiet?: boolean } = {}): Promise<RunningHost> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'hatch-e2e-home-'));
  writeFileSync(path.join(home, 'aws-config'), files.config ?? '');
  if (files.credentials) writeFileSync(path.join(home, 'aws-credentials'), files.credentials, { mode: 0o600 });
  const child: ChildProcess = spawn(process.execPath, [path.resolve('bin/hatch-web.cjs'), '--no-open', '--port', '0'], {
    stdio: ['ignore', 'pipe', options.quiet ? 'pipe' : 'inherit'],
    env: { ...process.env, HOME: home, AWS_CONFIG_FILE: path.join(home, 'aws-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'aws-credentials') },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-100_000)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out);
      if (match) resolve(match[0]);
    });
    child.once('exit', (code) => reject(new Error(`hatch-web exited with ${code}: ${out}`)));
  });
  return { url, home, exitCode: () => child.exitCode ?? (child.signalCode ? 128 : null), stderr: () => stderr, stop: () => child.kill('SIGTERM') };
}
