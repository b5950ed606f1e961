// hatch-ssm-plugin behind the real AWS CLI: `/usr/bin/aws ssm start-session` against the
// sandbox finds our plugin as `session-manager-plugin` on PATH and runs a shell in a pty.
import { CreateDocumentCommand, SSMClient, StartSessionCommand } from '@aws-sdk/client-ssm';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';
import { awsCliEnvWithPlugin, ensurePluginBuilt, pluginBin } from '../helpers/built-bundle';

const AWS = '/usr/bin/aws';


let sandbox: Sandbox;
let binDir: string;
let env: Record<string, string>;
let target: string;

beforeAll(async () => {
  await ensurePluginBuilt();
  sandbox = await startSandbox();
  ({ binDir, env } = awsCliEnvWithPlugin(sandbox.env));
  const node = sandbox.fleet.nodes.find((n) => n.pingStatus === 'Online' && n.platformType === 'Linux' && n.region === sandbox.region);
  if (!node) throw new Error('no online Linux node in the sandbox fleet');
  target = node.instanceId;
});

afterAll(async () => {
  await sandbox?.close();
  if (binDir) rmSync(binDir, { recursive: true, force: true });
});

/** A process in a pty with a growing transcript and "wait until the output matches". */
class Term {
  text = '';
  readonly exited: Promise<{ exitCode: number; signal?: number }>;
  private waiters: Array<{ re: RegExp; from: number; resolve: (m: RegExpExecArray) => void }> = [];
  readonly p: pty.IPty;
  constructor(file: string, args: string[], extraEnv: Record<string, string> = {}) {
    this.p = pty.spawn(file, args, { cols: 100, rows: 30, env: { ...env, ...extraEnv }, name: 'xterm-256color' });
    this.p.onData((d) => {
      this.text += d;
      for (const w of [...this.waiters]) {
        const m = w.re.exec(this.text.slice(w.from));
        if (m) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
    this.exited = new Promise((r) => this.p.onExit(r));
  }
  /** Resolves when `re` matches output produced after `from` (default: now). */
  waitFor(re: RegExp, from = this.text.length): Promise<RegExpExecArray> {
    const m = re.exec(this.text.slice(from));
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      this.waiters.push({ re, from, resolve });
      void this.exited.then(() => reject(new Error(`process exited before ${re} appeared; output:\n${this.text}`)));
    });
  }
  type(s: string): void {
    this.p.write(s);
  }
}

describe('hatch-ssm-plugin argument contract (spec 12.1)', () => {
  const run = (args: string[], extra: Record<string, string> = {}) => spawnSync(process.execPath, [pluginBin, ...args], { env: { ...env, ...extra }, encoding: 'utf8' });

  it('no arguments: the installed message, exit 0', () => {
    const r = run([]);
    expect(r.stdout).toBe('\nThe Session Manager plugin was installed successfully. Use the AWS CLI to start a session.\n\n');
    expect(r.status).toBe(0);
  });

  it('--version prints a plain numeric version above 1.2.497.0', () => {
    const r = run(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\.\d+\n$/);
    const parts = r.stdout.trim().split('.').map(Number);
    const min = [1, 2, 497, 0];
    const cmp = parts.map((p, i) => p - min[i]).find((d) => d !== 0) ?? 0;
    expect(cmp).toBeGreaterThan(0);
  });

  it('unknown operation and invalid operation texts', () => {
    expect(run(['bogus']).stdout).toBe('\nUnknown operation bogus. \nUse session-manager-plugin --version to check the version.\n\n');
    expect(run(['a', 'b']).status).toBe(0);
    const inv = run(['{}', 'us-east-1', 'StopSession', '', '{"Target":"i-1"}']);
    expect(inv.stdout).toBe('Invalid Operation');
    expect(inv.status).toBe(0);
  });

  it('bad response JSON and missing Target are reported, not crashed on', () => {
    const bad = run(['not json', 'us-east-1', 'StartSession', '', '{"Target":"i-1"}']);
    expect(bad.stdout).toMatch(/^Cannot perform start session: /);
    expect(bad.status).toBe(1);
    const noTarget = run(['{"SessionId":"s","TokenValue":"t","StreamUrl":"ws://127.0.0.1:1/x"}', 'us-east-1', 'StartSession', '', '{}']);
    expect(noTarget.stdout).toMatch(/Target/);
    expect(noTarget.status).toBe(2);
  });
});

describe('aws ssm start-session with hatch-ssm-plugin as session-manager-plugin', () => {
  it('runs a shell: echo, resize followed by stty size, and exit 3 becomes the exit status', async () => {
    const t = new Term(AWS, ['ssm', 'start-session', '--target', target, '--endpoint-url', sandbox.endpoint, '--region', sandbox.region]);
    await t.waitFor(/Starting session with SessionId: (\S+)/, 0);
    await t.waitFor(/[#$] $/m, 0);

    const from = t.text.length;
    t.type('echo hatch-$((6*7))\r');
    await t.waitFor(/hatch-42/, from);

    // Resize the pty: SIGWINCH reaches the plugin (same process group), which sends Size.
    t.p.resize(123, 41);
    let seen = false;
    for (let i = 0; i < 50 && !seen; i++) {
      const mark = `sz${i}-`;
      const at = t.text.length;
      t.type(`echo ${mark}$(stty size)-end\r`);
      const m = await t.waitFor(new RegExp(`${mark}(\\d+) (\\d+)-end`), at);
      seen = m[1] === '41' && m[2] === '123';
    }
    expect(seen).toBe(true);

    t.type('exit 3\r');
    const { exitCode } = await t.exited;
    // The AWS CLI turns a non-zero plugin status into its own failure (12.2) and names it.
    expect(t.text).toMatch(/Exiting session with sessionId/);
    expect(t.text).toMatch(/non-zero exit status 3/);
    expect(exitCode).not.toBe(0);
  });

  it('the plugin run directly with the response in AWS_SSM_START_SESSION_RESPONSE exits with the shell status', async () => {
    const ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
    const started = await ssm.send(new StartSessionCommand({ Target: target }));
    ssm.destroy();
    const response = JSON.stringify({ SessionId: started.SessionId, TokenValue: started.TokenValue, StreamUrl: started.StreamUrl });
    const t = new Term(
      process.execPath,
      [pluginBin, 'AWS_SSM_START_SESSION_RESPONSE', sandbox.region, 'StartSession', '', JSON.stringify({ Target: target }), sandbox.endpoint],
      { AWS_SSM_START_SESSION_RESPONSE: response },
    );
    await t.waitFor(/[#$] $/m, 0);
    // The variable holding the token was removed from the plugin's environment.
    const at = t.text.length;
    t.type('echo "tok=[${AWS_SSM_START_SESSION_RESPONSE:-gone}]"; exit 7\r');
    await t.waitFor(/tok=\[gone\]/, at);
    const { exitCode } = await t.exited;
    expect(exitCode).toBe(7);
  });

  it('a cut data channel is resumed through ResumeSession at the endpoint the CLI passed', async () => {
    const t = new Term(AWS, ['ssm', 'start-session', '--target', target, '--endpoint-url', sandbox.endpoint, '--region', sandbox.region]);
    await t.waitFor(/[#$] $/m, 0);
    let at = t.text.length;
    t.type('HV=kept-$((40+2))\r');
    await t.waitFor(/[#$] $/m, at);
    const before = sandbox.sessions().length;
    sandbox.agent.cutAll();
    at = t.text.length;
    t.type('echo after-cut:$HV\r');
    await t.waitFor(/after-cut:kept-42/, at);
    expect(sandbox.sessions().length).toBe(before); // same session, not a new one
    t.type('exit\r');
    expect((await t.exited).exitCode).toBe(0);
  });

  // Last: it turns KMS encryption on for every later shell of this sandbox.
  it('KMS-encrypted shell: the plugin gets its data key from KMS (AWS_ENDPOINT_URL) and prints the notice', async () => {
    const ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
    await ssm.send(
      new CreateDocumentCommand({
        Name: 'SSM-SessionManagerRunShell',
        DocumentType: 'Session',
        DocumentFormat: 'JSON',
        Content: JSON.stringify({ schemaVersion: '1.0', description: 'prefs', sessionType: 'Standard_Stream', inputs: { kmsKeyId: 'alias/hatch-sessions' } }),
      }),
    );
    ssm.destroy();
    const t = new Term(AWS, ['ssm', 'start-session', '--target', target, '--endpoint-url', sandbox.endpoint, '--region', sandbox.region]);
    await t.waitFor(/This session is encrypted using AWS KMS\./, 0);
    await t.waitFor(/[#$] $/m, 0);
    const at = t.text.length;
    t.type('echo kms-$((40+2))\r');
    await t.waitFor(/kms-42/, at);
    t.type('exit\r');
    expect((await t.exited).exitCode).toBe(0);
  });
});
