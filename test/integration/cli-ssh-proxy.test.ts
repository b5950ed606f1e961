// `hatch ssh-proxy` as ssh's ProxyCommand against the sandbox, whose node forwards its
// port 22 to a real sshd (Debian's openssh-server on a loopback port): a command runs over
// ssh, a 5 MiB file copies byte-exact with scp (both ways), and a bad host is a clear error
// with a non-zero exit — from the proxy alone and through ssh.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';
import { ensureCliBuilt, hatchBin } from '../helpers/built-bundle';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { tempAws, type TempAws } from '../unit/aws/helpers';

let sandbox: Sandbox;
let sshd: TestSshd;
let aws: TempAws;
let work: string;
let env: NodeJS.ProcessEnv;
let webId: string;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Runs a program to its end (asynchronously: the sandbox answers in this process), with a deadline. */
function run(file: string, args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      err += `\n(test: killed after ${options.timeoutMs ?? 60_000} ms)`;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
    child.stdin.end(options.input ?? '');
  });
}

const proxy = (profile = 'ops') => `ProxyCommand=${process.execPath} ${hatchBin} ssh-proxy --profile ${profile} %h %p`;

beforeAll(async () => {
  await ensureCliBuilt();
  sshd = await startSshd();
  sandbox = await startSandbox({ agentPacing: false });
  const web = sandbox.fleet.nodes.find((n) => n.name === 'web-1')!;
  webId = web.instanceId;
  // The node's sshd is the test's: its port 22 is served from sshd's loopback port.
  sandbox.fleet.mapPort(webId, 22, sshd.port);
  const keys = `aws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}\n`;
  aws = tempAws({ config: `[profile ops]\nregion = us-east-1\nendpoint_url = ${sandbox.endpoint}\n`, credentials: `[ops]\n${keys}` });
  work = mkdtempSync(path.join(os.tmpdir(), 'hatch-ssh-work-'));
  env = { ...process.env, ...aws.env };
  delete env.AWS_PROFILE;
  delete env.AWS_ACCESS_KEY_ID;
  delete env.AWS_SECRET_ACCESS_KEY;
}, 60_000);

afterAll(async () => {
  await sshd?.stop();
  await sandbox?.close();
  aws?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('ssh and scp through hatch ssh-proxy', () => {
  it('runs a command over ssh, with the node given by id and by Name', async () => {
    const byId = await run('ssh', [...sshd.clientOptions, '-o', proxy(), '-p', '22', `${sshd.user}@${webId}`, 'echo "over-ssh-$((6*7))"; hostname']);
    expect(byId.err).toBe('');
    expect(byId.code).toBe(0);
    expect(byId.out).toMatch(/^over-ssh-42\n/);
    const byName = await run('ssh', [...sshd.clientOptions, '-o', proxy(), '-p', '22', `${sshd.user}@web-1`, 'echo by-name']);
    expect(byName.code, byName.err).toBe(0);
    expect(byName.out).toBe('by-name\n');
    // Every session was an AWS-StartSSHSession on the node, and each ended with its ssh.
    const ssh = sandbox.sessions().filter((s) => s.documentName === 'AWS-StartSSHSession');
    expect(ssh.map((s) => s.target)).toEqual([webId, webId]);
    await expect.poll(() => sandbox.sessions().filter((s) => s.documentName === 'AWS-StartSSHSession' && !s.endDate).length, { timeout: 10_000 }).toBe(0);
  }, 90_000);

  it('copies a 5 MiB file byte-exact with scp, up and back down', async () => {
    const data = randomBytes(5 * 1024 * 1024);
    const local = path.join(work, 'five.bin');
    writeFileSync(local, data);
    // sshd runs on this machine: the "remote" path is a temp file here.
    const remote = path.join(sshd.dir, 'five-remote.bin');
    const started = Date.now();
    const up = await run('scp', [...sshd.clientOptions, '-o', proxy(), '-P', '22', local, `${sshd.user}@${webId}:${remote}`], { timeoutMs: 120_000 });
    const upMs = Date.now() - started;
    expect(up.code, up.err).toBe(0);
    expect(sha(readFileSync(remote))).toBe(sha(data));
    const back = path.join(work, 'five-back.bin');
    const down = await run('scp', [...sshd.clientOptions, '-o', proxy(), '-P', '22', `${sshd.user}@web-1:${remote}`, back], { timeoutMs: 120_000 });
    expect(down.code, down.err).toBe(0);
    expect(sha(readFileSync(back))).toBe(sha(data));
    console.log(`scp 5 MiB through hatch ssh-proxy (agent pacing off): up ${upMs} ms`);
  }, 240_000);

  it('says clearly when the host is wrong, and exits non-zero', async () => {
    const unknown = await run(process.execPath, [hatchBin, 'ssh-proxy', '--profile', 'ops', 'no-such-node', '22']);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toBe(''); // stdout belongs to ssh: nothing but its bytes
    expect(unknown.err).toMatch(/^hatch ssh-proxy: no managed node named "no-such-node" in profile "ops" in us-east-1\./);
    const id = await run(process.execPath, [hatchBin, 'ssh-proxy', '--profile', 'ops', 'i-0123456789abcdef0', '22']);
    expect(id.code).toBe(1);
    expect(id.err).toMatch(/i-0123456789abcdef0 is not a managed node/);
    const lost = sandbox.fleet.nodes.find((n) => n.pingStatus === 'ConnectionLost' && n.region === 'us-east-1')!;
    const offline = await run(process.execPath, [hatchBin, 'ssh-proxy', '--profile', 'ops', lost.name, '22']);
    expect(offline.code).toBe(1);
    expect(offline.err).toMatch(/ConnectionLost: its SSM agent is not connected/);
    const usage = await run(process.execPath, [hatchBin, 'ssh-proxy', 'web-1']);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/expected HOST and PORT/);
    // Through ssh: hatch's line reaches the user, and ssh fails.
    const viaSsh = await run('ssh', [...sshd.clientOptions, '-o', proxy(), `${sshd.user}@no-such-node`, 'true']);
    expect(viaSsh.code).toBe(255);
    expect(viaSsh.err).toContain('hatch ssh-proxy: no managed node named "no-such-node"');
  }, 90_000);
});
