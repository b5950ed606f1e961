// Starts `hatch-web` as a user would, with a fresh HOME (so the built-in Sandbox profile
// is all there is, unless AWS config files are given), and returns its tokenised URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunningHost {
  url: string;
  home: string;
  stop(): void;
}

export async function startHatchWeb(files: { config?: string; credentials?: string } = {}): Promise<RunningHost> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'hatch-e2e-home-'));
  writeFileSync(path.join(home, 'aws-config'), files.config ?? '');
  if (files.credentials) writeFileSync(path.join(home, 'aws-credentials'), files.credentials, { mode: 0o600 });
  const child: ChildProcess = spawn(process.execPath, [path.resolve('bin/hatch-web.cjs'), '--no-open', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, HOME: home, AWS_CONFIG_FILE: path.join(home, 'aws-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'aws-credentials') },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out);
      if (match) resolve(match[0]);
    });
    child.once('exit', (code) => reject(new Error(`hatch-web exited with ${code}: ${out}`)));
  });
  return { url, home, stop: () => child.kill('SIGTERM') };
}
