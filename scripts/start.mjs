// `npm start`: build when needed, then the Electron app; where Electron's binary is not
// installed (our build machines cannot download it), the browser host instead.
import { existsSync, statSync, readdirSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

const builtMarker = path.join(root, 'dist/renderer/index.html');
if (!existsSync(builtMarker) || newestMtime(path.join(root, 'src')) > statSync(builtMarker).mtimeMs) {
  console.log('Building Hatch…');
  const result = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function findElectron() {
  try {
    const binary = require('electron'); // the binary's path, or a throw when it was never downloaded
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}
const electronBinary = findElectron();

const child = electronBinary
  ? spawn(electronBinary, [root], { stdio: 'inherit' })
  : (console.log('Electron is not installed on this machine; starting the browser host instead.'),
    spawn(process.execPath, [path.join(root, 'bin/hatch-web.cjs'), ...process.argv.slice(2)], { stdio: 'inherit' }));
child.on('exit', (code) => process.exit(code ?? 0));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
