// bench/ssh-proxy.ts — ssh and scp through `hatch ssh-proxy` (AWS-StartSSHSession) against
// the sandbox, whose node's port 22 is a real sshd on loopback, next to the same ssh/scp
// straight to that sshd in the same run (the baseline): connection time (`ssh … true`) and
// scp of an N MB file up and down, medians of --repeat runs, every copy SHA-256 checked.
//
//   npm run bench -- ssh-proxy [--repeat N] [--pacing on|off]
//
// Env: HATCH_BENCH_SSH_MB (default 5). Pacing on (default) is the real agent's ~1 MB/s.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox } from '../src/sandbox/index';
import { startSshd } from '../test/helpers/sshd';
import { ensureCliBuilt, hatchBin } from '../test/helpers/built-bundle';
import { within } from './_deadline';

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const repeat = Math.max(1, Number(arg('--repeat') ?? 3) || 3);
const pacing = (arg('--pacing') ?? 'on') !== 'off';
const MB = 1_000_000;
const SIZE = Number(process.env.HATCH_BENCH_SSH_MB ?? 5) * MB;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  await ensureCliBuilt();
  const sshd = await startSshd();
  const sandbox = await startSandbox({ agentPacing: pacing });
  const work = mkdtempSync(path.join(os.tmpdir(), 'hatch-bench-ssh-'));
  try {
    const web = sandbox.fleet.nodes.find((n) => n.name === 'web-1')!;
    sandbox.fleet.mapPort(web.instanceId, 22, sshd.port);
    const config = path.join(work, 'aws-config');
    const credentials = path.join(work, 'aws-credentials');
    writeFileSync(config, `[profile bench]\nregion = us-east-1\nendpoint_url = ${sandbox.endpoint}\n`);
    writeFileSync(credentials, `[bench]\naws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}\n`, { mode: 0o600 });
    const env = { ...process.env, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_PROFILE: '' };
    const proxy = ['-o', `ProxyCommand=${process.execPath} ${hatchBin} ssh-proxy --profile bench %h %p`];
    const timed = (file: string, argv: string[]) =>
      within(`${file} ${argv.slice(-2).join(' ')} to finish`, 600_000, new Promise<number>((resolve, reject) => {
        const started = performance.now();
        const child = spawn(file, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${file} exited ${code}: ${err}`))));
      }));
    const data = randomBytes(SIZE);
    const local = path.join(work, 'file.bin');
    writeFileSync(local, data);
    const direct = { opts: [...sshd.clientOptions], sshPort: ['-p', String(sshd.port)], scpPort: ['-P', String(sshd.port)], host: '127.0.0.1' };
    const viaHatch = { opts: [...sshd.clientOptions, ...proxy], sshPort: ['-p', '22'], scpPort: ['-P', '22'], host: web.instanceId };
    const rows: Record<string, { connect: number[]; up: number[]; down: number[] }> = { direct: { connect: [], up: [], down: [] }, 'hatch ssh-proxy': { connect: [], up: [], down: [] } };
    for (let i = 0; i < repeat; i++) {
      for (const [name, way] of [['direct', direct], ['hatch ssh-proxy', viaHatch]] as const) {
        rows[name].connect.push(await timed('ssh', [...way.opts, ...way.sshPort, `${sshd.user}@${way.host}`, 'true']));
        const remote = path.join(sshd.dir, `up-${i}.bin`);
        rows[name].up.push(await timed('scp', [...way.opts, ...way.scpPort, local, `${sshd.user}@${way.host}:${remote}`]));
        if (sha(readFileSync(remote)) !== sha(data)) throw new Error(`${name}: the uploaded copy differs`);
        const back = path.join(work, `back-${i}.bin`);
        rows[name].down.push(await timed('scp', [...way.opts, ...way.scpPort, `${sshd.user}@${way.host}:${remote}`, back]));
        if (sha(readFileSync(back)) !== sha(data)) throw new Error(`${name}: the downloaded copy differs`);
        rmSync(remote);
        rmSync(back);
      }
    }
    const base = rows.direct;
    console.log(`ssh/scp through hatch ssh-proxy vs straight to the same sshd; ${(SIZE / MB).toFixed(0)} MB, agent pacing ${pacing ? 'on' : 'off'}, median of ${repeat}; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`);
    for (const [name, r] of Object.entries(rows)) {
      const [c, u, d] = [median(r.connect), median(r.up), median(r.down)];
      const ratio = (x: number, b: number) => (name === 'direct' ? '' : ` (${(x / b).toFixed(2)}× direct)`);
      console.log(
        `  ${name.padEnd(16)} ssh … true ${(c / 1000).toFixed(2)} s${ratio(c, median(base.connect))}` +
          ` · scp up ${(u / 1000).toFixed(2)} s = ${(SIZE / MB / (u / 1000)).toFixed(2)} MB/s${ratio(u, median(base.up))}` +
          ` · scp down ${(d / 1000).toFixed(2)} s = ${(SIZE / MB / (d / 1000)).toFixed(2)} MB/s${ratio(d, median(base.down))}`,
      );
    }
  } finally {
    await sshd.stop();
    await sandbox.close();
    rmSync(work, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
