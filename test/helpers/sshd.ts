// A real OpenSSH server (Debian's /usr/sbin/sshd) on a loopback port, for the current user,
// with a temp host key, a temp client key in authorized_keys and a temp config: nothing of
// the machine's own ssh setup is read or changed. Non-root friendly (UsePAM no, StrictModes
// no); as root, sshd needs its privilege-separation directory, which a container may lack.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const SSHD = '/usr/sbin/sshd';

export interface TestSshd {
  port: number;
  user: string;
  dir: string;
  /** The client's private key (its public half is in authorized_keys). */
  identity: string;
  /** ssh/scp options that use that key and trust any host key, with no user config. */
  clientOptions: string[];
  stop(): Promise<void>;
}

/** A port that was free a moment ago (sshd cannot report the port it picked for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startSshd(): Promise<TestSshd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hatch-sshd-'));
  const user = os.userInfo().username;
  const hostKey = path.join(dir, 'host_ed25519');
  const identity = path.join(dir, 'client_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identity]);
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(`${identity}.pub`), { mode: 0o600 });
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  const sftp = ['/usr/lib/openssh/sftp-server', '/usr/libexec/openssh/sftp-server', '/usr/libexec/sftp-server'].find((p) => existsSync(p));

  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const config = [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AllowUsers ${user}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'UsePAM no',
      'StrictModes no',
      'LogLevel ERROR',
      ...(sftp ? [`Subsystem sftp ${sftp}`] : []),
    ].join('\n');
    const configFile = path.join(dir, 'sshd_config');
    writeFileSync(configFile, `${config}\n`);
    const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const up = await waitListening(port, child, 10_000);
    if (!up) {
      child.kill('SIGKILL');
      if (/Address already in use/i.test(stderr)) continue; // the port was taken in between: another one
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`sshd did not start listening on 127.0.0.1:${port} within 10 s; it said: ${stderr || '(nothing)'}`);
    }
    return {
      port,
      user,
      dir,
      identity,
      clientOptions: ['-F', '/dev/null', '-i', identity, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR'],
      async stop() {
        if (child.exitCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
          if (child.exitCode === null) child.kill('SIGKILL');
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error('sshd: no free loopback port after 5 attempts');
}

/** Polls a TCP connect until sshd answers, it exits, or the deadline passes. */
async function waitListening(port: number, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
