// Credentials with a 60-second lifetime under a tunnel that carries data for 3 minutes,
// in compressed time: the sandbox runs 15× faster (a 60 s credential lives 4 s of wall
// time, 3 minutes take 12 s), and its WebSocket is cut every 20 sandbox seconds so the
// tunnel keeps making signed calls (ResumeSession) all along. The tunnel goes through the
// contract (host.call('tunnels.start')) with an assume-role profile, as the app runs it.
// The sandbox really rejects expired credentials during the run (a probe proves it); no
// call of the app's is answered with an expired-token error, and the app's credentials
// are refreshed several times.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HatchHost } from '../../src/main/host';
import type { EventName, TunnelInfo } from '../../src/shared/contract';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';
import { tempAws, type TempAws } from '../unit/aws/helpers';
import { callHost } from '../helpers/host-harness';

const TIME_SCALE = 15;
const LIFETIME_S = 60;
const RUN_SANDBOX_MS = 3 * 60_000;
const EXPIRED_CODES = ['ExpiredTokenException', 'ExpiredToken', 'RequestExpired'];

let sandbox: Sandbox;
let aws: TempAws;
let host: HatchHost;
let dataDir: string;
let echo: net.Server;
let echoPort: number;
const events: Array<{ name: EventName; payload: unknown }> = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const call = <T>(method: string, request: unknown = {}) => callHost<T>(host, method, request);

beforeAll(async () => {
  sandbox = await startSandbox({ timeScale: TIME_SCALE, credentialLifetimeSeconds: LIFETIME_S, agentPacing: false, faults: 'cut=20s' });
  aws = tempAws({
    config: `[profile base]
region = us-east-1
endpoint_url = ${sandbox.endpoint}

[profile operator]
region = us-east-1
endpoint_url = ${sandbox.endpoint}
role_arn = arn:aws:iam::${sandbox.accountId}:role/Operator
source_profile = base
`,
    credentials: `[base]\naws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}\n`,
  });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'hatch-expiry-'));
  host = new HatchHost({ host: 'web', dataDir, env: aws.env, logError: () => undefined });
  host.subscribe((name, payload) => events.push({ name, payload }));
  echo = net.createServer((s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await host?.dispose();
  echo?.close();
  aws?.cleanup();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  await sandbox?.close();
});

it('a tunnel carries data for 3 (sandbox) minutes on 60-second credentials without an expired-token error', async () => {
  const runWallMs = RUN_SANDBOX_MS / TIME_SCALE;
  const lifetimeWallMs = (LIFETIME_S * 1000) / TIME_SCALE;
  const target = sandbox.fleet.nodes.find((n) => n.name === 'db-jump')!.instanceId;

  // The honesty probe: credentials of the same kind, issued now, that nobody refreshes.
  const probeSts = new STSClient({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials: sandbox.credentials });
  const probe = (await probeSts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${sandbox.accountId}:role/Operator`, RoleSessionName: 'probe' }))).Credentials!;
  probeSts.destroy();
  // A 60 s credential really lives 60 sandbox seconds (3 s of wall time here).
  expect(probe.Expiration!.getTime() - Date.now()).toBeLessThanOrEqual(lifetimeWallMs + 1000);
  const probeSsm = new SSMClient({
    endpoint: sandbox.endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: probe.AccessKeyId!, secretAccessKey: probe.SecretAccessKey!, sessionToken: probe.SessionToken! },
  });

  const tunnel = await call<TunnelInfo>('tunnels.start', { profile: 'operator', region: 'us-east-1', target, remotePort: echoPort, localPort: 0 });
  expect(tunnel.state).toBe('open');
  const assumedAtStart = sandbox.stats.byOperation['sts:AssumeRole'] ?? 0;
  const resumesAtStart = sandbox.stats.byOperation['ssm:ResumeSession'] ?? 0;

  // Data all the time: 4 KiB every few ms, echoed back; compared byte for byte at the end.
  const socket = net.connect(tunnel.localPort, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const sent = createHash('sha256');
  const received = createHash('sha256');
  let sentBytes = 0;
  let receivedBytes = 0;
  socket.on('data', (d: Buffer) => {
    received.update(d);
    receivedBytes += d.length;
  });
  let seq = 0;
  let probed = false;
  const started = Date.now();
  while (Date.now() - started < runWallMs) {
    const chunk = createHash('sha512').update(String(seq++)).digest();
    const block = Buffer.concat(Array.from({ length: 64 }, () => chunk)); // 4 KiB
    sent.update(block);
    sentBytes += block.length;
    if (!socket.write(block)) await new Promise((r) => socket.once('drain', r));
    // Mid-run, once the probe's credentials are past their expiry: the sandbox refuses them.
    if (!probed && Date.now() > probe.Expiration!.getTime() + 200) {
      probed = true;
      await expect(probeSsm.send(new DescribeInstanceInformationCommand({ MaxResults: 5 }))).rejects.toMatchObject({ name: 'ExpiredTokenException' });
    }
    await sleep(5);
  }
  const elapsed = Date.now() - started;
  for (let i = 0; i < 400 && receivedBytes < sentBytes; i++) await sleep(25);
  socket.end();
  probeSsm.destroy();

  expect(probed).toBe(true);
  expect(receivedBytes).toBe(sentBytes);
  expect(received.digest('hex')).toBe(sent.digest('hex'));
  // Several lifetimes went by, and several credentials were obtained (refreshed ahead).
  expect(elapsed / lifetimeWallMs).toBeGreaterThanOrEqual(3);
  const refreshes = (sandbox.stats.byOperation['sts:AssumeRole'] ?? 0) - assumedAtStart;
  expect(refreshes).toBeGreaterThanOrEqual(3);
  // The tunnel kept making signed calls the whole time (every cut is a ResumeSession).
  const resumes = (sandbox.stats.byOperation['ssm:ResumeSession'] ?? 0) - resumesAtStart;
  expect(resumes).toBeGreaterThanOrEqual(3);
  // The only expired-token answer the sandbox gave was the probe's.
  const expired = Object.fromEntries(EXPIRED_CODES.map((c) => [c, sandbox.stats.errorsByCode[c] ?? 0]));
  expect(expired).toEqual({ ExpiredTokenException: 1, ExpiredToken: 0, RequestExpired: 0 });
  // One AWS session throughout: never restarted, never failed.
  const states = events
    .filter((e) => e.name === 'tunnels.changed' && (e.payload as { tunnel: TunnelInfo }).tunnel.id === tunnel.id)
    .map((e) => (e.payload as { tunnel: TunnelInfo }).tunnel);
  expect(states.some((t) => t.state === 'failed')).toBe(false);
  expect(new Set(states.map((t) => t.awsSessionId).filter(Boolean))).toEqual(new Set([tunnel.awsSessionId]));
  const { tunnels } = await call<{ tunnels: TunnelInfo[] }>('tunnels.list');
  expect(tunnels.find((t) => t.id === tunnel.id)?.state).toBe('open');
  console.log(
    `[expiry] ${Math.round(elapsed)} ms wall = ${Math.round((elapsed * TIME_SCALE) / 1000)} sandbox s; ${sentBytes} bytes echoed; ${refreshes} AssumeRole refreshes; ${resumes} ResumeSession calls`,
  );
  await call('tunnels.stop', { tunnelId: tunnel.id });
}, 40_000);
