// electron-builder.yml cannot be exercised here (no Electron download), so it is checked
// against electron-builder's own schema, and every file it points at must exist.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const root = path.resolve(__dirname, '../../..');
// electron-builder's own YAML parser, so the file is read the way it will read it.
const yaml = createRequire(require.resolve('app-builder-lib'))('js-yaml');
const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));

describe('electron-builder.yml', () => {
  it('matches electron-builder’s configuration schema', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
    const { DebugLogger } = require('builder-util');
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('builds the agreed targets with hardened macOS and flipped fuses', () => {
    expect(config).toMatchObject({ appId: 'dev.hatch.app', productName: 'Hatch', afterPack: 'scripts/after-pack.cjs' });
    expect(config.mac.target).toEqual(['dmg', 'zip']);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.asarUnpack).toContain('node_modules/node-pty/**/*');
  });

  it('points only at files that exist', () => {
    for (const file of [config.afterPack, config.mac.entitlements, config.mac.entitlementsInherit, config.mac.icon, config.win.icon, config.linux.icon]) {
      expect(existsSync(path.join(root, file)), file).toBe(true);
    }
  });

  it('asks macOS for no entitlement beyond V8’s JIT', () => {
    const plist = readFileSync(path.join(root, config.mac.entitlements), 'utf8');
    expect([...plist.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1])).toEqual(['com.apple.security.cs.allow-jit']);
  });
});
