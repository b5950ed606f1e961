// The `hatch` commands' way to a node, against the real sandbox: profiles from the AWS
// config (AWS_PROFILE, --profile, [default], endpoint_url), environment credentials with
// AWS_ENDPOINT_URL, the built-in Sandbox profile, MFA asked on the terminal, NODE as an id
// or a name (ambiguous and unknown names are errors that say which), and a shell session.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';
import { CliContext } from '../../src/cli/context';
import { CliError, type CliIo } from '../../src/cli/io';
import { createBuiltinSandbox } from '../../src/main/aws';
import { tempAws, type TempAws } from '../unit/aws/helpers';

const WEB = 'i-0aaaaaaaaaaaaaaa1';
const TWIN_A = 'i-0bbbbbbbbbbbbbbb1';
const TWIN_B = 'i-0bbbbbbbbbbbbbbb2';
const LOST = 'i-0ccccccccccccccc1';

let sandbox: Sandbox;
let aws: TempAws;
let fleetDir: string;

function io(env: NodeJS.ProcessEnv, stdin: PassThrough & { isTTY?: boolean } = new PassThrough()): CliIo & { err: () => string } {
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (chunk) => (err += chunk));
  return { stdin, stdout: new PassThrough(), stderr, env, cwd: os.tmpdir(), onSignal: () => {}, err: () => err };
}

beforeAll(async () => {
  fleetDir = mkdtempSync(path.join(os.tmpdir(), 'hatch-cli-fleet-'));
  const fleetFile = path.join(fleetDir, 'fleet.json');
  writeFileSync(
    fleetFile,
    JSON.stringify({
      nodes: [
        { instanceId: WEB, name: 'web-1' },
        { instanceId: TWIN_A, name: 'twin' },
        { instanceId: TWIN_B, name: 'twin' },
        { instanceId: LOST, name: 'lost-1', pingStatus: 'ConnectionLost' },
      ],
    }),
  );
  sandbox = await startSandbox({ fleetFile });
  const keys = `aws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}\n`;
  aws = tempAws({
    config: `[default]\nregion = us-east-1\nendpoint_url = ${sandbox.endpoint}\n\n[profile ops]\nregion = us-east-1\nendpoint_url = ${sandbox.endpoint}\n\n[profile needs-mfa]\nregion = us-east-1\nendpoint_url = ${sandbox.endpoint}\nmfa_serial = ${sandbox.mfa.serialNumber}\n\n[profile no-region]\nendpoint_url = ${sandbox.endpoint}\n`,
    credentials: `[default]\n${keys}\n[ops]\n${keys}\n[needs-mfa]\n${keys}\n[no-region]\n${keys}`,
  });
});

afterAll(async () => {
  await sandbox?.close();
  aws?.cleanup();
  if (fleetDir) rmSync(fleetDir, { recursive: true, force: true });
});

async function withContext<T>(options: Parameters<typeof CliContext.open>[0], fn: (context: CliContext) => Promise<T>): Promise<T> {
  const context = await CliContext.open(options);
  try {
    return await fn(context);
  } finally {
    await context.dispose();
  }
}

