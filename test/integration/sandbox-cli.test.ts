// The hatch-sandbox command: --help, --print-env, serving, and a clean exit on SIGTERM.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const cli = (args: string[]) => spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'src/sandbox/cli.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });

function collect(p: ReturnType<typeof cli>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => p.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('hatch-sandbox CLI', () => {
  it('documents every option and fault', async () => {
    const r = await collect(cli(['--help']));
    expect(r.code).toBe(0);
    for (const opt of ['--port', '--nodes', '--fleet', '--data-dir', '--faults', '--time-scale', '--agent-pacing', '--print-env']) expect(r.stdout).toContain(opt);
    for (const fault of ['drop=', 'dup=', 'reorder=', 'delay=', 'cut=', 'throttle=', 'expire=', 'seed=']) expect(r.stdout).toContain(fault);
  });

  it('rejects bad options with exit status 2', async () => {
    const r = await collect(cli(['--faults', 'drop=7']));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('between 0 and 1');
  });

  it('prints the environment first, serves it, and exits cleanly on SIGTERM', async () => {
    const p = cli(['--print-env', '--nodes', '40']);
    const done = collect(p);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no env printed: ${out}`)), 20_000);
      p.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('TOTP')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    const lines = out.trim().split('\n');
    expect(lines.slice(0, 4).map((l) => l.split('=')[0])).toEqual(['export AWS_ENDPOINT_URL', 'export AWS_ACCESS_KEY_ID', 'export AWS_SECRET_ACCESS_KEY', 'export AWS_REGION']);
    expect(lines[lines.length - 1]).toMatch(/^# MFA device arn:aws:iam::\d{12}:mfa\/hatch-sandbox TOTP secret \(base32\): [A-Z2-7]{32}$/);
    const env = Object.fromEntries(lines.filter((l) => l.startsWith('export ')).map((l) => l.slice(7).split('=') as [string, string]));
    const config = { endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY } };
    expect(env.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await new STSClient(config).send(new GetCallerIdentityCommand({}))).Account).toBe('123456789012');
    const nodes = await new SSMClient(config).send(new DescribeInstanceInformationCommand({ MaxResults: 50 }));
    expect(nodes.InstanceInformationList?.length).toBe(32); // 40 generated, 4 of every 5 in us-east-1
    p.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('SIGTERM');
  });
});
