// The native engine's shell sessions end to end against the sandbox: StartSession through
// @aws-sdk/client-ssm, then our data-channel client over a real WebSocket to the sandbox agent.
import { KMSClient } from '@aws-sdk/client-kms';
import { CreateDocumentCommand, DescribeSessionsCommand, ResumeSessionCommand, SSMClient, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShellSession, type ShellSession } from '../../src/protocol/shell-session';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';

let sandbox: Sandbox;
let ssm: SSMClient;
let kms: KMSClient;
let target: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  const cfg = { endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials };
  ssm = new SSMClient(cfg);
  kms = new KMSClient(cfg);
  const node = sandbox.fleet.nodes.find((n) => n.pingStatus === 'Online' && n.platformType === 'Linux');
  if (!node) throw new Error('sandbox fleet has no online Linux node');
  target = node.instanceId;
});

afterAll(async () => {
  ssm?.destroy();
  kms?.destroy();
  await sandbox?.close();
});

/** StartSession, then connect the native engine with ResumeSession/TerminateSession wired in. */
async function openShell(documentName?: string): Promise<ShellSession & { out: Output }> {
  const started = await ssm.send(new StartSessionCommand({ Target: target, ...(documentName ? { DocumentName: documentName } : {}) }));
  const sessionId = started.SessionId!;
  const shell = await startShellSession({
    streamUrl: started.StreamUrl!,
    tokenValue: started.TokenValue!,
    sessionId,
    target,
    kms,
    cols: 80,
    rows: 24,
    resume: async () => {
      const r = await ssm.send(new ResumeSessionCommand({ SessionId: sessionId }));
      return { tokenValue: r.TokenValue, streamUrl: r.StreamUrl };
    },
    terminateSession: async () => void (await ssm.send(new TerminateSessionCommand({ SessionId: sessionId }))),
  });
  return Object.assign(shell, { out: new Output(shell) });
}

class Output {
  text = '';
  private waiters: { re: RegExp; from: number; resolve: (m: RegExpExecArray) => void }[] = [];
  constructor(shell: ShellSession) {
    shell.onData((d) => {
      this.text += d.toString('utf8');
      for (const w of [...this.waiters]) {
        const m = w.re.exec(this.text.slice(w.from));
        if (!m) continue;
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(m);
      }
    });
  }
  /** Waits for `re` in output that arrives after this call (or already after `from`). */
  waitFor(re: RegExp, from = this.text.length): Promise<RegExpExecArray> {
    const m = re.exec(this.text.slice(from));
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => this.waiters.push({ re, from, resolve }));
  }
}

async function details(sessionId: string): Promise<string | undefined> {
  const r = await ssm.send(new DescribeSessionsCommand({ State: 'History' }));
  return r.Sessions?.find((s) => s.SessionId === sessionId)?.Details;
}

