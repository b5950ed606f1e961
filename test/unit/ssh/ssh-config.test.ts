// Hatch's block in ~/.ssh/config: every byte outside it is kept, writing the same entry
// again changes nothing, values are validated and quoted, and OpenSSH itself reads the
// result (ssh -G).
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BLOCK_END, BLOCK_START, shellWord, withEntry, withoutBlock, type SshEntry } from '../../../src/main/ssh/ssh-config';
import { SshConfigService } from '../../../src/main/ssh/ssh-config-service';

const HATCH = ['/usr/bin/node', '/opt/hatch app/bin/hatch.cjs'];
const web: SshEntry = { kind: 'node', alias: 'web-1', nodeId: 'i-0123456789abcdef0', profile: 'prod', region: 'eu-west-1', user: 'ec2-user' };
const anyNode: SshEntry = { kind: 'profile', profile: 'prod', region: 'eu-west-1' };

const EXISTING = `# My ssh config — hand-written, keep it exactly
Host github.com
    User git
    IdentityFile ~/.ssh/github_ed25519

Host *.corp.example
\tProxyJump bastion.corp.example   # tab-indented, trailing comment

# no newline at the end on purpose
Host *
    ServerAliveInterval 30`;

describe('the block', () => {
  it('keeps every byte outside it, and writing again changes nothing', () => {
    const once = withEntry(EXISTING, web, HATCH, 'linux');
    expect(once.startsWith(EXISTING)).toBe(true);
    const block = once.slice(EXISTING.length);
    expect(block.startsWith(`\n\n${BLOCK_START}\n`)).toBe(true);
    expect(block.endsWith(`${BLOCK_END}\n`)).toBe(true);
    expect(block).toContain('Host web-1\n    HostName i-0123456789abcdef0\n    User ec2-user\n');
    expect(block).toContain(`ProxyCommand /usr/bin/node '/opt/hatch app/bin/hatch.cjs' ssh-proxy --profile prod --region eu-west-1 %h %p`);
    expect(withEntry(once, web, HATCH, 'linux')).toBe(once);

    // Another entry joins the block; the first stays; the user's text after the block stays too.
    const userAfter = `${once}\nHost later\n    User me\n`;
    const twice = withEntry(userAfter, anyNode, HATCH, 'linux');
    expect(twice.startsWith(EXISTING)).toBe(true);
    expect(twice.endsWith(`${BLOCK_END}\n\nHost later\n    User me\n`)).toBe(true);
    expect(twice).toContain('Host web-1');
    expect(twice).toContain('Host i-* mi-*');
    expect(withEntry(withEntry(twice, anyNode, HATCH, 'linux'), web, HATCH, 'linux')).toBe(twice);

    // A changed entry replaces its old self, in place.
    const moved = withEntry(twice, { ...web, user: 'ubuntu' }, HATCH, 'linux');
    expect(moved.match(/Host web-1/g)).toHaveLength(1);
    expect(moved).toContain('User ubuntu');
    expect(moved.replace('User ubuntu', 'User ec2-user')).toBe(twice);

    // Taking the block out gives back the file as it was.
    expect(withoutBlock(once)).toBe(EXISTING.endsWith('\n') ? EXISTING : `${EXISTING}\n`);
  });

  it('keeps CRLF files CRLF, and starts an empty file cleanly', () => {
    const crlf = 'Host a\r\n    User x\r\n';
    const out = withEntry(crlf, web, HATCH, 'linux');
    expect(out.startsWith(crlf)).toBe(true);
    expect(out.slice(crlf.length).replace(/\r\n/g, '')).not.toContain('\n');
    expect(withEntry(out, web, HATCH, 'linux')).toBe(out);
    expect(withEntry('', web, HATCH, 'linux').startsWith(BLOCK_START)).toBe(true);
  });

  it('refuses a half or doubled block instead of guessing', () => {
    const half = `${EXISTING}\n${BLOCK_START}\nHost x\n`;
    expect(() => withEntry(half, web, HATCH, 'linux')).toThrow(/will not guess/);
    const once = withEntry('', web, HATCH, 'linux');
    expect(() => withEntry(once + once, web, HATCH, 'linux')).toThrow(/2 start and 2 end markers/);
  });

  it('validates every value and quotes what the shell will read', () => {
    expect(() => withEntry('', { ...web, alias: 'web 1' }, HATCH, 'linux')).toThrow(/Host alias/);
    expect(() => withEntry('', { ...web, alias: 'web-*' }, HATCH, 'linux')).toThrow(/Host alias/);
    expect(() => withEntry('', { ...web, nodeId: 'i-nothex' }, HATCH, 'linux')).toThrow(/not a managed node id/);
    expect(() => withEntry('', { ...web, user: 'root\nProxyCommand evil' }, HATCH, 'linux')).toThrow(/not a user name/);
    expect(() => withEntry('', { ...web, profile: 'a b' }, HATCH, 'linux')).toThrow(/profile name/);
    expect(() => withEntry('', { ...web, region: 'eu-west-1; rm -rf ~' }, HATCH, 'linux')).toThrow(/region/);
    expect(shellWord(`it's`, 'linux')).toBe(`'it'\\''s'`);
    expect(shellWord('C:\\Program Files\\Hatch\\hatch.cmd', 'win32')).toBe('"C:\\Program Files\\Hatch\\hatch.cmd"');
    expect(() => shellWord('a"b', 'win32')).toThrow(/double quote/);
    // ssh expands %-tokens in ProxyCommand: a literal % is doubled.
    expect(withEntry('', web, ['/opt/100%/hatch'], 'linux')).toContain(`'/opt/100%%/hatch' ssh-proxy`);
  });

  it('is read by OpenSSH as meant (ssh -G)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hatch-sshcfg-'));
    try {
      const file = path.join(dir, 'config');
      writeFileSync(file, withEntry(withEntry(EXISTING, web, HATCH, 'linux'), anyNode, HATCH, 'linux'));
      const resolved = (host: string) => execFileSync('ssh', ['-G', '-F', file, host], { encoding: 'utf8' });
      const alias = resolved('web-1');
      expect(alias).toMatch(/^hostname i-0123456789abcdef0$/m);
      expect(alias).toMatch(/^user ec2-user$/m);
      expect(alias).toMatch(/^proxycommand \/usr\/bin\/node '\/opt\/hatch app\/bin\/hatch.cjs' ssh-proxy --profile prod --region eu-west-1 %h %p$/m);
      expect(resolved('i-0fedcba98765432100')).toMatch(/^proxycommand .* ssh-proxy --profile prod --region eu-west-1 %h %p$/m);
      expect(resolved('github.com')).toMatch(/^user git$/m);
      expect(resolved('github.com')).not.toMatch(/^proxycommand/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SshConfigService', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const home = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'hatch-sshhome-'));
    dirs.push(d);
    return d;
  };

  it('shows the change, backs up, writes once, and the second save changes nothing', async () => {
    const h = home();
    mkdirSync(path.join(h, '.ssh'), { mode: 0o700 });
    const file = path.join(h, '.ssh', 'config');
    writeFileSync(file, EXISTING, { mode: 0o644 });
    const service = new SshConfigService({ home: () => h, hatchCommand: () => HATCH, platform: 'linux' });
    const preview = await service.preview(web);
    expect(preview.changed).toBe(true);
    expect(preview.before).toBe(EXISTING);
    expect(readFileSync(file, 'utf8')).toBe(EXISTING); // a preview writes nothing
    const saved = await service.save(web, preview.sha256);
    expect(saved.changed).toBe(true);
    expect(readFileSync(`${file}.hatch-backup`, 'utf8')).toBe(EXISTING);
    const written = readFileSync(file, 'utf8');
    expect(written).toBe(preview.after);
    expect(written.startsWith(EXISTING)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o644); // the file keeps its mode
    const mtime = statSync(file).mtimeMs;

    const again = await service.preview(web);
    expect(again.changed).toBe(false);
    expect(await service.save(web, again.sha256)).toEqual({ path: file, backupPath: null, changed: false });
    expect(readFileSync(file, 'utf8')).toBe(written);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(readdirSync(path.join(h, '.ssh')).sort()).toEqual(['config', 'config.hatch-backup']);
  });

  it('refuses to save over a file that changed since the preview', async () => {
    const h = home();
    const service = new SshConfigService({ home: () => h, hatchCommand: () => HATCH, platform: 'linux' });
    const preview = await service.preview(web); // no ~/.ssh at all yet
    expect(preview.before).toBe('');
    mkdirSync(path.join(h, '.ssh'));
    writeFileSync(path.join(h, '.ssh', 'config'), 'Host new\n');
    await expect(service.save(web, preview.sha256)).rejects.toThrow(/changed since the preview/);
    expect(readFileSync(path.join(h, '.ssh', 'config'), 'utf8')).toBe('Host new\n');
  });

  it('creates ~/.ssh/config 0600 in a 0700 folder, and follows a symlinked config', async () => {
    const h = home();
    const service = new SshConfigService({ home: () => h, hatchCommand: () => HATCH, platform: 'linux' });
    await service.save(web, (await service.preview(web)).sha256);
    expect(statSync(path.join(h, '.ssh', 'config')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(h, '.ssh')).mode & 0o777).toBe(0o700);

    const h2 = home();
    mkdirSync(path.join(h2, '.ssh'));
    mkdirSync(path.join(h2, 'dotfiles'));
    writeFileSync(path.join(h2, 'dotfiles', 'ssh_config'), EXISTING);
    symlinkSync(path.join(h2, 'dotfiles', 'ssh_config'), path.join(h2, '.ssh', 'config'));
    const linked = new SshConfigService({ home: () => h2, hatchCommand: () => HATCH, platform: 'linux' });
    await linked.save(anyNode, (await linked.preview(anyNode)).sha256);
    expect(readFileSync(path.join(h2, 'dotfiles', 'ssh_config'), 'utf8')).toContain('Host i-* mi-*');
    expect(lstatSync(path.join(h2, '.ssh', 'config')).isSymbolicLink()).toBe(true); // the link stays a link
  });

  it('says so when there is no hatch command to run', async () => {
    const service = new SshConfigService({ home: () => home(), hatchCommand: () => null, platform: 'linux' });
    await expect(service.preview(web)).rejects.toThrow(/hatch command is not installed/);
  });
});
