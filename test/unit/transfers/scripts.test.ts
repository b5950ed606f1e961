// The node scripts' safety properties: every path reaches the shell only in a form that
// cannot end a quote (sh: printf formats checked by running them in /bin/sh; PowerShell:
// base64 only — there is no PowerShell here, so its scripts are checked as text), every
// command is one line, and the boot line never echoes the reply marker whole.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { modeFromLs, type Wire } from '../../../src/main/transfers/dialect';
import { posixDialect, printfFormat, shAssign } from '../../../src/main/transfers/posix';
import { powershellDialect, psPath } from '../../../src/main/transfers/powershell';
import { parseEndpoint } from '../../../src/cli/commands/cp';
import { decodeZ85, encodeZ85 } from '../../../src/main/transfers/z85';
import { randomBytes } from 'node:crypto';

const HOSTILE = ["a b 'c' \"d\"", 'x$(touch pwned)`id`;rm -rf /', 'line\nbreak\n', 'ünï çødé ✓', '-n', '%s%n\\x41\\', 'tab\there', '\u2018smart\u2019 quotes', "it''s", '\r\x1b[2J'];

describe('POSIX: paths as printf formats', () => {
  it('prints exactly the bytes of every hostile name, in /bin/sh', () => {
    for (const name of HOSTILE) {
      const script = `${shAssign('p', name)}; printf %s "$p"`;
      expect(script).not.toContain('\n');
      const out = execFileSync('/bin/sh', ['-c', script]);
      expect(out.toString('utf8')).toBe(name);
    }
    // Bytes that are not UTF-8 travel as they are.
    const raw = Buffer.from([0x66, 0xff, 0xfe, 0x0a, 0x27]);
    expect(execFileSync('/bin/sh', ['-c', `${shAssign('p', raw)}; printf %s "$p"`])).toEqual(raw);
  });

  it('~ is the home directory, and only at the start', () => {
    const run = (path: string) => execFileSync('/bin/sh', ['-c', `${shAssign('p', path)}; printf %s "$p"`], { env: { HOME: '/home/op', PATH: process.env.PATH } }).toString();
    expect(run('~')).toBe('/home/op');
    expect(run('~/a b')).toBe('/home/op/a b');
    expect(run('x/~/y')).toBe('x/~/y');
  });

  it('formats are printable ASCII with no single quote', () => {
    for (const name of HOSTILE) expect(printfFormat(Buffer.from(name))).toMatch(/^[\x20-\x26\x28-\x7e]*$/);
  });

  it('every command is one line; the boot line does not hold the marker', () => {
    const wire: Wire = { encode: 'base64', decode: 'base64', compress: 'gzip', z85: true };
    const tools = { os: 'Linux', tools: new Set(['sha256sum', 'base64', 'gzip', 'head', 'tail', 'od']), base64: new Set(['d', 'w0']) };
    const commands = [
      posixDialect.probe(),
      posixDialect.prelude(tools, wire),
      ...HOSTILE.flatMap((name) => [
        posixDialect.uploadPrepare(name, name),
        posixDialect.uploadReceive({ path: name, offset: 0, sha256: 'a'.repeat(64), mode: 0o644, compressed: true }, wire),
        posixDialect.downloadStat(name, 10),
        posixDialect.downloadSend({ path: name, offset: 5, size: 100, mayCompress: true }, wire),
        posixDialect.downloadSend({ path: name, offset: 0, size: 7, mayCompress: false }, wire),
        posixDialect.listTree(name),
        posixDialect.treeTarget(name, name),
        posixDialect.makeDirs([name, name]),
      ]),
    ];
    for (const command of commands) expect(command).not.toMatch(/[\n\r]/);
    expect(posixDialect.boot('abc123')).not.toContain('#HATCH-abc123');
    expect(posixDialect.boot('abc123')).toMatch(/\r$/);
  });

  it('data lines are base64, or printf escapes with only alphanumerics left as they are', () => {
    const bytes = Buffer.from('ab%\\\n\x00ÿ9');
    expect(posixDialect.encodeLine(bytes, { encode: 'base64', decode: 'base64', compress: null, z85: false })).toBe(bytes.toString('base64'));
    const escaped = posixDialect.encodeLine(bytes, { encode: 'hex', decode: 'printf', compress: null, z85: false });
    expect(escaped).toMatch(/^[A-Za-z0-9\\]*$/);
    expect(execFileSync('/bin/sh', ['-c', `printf "${escaped}"`])).toEqual(bytes);
  });

  it('chooses the wire from the tools, and refuses a node without a checksum', () => {
    const node = (tools: string[], b64 = ['d']) => ({ os: 'Linux', tools: new Set(tools), base64: new Set(b64) });
    expect(posixDialect.chooseWire(node(['sha256sum', 'base64', 'gzip', 'zstd', 'head', 'tail']), { zstd: true }, true)).toEqual({ wire: { encode: 'base64', decode: 'base64', compress: 'zstd', z85: false } });
    expect(posixDialect.chooseWire(node(['sha256sum', 'base64', 'gzip', 'zstd', 'head', 'tail']), { zstd: false }, true)).toEqual({ wire: { encode: 'base64', decode: 'base64', compress: 'gzip', z85: false } });
    expect(posixDialect.chooseWire(node(['shasum', 'od', 'head', 'tail'], []), { zstd: false }, true)).toEqual({ wire: { encode: 'hex', decode: 'printf', compress: null, z85: false } });
    expect(posixDialect.chooseWire(node(['sha256sum', 'base64', 'gzip', 'head', 'tail']), { zstd: false }, false)).toEqual({ wire: { encode: 'base64', decode: 'base64', compress: null, z85: false } });
    expect(posixDialect.chooseWire(node(['base64', 'head', 'tail']), { zstd: false }, true)).toEqual({ missing: 'sha256sum, shasum or openssl (to check the SHA-256)' });
    expect(posixDialect.chooseWire(node(['sha256sum', 'base64', 'gzip', 'head', 'tail'], ['d', 'w0', 'z85']), { zstd: false }, true)).toEqual({ wire: { encode: 'base64', decode: 'base64', compress: 'gzip', z85: true } });
  });
});