describe('native engine shell sessions against the sandbox', () => {
  it('runs commands, resizes, and ends with the shell exit status', async () => {
    const shell = await openShell();
    const ready = await shell.whenReady();
    expect(ready).toMatchObject({ kind: 'shell', encrypted: false });
    await shell.out.waitFor(/[$#] $/m, 0);
    const mark = shell.out.text.length;
    shell.write('echo hatch-$((6*7))\r');
    await shell.out.waitFor(/^hatch-42\r?$/m, mark);
    shell.resize(132, 43);
    const mark2 = shell.out.text.length;
    shell.write('stty size\r');
    await shell.out.waitFor(/^43 132\r?$/m, mark2);
    shell.write('exit 3\r');
    const exit = await shell.exited;
    expect(exit.reason).toBe('exit');
    // Standard_Stream shells carry no exit code on the wire; the sandbox records it in the session history.
    expect(await details(shell.sessionId)).toContain('exit code 3');
  });

  it('a socket cut mid-session resumes through ResumeSession; shell state survives', async () => {
    const shell = await openShell();
    await shell.out.waitFor(/[$#] $/m, 0);
    shell.write('HATCH_VAR=before-cut-$((40+2))\r');
    const mark = shell.out.text.length;
    shell.write('echo set:$HATCH_VAR\r');
    await shell.out.waitFor(/^set:before-cut-42\r?$/m, mark);
    const resumed = new Promise<void>((r) => shell.client.on('resumed', r));
    shell.client.cutSocket();
    shell.write('echo typed-during-outage\r'); // buffered, delivered after resume, exactly once
    await resumed;
    const mark2 = shell.out.text.length;
    shell.write('echo after:$HATCH_VAR\r');
    await shell.out.waitFor(/^after:before-cut-42\r?$/m, mark2);
    expect(shell.out.text.match(/^typed-during-outage\r?$/gm)).toHaveLength(1);
    const exit = await shell.terminate();
    expect(['exit', 'terminated']).toContain(exit.reason);
  });

  it('KMS-encrypted session when the preferences name a key', async () => {
    await ssm.send(
      new CreateDocumentCommand({
        Name: 'SSM-SessionManagerRunShell',
        DocumentType: 'Session',
        DocumentFormat: 'JSON',
        Content: JSON.stringify({ schemaVersion: '1.0', description: 'Hatch test preferences', sessionType: 'Standard_Stream', inputs: { kmsKeyId: 'alias/hatch-sessions', idleSessionTimeout: '20' } }),
      }),
    );
    const shell = await openShell();
    const ready = await shell.whenReady();
    expect(ready).toMatchObject({ encrypted: true, kind: 'shell' });
    expect(ready.agentVersion).not.toBe('');
    await shell.out.waitFor(/[$#] $/m, 0);
    const mark = shell.out.text.length;
    shell.write('echo enc-$((6*7))\r');
    await shell.out.waitFor(/^enc-42\r?$/m, mark);
    shell.write('exit\r');
    expect((await shell.exited).reason).toBe('exit');
  });
});

describe('native engine over a faulty data channel', () => {
  let faulty: Sandbox;
  let fssm: SSMClient;
  beforeAll(async () => {
    faulty = await startSandbox({ faults: 'drop=0.05,dup=0.05,reorder=0.05,cut=1500ms,seed=7' });
    fssm = new SSMClient({ endpoint: faulty.endpoint, region: faulty.region, credentials: faulty.credentials });
  });
  afterAll(async () => {
    fssm?.destroy();
    await faulty?.close();
  });

  it('loss, duplicates, reordering and repeated cuts: every line exactly once, in order', async () => {
    const node = faulty.fleet.nodes.find((n) => n.pingStatus === 'Online' && n.platformType === 'Linux')!;
    const started = await fssm.send(new StartSessionCommand({ Target: node.instanceId }));
    let resumes = 0;
    const shell = await startShellSession({
      streamUrl: started.StreamUrl!,
      tokenValue: started.TokenValue!,
      sessionId: started.SessionId!,
      target: node.instanceId,
      reconnect: { baseDelayMs: 20 },
      resume: async () => {
        resumes++;
        const r = await fssm.send(new ResumeSessionCommand({ SessionId: started.SessionId! }));
        return { tokenValue: r.TokenValue, streamUrl: r.StreamUrl };
      },
    });
    const out = new Output(shell);
    await out.waitFor(/[$#] $/m, 0);
    const mark = out.text.length;
    shell.write('seq 1 4000; echo done-$((1+1))\r');
    await out.waitFor(/^done-2\r?$/m, mark);
    await new Promise((r) => setTimeout(r, 1600)); // let at least one cut happen while idle
    const mark2 = out.text.length;
    shell.write('echo still-$((2+3))\r');
    await out.waitFor(/^still-5\r?$/m, mark2);
    // Strip terminal control (bracketed-paste toggles, carriage returns) before reading lines.
    const lines = out.text
      .slice(mark)
      .replace(new RegExp(`${String.fromCharCode(27)}\\[[?0-9;]*[a-zA-Z]`, 'g'), '')
      .split('\n')
      .map((l) => l.split('\r').filter(Boolean).pop() ?? '')
      .filter((l) => /^\d+$/.test(l))
      .map(Number);
    expect(lines).toEqual(Array.from({ length: 4000 }, (_, i) => i + 1));
    expect(resumes).toBeGreaterThan(0);
    shell.write('exit\r');
    expect((await shell.exited).reason).toBe('exit');
  });
});
