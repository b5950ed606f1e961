// Builds every process of Hatch: Node-side bundles with esbuild, the renderer with Vite.
// Usage: node scripts/build.mjs [--node-only | --renderer-only]
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv[2];
const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;

// Each Node-side entry point becomes one CommonJS file; npm packages stay external.
const nodeEntries = [
  ['src/main/app/electron.ts', 'dist/main/electron.cjs'],
  ['src/preload/preload.ts', 'dist/preload/preload.cjs'],
  ['src/host-web/cli.ts', 'dist/host-web/cli.cjs'],
  ['src/sandbox/cli.ts', 'dist/sandbox/cli.cjs'],
  ['src/plugin-cli/cli.ts', 'dist/plugin-cli/cli.cjs'],
  ['src/cli/cli.ts', 'dist/cli/cli.cjs'],
  // node-pty sessions of the Electron app run in this utility process (docs/architecture-notes.md).
  ['src/main/pty-host/worker.ts', 'dist/main/pty-host.cjs'],
];

if (only !== '--renderer-only') {
  for (const [entry, outfile] of nodeEntries) {
    if (!existsSync(path.join(root, entry))) continue;
    await build({
      entryPoints: [path.join(root, entry)],
      outfile: path.join(root, outfile),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      packages: 'external',
      sourcemap: true,
      logLevel: 'warning',
      define: { __HATCH_VERSION__: JSON.stringify(version) },
    });
  }
}

if (only !== '--node-only') {
  execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
}
