// How another program (ssh's ProxyCommand) runs the `hatch` command: an installed `hatch`
// on PATH, else this checkout's bin/hatch.cjs with the Node running us.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

function onPath(name: string, env: NodeJS.ProcessEnv): string | null {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext.toLowerCase());
      try {
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** bin/hatch.cjs of this installation, found upwards from the running bundle or source file. */
function bundledBin(): string | null {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'bin', 'hatch.cjs');
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return null;
}

/**
 * The words that start `hatch`, or null when there is none a shell could run (the packaged
 * Electron app's binary is not Node: then `hatch` must be installed on PATH).
 */
export function hatchCommandLine(env: NodeJS.ProcessEnv = process.env): string[] | null {
  const installed = onPath('hatch', env);
  if (installed) return [installed];
  const bin = bundledBin();
  if (bin && !process.versions.electron) return [process.execPath, bin];
  return null;
}
