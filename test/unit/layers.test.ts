// The folders are layers (docs/architecture.md): this test fails when an import crosses
// one the wrong way. It reads every source file's import specifiers, resolves the
// relative ones, and checks each layer against what it may use.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const src = path.join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|mts|cts)$/.test(name) ? [full] : [];
  });
}

/** Every module a file imports: static, dynamic, re-exports and `require`. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\(\s*|\bexport\s*\*\s*from\s*)['"]([^'"]+)['"]/g;
  for (const match of text.matchAll(pattern)) found.push(match[1]);
  return found;
}

/** The src/ folder (e.g. "protocol", "main") a relative import lands in, or null for a package. */
function layerOf(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = path.relative(src, path.resolve(path.dirname(file), specifier));
  if (target.startsWith('..')) return `outside src (${target})`;
  return target.split(path.sep)[0];
}

function violations(layer: string, allowed: (targetLayer: string, specifier: string) => boolean): string[] {
  const bad: string[] = [];
  for (const file of sourceFiles(path.join(src, layer))) {
    for (const specifier of importsOf(file)) {
      const target = layerOf(file, specifier);
      if (target === null) continue;
      if (!allowed(target, specifier)) bad.push(`${path.relative(root, file)} imports ${specifier} (${target})`);
    }
  }
  return bad;
}

describe('layers', () => {
  it('src/protocol imports only itself, node built-ins and its npm libraries', () => {
    expect(violations('protocol', (target) => target === 'protocol')).toEqual([]);
  });

  it('src/sandbox never imports src/main', () => {
    expect(violations('sandbox', (target) => target !== 'main' && target !== 'renderer')).toEqual([]);
  });

  it('the renderer imports only itself and src/shared', () => {
    expect(violations('renderer', (target) => target === 'renderer' || target === 'shared')).toEqual([]);
  });

  it('src/shared and src/runtime import nothing of the other layers', () => {
    expect(violations('shared', (target) => target === 'shared')).toEqual([]);
    expect(violations('runtime', (target) => target === 'runtime')).toEqual([]);
  });

  it('services reach Electron only through src/main/app', () => {
    const bad = sourceFiles(src)
      .filter((file) => !file.startsWith(path.join(src, 'main', 'app')) && !file.startsWith(path.join(src, 'preload')))
      .filter((file) => importsOf(file).some((specifier) => specifier === 'electron' || specifier.startsWith('electron/')))
      .map((file) => path.relative(root, file));
    expect(bad).toEqual([]);
  });

  it('HatchHost is the one composition root: no service imports src/main/host.ts', () => {
    // Only the transports and entry points that run a HatchHost may import it.
    const mayImport = [path.join(src, 'main', 'app'), path.join(src, 'host-web'), path.join(src, 'cli')];
    const host = path.join(src, 'main', 'host');
    const bad = sourceFiles(src)
      .filter((file) => !mayImport.some((dir) => file.startsWith(dir + path.sep)))
      .filter((file) => importsOf(file).some((specifier) => specifier.startsWith('.') && path.resolve(path.dirname(file), specifier) === host))
      .map((file) => path.relative(root, file));
    expect(bad).toEqual([]);
  });

  it('catches a crossing (the check itself works)', () => {
    const file = path.join(src, 'protocol', 'codec.ts');
    expect(layerOf(file, '../main/host')).toBe('main');
    expect(layerOf(file, './channel')).toBe('protocol');
    expect(layerOf(file, 'ws')).toBeNull();
    expect(importsOf(path.join(src, 'sandbox', 'agent', 'session.ts')).some((s) => s.includes('protocol'))).toBe(true);
  });
});

describe('the repository stands alone', () => {
  it('nothing in src, test, bench, scripts or the README points outside it', () => {
    const folders = ['src', 'test', 'bench', 'scripts'].map((name) => path.join(root, name));
    const files = [...folders.flatMap((dir) => allFiles(dir)), path.join(root, 'README.md'), path.join(root, 'package.json')];
    const outside = files.filter((file) => /shared\/(vectors|docs|hooks)\b/.test(readFileSync(file, 'utf8')));
    expect(outside.map((file) => path.relative(root, file)).filter((file) => file !== 'test/unit/layers.test.ts')).toEqual([]);
  });
});

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' ? [] : allFiles(full);
    return /\.(ts|tsx|mts|mjs|cjs|js|json|md)$/.test(name) ? [full] : [];
  });
}
