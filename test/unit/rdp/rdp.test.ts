// Remote Desktop pieces: the .rdp file's contents, and the client chosen per platform
// (a fake probe says what is installed; a fake spawner records the arguments).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseLauncher, launch, type LauncherProbe } from '../../../src/main/rdp/launcher';
import { rdpFileName, rdpFileText } from '../../../src/main/rdp/rdp-file';

const probe = (platform: NodeJS.Platform, files: string[], env: NodeJS.ProcessEnv = {}): LauncherProbe => ({ platform, env, exists: (f) => files.includes(f) });

describe('.rdp file', () => {
  it('points the client at the tunnel and asks for the password', () => {
    const text = rdpFileText({ address: '127.0.0.1:49321', user: 'Administrator' });
    expect(text.split('\r\n')).toEqual(expect.arrayContaining(['full address:s:127.0.0.1:49321', 'username:s:Administrator', 'prompt for credentials:i:1', 'gatewayusagemethod:i:0']));
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(rdpFileText({ address: '127.0.0.1:1' })).not.toContain('username');
    expect(rdpFileText({ address: '127.0.0.1:1', user: 'CORP\\jane' })).toContain('username:s:CORP\\jane\r\n');
  });
  it('refuses what could inject a line or point elsewhere', () => {
    expect(() => rdpFileText({ address: '127.0.0.1:1', user: 'a\r\nfull address:s:evil:3389' })).toThrow(/line breaks/);
    expect(() => rdpFileText({ address: 'evil.example:3389' })).toThrow(/loopback/);
    expect(rdpFileName('win build/1 ../x', 5000)).toBe('win-build-1-x-5000.rdp');
    expect(rdpFileName('…', 7)).toBe('node-7.rdp');
  });
});

describe('choosing the client', () => {
  it('Windows: mstsc from System32', () => {
    expect(chooseLauncher(probe('win32', ['C:\\Windows\\System32\\mstsc.exe'], { SystemRoot: 'C:\\Windows' }))).toEqual({ kind: 'mstsc', command: ['C:\\Windows\\System32\\mstsc.exe'] });
    expect(chooseLauncher(probe('win32', [], { SystemRoot: 'C:\\Windows' })).kind).toBe('none');
  });
  it('macOS: Windows App, else Microsoft Remote Desktop, through open', () => {
    expect(chooseLauncher(probe('darwin', ['/Applications/Windows App.app', '/Applications/Microsoft Remote Desktop.app']))).toEqual({ kind: 'windows-app', command: ['/usr/bin/open', '-a', 'Windows App'] });
    expect(chooseLauncher(probe('darwin', ['/Applications/Microsoft Remote Desktop.app'])).command).toEqual(['/usr/bin/open', '-a', 'Microsoft Remote Desktop']);
    expect(chooseLauncher(probe('darwin', [])).kind).toBe('none');
  });
  it('Linux: Remmina, else FreeRDP, else nothing (the address is shown)', () => {
    const env = { PATH: '/usr/local/bin:/usr/bin' };
    expect(chooseLauncher(probe('linux', ['/usr/bin/remmina', '/usr/bin/xfreerdp'], env))).toEqual({ kind: 'remmina', command: ['/usr/bin/remmina', '-c'] });
    expect(chooseLauncher(probe('linux', ['/usr/bin/xfreerdp'], env))).toEqual({ kind: 'xfreerdp', command: ['/usr/bin/xfreerdp'] });
    expect(chooseLauncher(probe('linux', ['/usr/local/bin/xfreerdp3', '/usr/bin/xfreerdp'], env)).command).toEqual(['/usr/local/bin/xfreerdp3']);
    expect(chooseLauncher(probe('linux', [], env))).toEqual({ kind: 'none', command: [] });
  });
  it('starts the client with the file as one argument (no shell)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hatch-rdp-'));
    try {
      const file = path.join(dir, 'a b; rm -rf ~.rdp');
      writeFileSync(file, 'x');
      const calls: Array<[string, string[]]> = [];
      await launch({ kind: 'windows-app', command: ['/usr/bin/open', '-a', 'Windows App'] }, file, async (c, a) => void calls.push([c, a]));
      expect(calls).toEqual([['/usr/bin/open', ['-a', 'Windows App', file]]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
