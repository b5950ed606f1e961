// Temp HOME + AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE per test: never the real ~/.aws.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TempAws {
  home: string;
  config: string;
  credentials: string;
  env: NodeJS.ProcessEnv;
  write(file: 'config' | 'credentials', text: string): void;
  cleanup(): void;
}

export function tempAws(files: { config?: string; credentials?: string } = {}): TempAws {
  const home = mkdtempSync(path.join(tmpdir(), 'hatch-aws-'));
  mkdirSync(path.join(home, '.aws'), { recursive: true });
  const config = path.join(home, '.aws', 'config');
  const credentials = path.join(home, '.aws', 'credentials');
  const env: NodeJS.ProcessEnv = { HOME: home, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials };
  const t: TempAws = {
    home,
    config,
    credentials,
    env,
    write(file, text) {
      writeFileSync(file === 'config' ? config : credentials, text, { mode: 0o600 });
    },
    cleanup() {
      rmSync(home, { recursive: true, force: true });
    },
  };
  if (files.config !== undefined) t.write('config', files.config);
  if (files.credentials !== undefined) t.write('credentials', files.credentials);
  return t;
}

/** Point the SDK's own file lookups (HOME, sso cache) at the temp dir for this test. */
export function useEnv(env: NodeJS.ProcessEnv): () => void {
  const saved = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(env)) {
    saved.set(key, process.env[key]);
    process.env[key] = value;
  }
  for (const key of ['AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    if (!(key in env)) {
      saved.set(key, process.env[key]);
      delete process.env[key];
    }
  }
  return () => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
