// Finds AWS's session-manager-plugin the way an operator installed it: on PATH, or in
// the installer's usual places on macOS, Windows and Linux.
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';

export interface PluginInfo {
  found: boolean;
  path: string | null;
  version: string | null;
  /** How to get it, when it is missing. */
  installHint: string;
}

const INSTALL_HINT: Record<string, string> = {
  darwin: 'Install it with "brew install --cask session-manager-plugin" or AWS\'s signed installer, or use Hatch\'s built-in engine.',
  win32: 'Install SessionManagerPluginSetup.exe from AWS, or use Hatch\'s built-in engine.',
  linux: 'Install AWS\'s session-manager-plugin .deb or .rpm package, or use Hatch\'s built-in engine.',
};

export function usualPluginPaths(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string[] {
  const exe = platform === 'win32' ? 'session-manager-plugin.exe' : 'session-manager-plugin';
  const delimiter = platform === 'win32' ? ';' : ':';
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  const onPath = (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, exe));
  const usual =
    platform === 'darwin'
      ? ['/usr/local/sessionmanagerplugin/bin/session-manager-plugin', '/opt/homebrew/bin/session-manager-plugin', '/usr/local/bin/session-manager-plugin']
      : platform === 'win32'
        ? [join(env.ProgramFiles ?? 'C:\\Program Files', 'Amazon', 'SessionManagerPlugin', 'bin', exe)]
        : ['/usr/local/sessionmanagerplugin/bin/session-manager-plugin', '/usr/local/bin/session-manager-plugin', '/usr/bin/session-manager-plugin'];
  return [...new Set([...onPath, ...usual])];
}

export async function locatePlugin(candidates: string[] = usualPluginPaths()): Promise<PluginInfo> {
  const installHint = INSTALL_HINT[process.platform] ?? INSTALL_HINT.linux;
  for (const candidate of candidates) {
    const ok = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (!ok) continue;
    const version = await new Promise<string | null>((resolve) => {
      execFile(candidate, ['--version'], { timeout: 5000 }, (error, stdout) => resolve(error ? null : stdout.trim() || null));
    });
    if (version && /^\d+(\.\d+){0,3}$/.test(version)) return { found: true, path: candidate, version, installHint };
  }
  return { found: false, path: null, version: null, installHint };
}
