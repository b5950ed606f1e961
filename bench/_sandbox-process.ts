// hatch-sandbox in a child process, for benches whose figures must be the client's alone: a
// real agent runs on another machine, so a sandbox in the bench's own process would put the
// fake nodes' work (their ptys, pacing timers, frames) on the client's event loop.
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { tail, within } from './_deadline';

const repo = path.resolve(__dirname, '..');

export interface SandboxProcess {
  child: ChildProcess;
  /** What `hatch-sandbox --print-env` printed: AWS_ENDPOINT_URL, the keys, AWS_REGION. */
  env: Record<string, string>;
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): void;
}

/** Starts hatch-sandbox (agent pacing on or off); resolves once it has printed its environment. */
export async function startSandboxProcess(pacing: boolean): Promise<SandboxProcess> {
  // HATCH_BENCH_PROFILE=<dir>: the sandbox writes a CPU profile there (run the bench itself
  // with node --cpu-prof --cpu-prof-dir=<dir> --import tsx bench/<name>.ts for the client's).
  const runner = process.env.HATCH_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.HATCH_BENCH_PROFILE}`, '--import', 'tsx'] : [path.join(repo, 'node_modules/tsx/dist/cli.mjs')];
  const child = spawn(process.execPath, [...runner, path.join(repo, 'src/sandbox/cli.ts'), '--print-env', '--agent-pacing', pacing ? 'on' : 'off'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const env: Record<string, string> = {};
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  await within(
    'hatch-sandbox to print its environment',
    60_000,
    new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`hatch-sandbox exited with ${code}: ${tail(err)}`)));
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        for (const m of out.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]] = m[2];
        if (env.AWS_ENDPOINT_URL && env.AWS_SECRET_ACCESS_KEY && env.AWS_REGION) resolve();
      });
    }),
    () => `stdout ${tail(out)}, stderr ${tail(err)}`,
  ).catch((error: unknown) => {
    child.kill('SIGTERM');
    throw error;
  });
  return {
    child,
    env,
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    stop: () => child.kill('SIGTERM'),
  };
}

/** An online Linux node of the sandbox's fleet, found as a client finds one (DescribeInstanceInformation). */
export async function onlineLinuxNode(sandbox: SandboxProcess): Promise<string> {
  const ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
  try {
    const out = await ssm.send(
      new DescribeInstanceInformationCommand({
        Filters: [
          { Key: 'PingStatus', Values: ['Online'] },
          { Key: 'PlatformTypes', Values: ['Linux'] },
        ],
      }),
    );
    const id = out.InstanceInformationList?.[0]?.InstanceId;
    if (!id) throw new Error('the sandbox lists no online Linux node');
    return id;
  } finally {
    ssm.destroy();
  }
}
