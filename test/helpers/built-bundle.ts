// Tests that run a built command (hatch-ssm-plugin, hatch-web) make sure the bundle is fresh; a lock
// directory keeps parallel test files from building at the same time.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');
export const pluginBin = path.join(repoRoot, 'bin/hatch-ssm-plugin.cjs');
const bundle = path.join(repoRoot, 'dist/plugin-cli/cli.cjs');

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

export async function ensurePluginBuilt(): Promise<void> {
  await ensureNodeBuilt(bundle, ['src/plugin-cli', 'src/protocol']);
}

/** The built hatch-web (its Node bundle; the renderer must have been built once). */
export async function ensureHostWebBuilt(): Promise<void> {
  await ensureNodeBuilt(path.join(repoRoot, 'dist/host-web/cli.cjs'), ['src/host-web', 'src/main', 'src/shared', 'src/protocol', 'src/sandbox', 'src/runtime']);
}

export const hatchBin = path.join(repoRoot, 'bin/hatch.cjs');

/** The `hatch` command's bundle, rebuilt when anything it bundles is newer. */
export async function ensureCliBuilt(): Promise<void> {
  await ensureNodeBuilt(path.join(repoRoot, 'dist/cli/cli.cjs'), ['src/cli', 'src/main', 'src/protocol', 'src/shared', 'src/sandbox', 'src/runtime']);
}

async function ensureNodeBuilt(output: string, sources: string[]): Promise<void> {
  const fresh = () => existsSync(output) && statSync(output).mtimeMs >= Math.max(...sources.map((dir) => newestMtime(path.join(repoRoot, dir))));
  if (fresh()) return;
  const lock = path.join(repoRoot, 'dist/.plugin-build.lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  try {
    mkdirSync(lock);
  } catch {
    for (let i = 0; i < 600 && existsSync(lock); i++) await new Promise((r) => setTimeout(r, 50));
    return;
  }
  try {
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts/build.mjs'), '--node-only'], { cwd: repoRoot, stdio: 'pipe' });
  } finally {
    rmdirSync(lock);
  }
}

/**
 * An environment in which `/usr/bin/aws` finds hatch-ssm-plugin as session-manager-plugin
 * and talks to the given sandbox (no user config, no pager). Returns the PATH folder to clean up.
 */
export function awsCliEnvWithPlugin(sandboxEnv: Record<string, string>): { binDir: string; env: Record<string, string> } {
  const binDir = mkdtempSync(path.join(os.tmpdir(), 'hatch-plugin-path-'));
  symlinkSync(pluginBin, path.join(binDir, 'session-manager-plugin'));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...sandboxEnv,
    PATH: `${binDir}:${process.env.PATH ?? ''}`,
    AWS_CONFIG_FILE: path.join(binDir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(binDir, 'no-credentials'),
    AWS_PAGER: '',
  };
  delete env.AWS_PROFILE;
  return { binDir, env };
}