describe('PowerShell: paths only as base64', () => {
  it('no command holds a hostile name or any of its quotes, and every command is one line', () => {
    const wire: Wire = { encode: 'base64', decode: 'base64', compress: 'gzip', z85: true };
    for (const name of HOSTILE) {
      const commands = [
        powershellDialect.uploadPrepare(name, name),
        powershellDialect.uploadReceive({ path: name, offset: 0, sha256: 'b'.repeat(64), mode: null, compressed: false }, wire),
        powershellDialect.downloadStat(name, 0),
        powershellDialect.downloadSend({ path: name, offset: 0, size: 10, mayCompress: true }, wire),
        powershellDialect.listTree(name),
        powershellDialect.treeTarget(name, name),
        powershellDialect.makeDirs([name]),
      ];
      for (const command of commands) {
        expect(command).not.toMatch(/[\n\r]/);
        if (name.length > 2) expect(command).not.toContain(name);
        expect(command).not.toMatch(/[\u2018\u2019]/);
      }
    }
  });

  it('psPath carries the exact UTF-8 bytes, relative to $HOME', () => {
    const name = 'C:\\Users\\op\\ünï ‘x’.txt';
    const b64 = /'([A-Za-z0-9+/=]+)'/.exec(psPath(name))?.[1];
    expect(Buffer.from(b64 ?? '', 'base64').toString('utf8')).toBe(name);
    expect(Buffer.from(/'([A-Za-z0-9+/=]*)'/.exec(psPath('~/a'))?.[1] ?? '', 'base64').toString()).toBe('a');
  });

  it('boots into a loop with echo off, without the marker whole in the echoed line', () => {
    const boot = powershellDialect.boot('feed42');
    expect(boot).not.toContain('#HATCH-feed42');
    expect(boot).toContain("'#HATCH-'+'feed42'");
    expect(boot).toContain('SetConsoleMode');
    expect(boot.trimEnd()).not.toMatch(/[\n]/);
  });
});

describe('helpers', () => {
  it('Z85 decodes what coreutils basenc encodes, and refuses what is not Z85', () => {
    const data = randomBytes(4096 + 4);
    const text = execFileSync('basenc', ['--z85', '-w0'], { input: data }).toString('latin1');
    expect(text).not.toMatch(/\s/);
    expect(decodeZ85(text)).toEqual(data);
    expect(encodeZ85(data)).toBe(text);
    expect(encodeZ85(Buffer.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]))).toBe('HelloWorld'); // RFC 32's example
    expect(() => decodeZ85('Hell')).toThrow(/whole groups/);
    expect(() => decodeZ85('Hel"o')).toThrow(/not Z85/);
    expect(() => decodeZ85('%%%%%')).toThrow(/out of range/);
  });

  it('modeFromLs', () => {
    expect(modeFromLs('-rw-r--r--')).toBe(0o644);
    expect(modeFromLs('-rwxr-x---.')).toBe(0o750);
    expect(modeFromLs('-rwsr-xr-t')).toBe(0o755);
    expect(modeFromLs('-')).toBeNull();
  });

  it('NODE:PATH is remote when the colon comes before any slash', () => {
    expect(parseEndpoint('web-1:/etc/x')).toEqual({ kind: 'remote', node: 'web-1', path: '/etc/x' });
    expect(parseEndpoint('i-0abc:')).toEqual({ kind: 'remote', node: 'i-0abc', path: '~' });
    expect(parseEndpoint('./a:b')).toEqual({ kind: 'local', path: './a:b' });
    expect(parseEndpoint('/tmp/a:b')).toEqual({ kind: 'local', path: '/tmp/a:b' });
    expect(parseEndpoint('C:\\x', 'win32')).toEqual({ kind: 'local', path: 'C:\\x' });
    expect(parseEndpoint('web-1:a\nb')).toEqual({ kind: 'remote', node: 'web-1', path: 'a\nb' });
  });
});
