// Which Remote Desktop client opens an .rdp file on this platform, and opening it:
// Windows mstsc; macOS the Windows App (or the older Microsoft Remote Desktop) through
// `open`; Linux Remmina or FreeRDP when installed. None found: the dialog shows the address.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

type LauncherKind = 'mstsc' | 'windows-app' | 'remmina' | 'xfreerdp' | 'none';

interface Launcher {
  kind: LauncherKind;
  /** The program and its arguments before the .rdp file's path. */
  command: string[];
}

export interface LauncherProbe {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Does this file exist (an app bundle, an executable)? */
  exists(file: string): boolean;
}

export const systemProbe = (env: NodeJS.ProcessEnv = process.env): LauncherProbe => ({ platform: process.platform, env, exists: (file) => existsSync(file) });

function which(name: string, probe: LauncherProbe): string | null {
  const sep = probe.platform === 'win32' ? ';' : ':';
  for (const dir of (probe.env.PATH ?? '').split(sep)) {
    if (!dir) continue;
    const candidate = probe.platform === 'win32' ? path.win32.join(dir, `${name}.exe`) : path.posix.join(dir, name);
    if (probe.exists(candidate)) return candidate;
  }
  return null;
}

/** The client for this platform, or `none` with no command. */
export function chooseLauncher(probe: LauncherProbe): Launcher {
  switch (probe.platform) {
    case 'win32': {
      const root = probe.env.SystemRoot ?? probe.env.windir ?? 'C:\\Windows';
      const mstsc = path.win32.join(root, 'System32', 'mstsc.exe');
      if (probe.exists(mstsc)) return { kind: 'mstsc', command: [mstsc] };
      const onPath = which('mstsc', probe);
      return onPath ? { kind: 'mstsc', command: [onPath] } : { kind: 'none', command: [] };
    }
    case 'darwin': {
      // Microsoft renamed Remote Desktop to Windows App in 2024; either opens .rdp files.
      for (const app of ['Windows App', 'Microsoft Remote Desktop']) {
        if (probe.exists(`/Applications/${app}.app`)) return { kind: 'windows-app', command: ['/usr/bin/open', '-a', app] };
      }
      return { kind: 'none', command: [] };
    }
    default: {
      const remmina = which('remmina', probe);
      if (remmina) return { kind: 'remmina', command: [remmina, '-c'] };
      for (const name of ['xfreerdp3', 'xfreerdp', 'wlfreerdp']) {
        const found = which(name, probe);
        if (found) return { kind: 'xfreerdp', command: [found] };
      }
      return { kind: 'none', command: [] };
    }
  }
}

/** Starts a program detached from Hatch (it outlives the app); resolves once it started or failed to. */
export type Spawner = (command: string, args: string[]) => Promise<void>;

export const spawnDetached: Spawner = (command, args) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', windowsHide: false });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });

/** Opens `file` with the launcher (no shell: the path is one argument). */
export async function launch(launcher: Launcher, file: string, spawner: Spawner = spawnDetached): Promise<void> {
  if (launcher.kind === 'none') throw new Error('no Remote Desktop client');
  if (!statSync(file).isFile()) throw new Error(`${file} is not a file`);
  const [command, ...args] = launcher.command;
  await spawner(command, [...args, file]);
}