async function failure(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

describe('choosing the profile', () => {
  it('AWS_PROFILE, then --profile over it, then [default]', async () => {
    await withContext({ io: io({ ...aws.env, AWS_PROFILE: 'ops' }) }, async (context) => {
      expect(context.profile).toBe('ops');
      expect(context.region).toBe('us-east-1');
    });
    await withContext({ io: io({ ...aws.env, AWS_PROFILE: 'ops' }), profile: 'default', region: 'eu-west-1' }, async (context) => {
      expect(context.profile).toBe('default');
      expect(context.region).toBe('eu-west-1');
    });
    await withContext({ io: io(aws.env) }, async (context) => expect(context.profile).toBe('default'));
  });

  it('an unknown profile or one without a region is one clear error', async () => {
    const unknown = await failure(CliContext.open({ io: io(aws.env), profile: 'nope' }));
    expect(unknown.message).toMatch(/no AWS profile named "nope".*profiles: .*ops/);
    const noRegion = await failure(CliContext.open({ io: io(aws.env), profile: 'no-region' }));
    expect(noRegion.message).toMatch(/"no-region" has no region.*Pick a region/);
  });

  it('environment credentials with AWS_ENDPOINT_URL and no profile', async () => {
    const env = { HOME: aws.home, AWS_CONFIG_FILE: path.join(aws.home, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(aws.home, 'none'), ...sandbox.env };
    await withContext({ io: io(env) }, async (context) => {
      expect(context.profile).toBeNull();
      expect((await context.resolveNode('web-1')).id).toBe(WEB);
    });
  });

  it('asks for the MFA code on the terminal', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const terminal = io(aws.env, stdin);
    await withContext({ io: terminal, profile: 'needs-mfa' }, async (context) => {
      const resolving = context.resolveNode('web-1');
      for (let i = 0; i < 200 && !terminal.err().includes('MFA code'); i++) await new Promise((r) => setTimeout(r, 25));
      expect(terminal.err()).toContain(`MFA code for profile "needs-mfa" (${sandbox.mfa.serialNumber}): `);
      stdin.write(`${sandbox.mfa.code()}\n`);
      expect((await resolving).id).toBe(WEB);
    });
  });

  it('an MFA profile with no terminal says so', async () => {
    await withContext({ io: io(aws.env), profile: 'needs-mfa' }, async (context) => {
      const error = await failure(context.resolveNode('web-1'));
      expect(error.message).toMatch(/needs an MFA code and there is no terminal/);
    });
  });

  it('the built-in Sandbox profile starts a sandbox in the process', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hatch-cli-data-'));
    try {
      await withContext({ io: io(aws.env), profile: 'Sandbox', sandbox: createBuiltinSandbox({ dataDir }) }, async (context) => {
        const node = await context.resolveNode('web-1');
        expect(node.id).toMatch(/^i-/);
        const shell = await context.openShell(node);
        let out = '';
        shell.onData((data) => (out += data.toString()));
        shell.write('echo "sum=$((40+2))"\r');
        for (let i = 0; i < 400 && !out.includes('sum=42'); i++) await new Promise((r) => setTimeout(r, 25));
        expect(out).toContain('sum=42');
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('resolving NODE', () => {
  it('by id, by Name, and errors for ambiguous, unknown and offline nodes', async () => {
    await withContext({ io: io(aws.env), profile: 'ops' }, async (context) => {
      expect(await context.resolveNode(WEB)).toMatchObject({ id: WEB, pingStatus: 'Online', platformType: 'Linux' });
      expect(await context.resolveNode('web-1')).toMatchObject({ id: WEB, name: 'web-1' });
      const twin = await failure(context.resolveNode('twin'));
      expect(twin.message).toBe(`"twin" names 2 nodes in profile "ops" in us-east-1: ${TWIN_A} (Online), ${TWIN_B} (Online). Use the instance id.`);
      const unknown = await failure(context.resolveNode('WEB-1'));
      expect(unknown.message).toBe('no managed node named "WEB-1" in profile "ops" in us-east-1. Did you mean "web-1"?');
      const missingId = await failure(context.resolveNode('i-0ddddddddddddddd1'));
      expect(missingId.message).toBe('i-0ddddddddddddddd1 is not a managed node in profile "ops" in us-east-1.');
      const lost = await failure(context.resolveNode('lost-1'));
      expect(lost.message).toMatch(/^lost-1 \(i-0ccccccccccccccc1\) is ConnectionLost: its SSM agent is not connected/);
    });
  });

  it('opens a shell session of its own and terminates it on dispose', async () => {
    let sessionId = '';
    await withContext({ io: io(aws.env), profile: 'ops' }, async (context) => {
      const shell = await context.openShell(await context.resolveNode('web-1'));
      sessionId = shell.sessionId;
      let out = '';
      shell.onData((data) => (out += data.toString()));
      shell.write('echo "ready-$((6*7))"\r');
      for (let i = 0; i < 400 && !out.includes('ready-42'); i++) await new Promise((r) => setTimeout(r, 25));
      expect(out).toContain('ready-42');
    });
    const record = sandbox.sessions().find((s) => s.sessionId === sessionId);
    expect(record?.status).toMatch(/^Terminat/);
  });
});
