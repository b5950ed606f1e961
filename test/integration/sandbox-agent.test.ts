// The sandbox agent driven over a real WebSocket by a minimal client built on the protocol
// codec and channel: shells, commands, KMS, tokens and resume, timers, transcripts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PayloadType } from '../../src/protocol/codec';
import { encodeSize, parseExitCode } from '../../src/protocol/payloads';
import { IDLE_TIMEOUT_OUTPUT, KMS_CUSTOMER_MESSAGE, MAX_DURATION_OUTPUT } from '../../src/sandbox/agent/session';
import { KMS_BLOB, KMS_KEY, RawClient, ReliableClient, spec, startHarness, type Harness } from '../unit/sandbox-agent/harness';

/** Re-checks a condition on the event loop until it holds (no timing assertion). */
async function poll(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('sandbox agent: shell sessions', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ pacing: true });
  });
  afterAll(async () => {
    await h.close();
  });

  it('runs a real shell: output, prompt with the node name, size, exit code reported', async () => {
    const s = spec('Standard_Stream');
    h.agent.register(s);
    const c = new ReliableClient(h.url(s.sessionId));
    await c.connect(s.tokenValue);
    await c.waitText('ssm-user@web-01:', 'prompt');
    expect(c.handshakeRequest).toBeUndefined(); // no handshake for a plain shell (6.1)
    c.send(encodeSize(100, 30), PayloadType.Size);
    c.send('echo hatch-$((6*7)); stty size; echo TERM=$TERM; pwd\r');
    const text = await c.waitText(/hatch-42\r\n30 100\r\nTERM=xterm-256color\r\n.*\r\n/);
    expect(text).toContain(path.join(h.dataDir, 'homes', s.node.instanceId));
    c.send('exit 7\r');
    const closed = await c.waitClosed();
    expect(closed.output).toBe('');
    expect(closed.sessionId).toBe(s.sessionId);
    expect(await h.whenEnded(s.sessionId)).toEqual({ reason: 'exit', exitCode: 7 });
    c.close();
  });

  it('paces output at ≤1024 bytes per message and never splits a UTF-8 character', async () => {
    const s = spec('Standard_Stream');
    h.agent.register(s);
    const c = new ReliableClient(h.url(s.sessionId));
    await c.connect(s.tokenValue);
    await c.waitPrompt();
    // 3000 three-byte characters, then a marker, in one write.
    c.send("printf '€%.0s' $(seq 3000); echo; echo END-$((1+1))\r");
    await c.waitText('END-2');
    const outs = c.delivered.filter((m) => m.payloadType === PayloadType.Output);
    expect(outs.length).toBeGreaterThan(8);
    for (const m of outs) {
      expect(m.payload.length).toBeLessThanOrEqual(1024);
      expect(Buffer.from(m.payload.toString('utf8'), 'utf8').equals(m.payload)).toBe(true); // valid on its own
    }
    expect(c.text()).toContain('€'.repeat(3000));
    h.agent.terminate(s.sessionId);
    expect((await c.waitClosed()).output).toBe('');
    expect((await h.whenEnded(s.sessionId)).reason).toBe('terminated');
    c.close();
  });

  it('InteractiveCommands runs the document command in a pty', async () => {
    const s = spec('InteractiveCommands', {
      documentName: 'AWS-StartInteractiveCommand',
      properties: { linux: { commands: 'test -t 1 && echo tty-yes; exit 4', runAsElevated: false } },
    });
    h.agent.register(s);
    const c = new ReliableClient(h.url(s.sessionId));
    await c.connect(s.tokenValue);
    await c.waitClosed();
    expect(c.text()).toContain('tty-yes');
    expect(await h.whenEnded(s.sessionId)).toEqual({ reason: 'exit', exitCode: 4 });
    c.close();
  });

  it('NonInteractiveCommands: handshake, stdout as 1, stderr as 11 with prefixes, EXIT_CODE as 12', async () => {
    const s = spec('NonInteractiveCommands', {
      documentName: 'Custom-RunScript',
      properties: {
        linux: {
          commands: 'echo out-1; echo err-1 >&2; echo out-2; exit 3',
          runAsElevated: false,
          separateOutputStream: true,
          stdOutSeparatorPrefix: 'O:',
          stdErrSeparatorPrefix: 'E:',
        },
      },
    });
    h.agent.register(s);
    const c = new ReliableClient(h.url(s.sessionId));
    await c.connect(s.tokenValue);
    await c.waitClosed();
    expect(c.handshakeRequest?.RequestedClientActions[0].ActionParameters).toEqual({ SessionType: 'NonInteractiveCommands', Properties: s.properties });
    expect(c.handshakeComplete?.CustomerMessage).toBe('');
    expect(c.output([PayloadType.Output]).toString()).toBe('O:out-1\nO:out-2\n');
    expect(c.output([PayloadType.StdErr]).toString()).toBe('E:err-1\n');
    const exit = c.delivered.filter((m) => m.payloadType === PayloadType.ExitCode);
    expect(exit).toHaveLength(1);
    expect(parseExitCode(exit[0].payload)).toBe(3);
    expect(c.delivered[c.delivered.length - 1].payloadType).toBe(PayloadType.ExitCode);
    expect(await h.whenEnded(s.sessionId)).toEqual({ reason: 'exit', exitCode: 3 });
    c.close();
  });

  it('writes input and output to the transcript', async () => {
    const transcriptPath = path.join(h.dataDir, 'logs', 'transcript.log');
    const s = spec('Standard_Stream', { preferences: { idleSessionTimeoutMinutes: 20, runAsEnabled: false, transcriptPath } });
    h.agent.register(s);
    const c = new ReliableClient(h.url(s.sessionId));
    await c.connect(s.tokenValue);
    await c.waitPrompt();
    c.send('echo logged-$((40+2))\r');
    await c.waitText('logged-42');
    c.send('exit\r');
    await c.waitClosed();
    await h.whenEnded(s.sessionId);
    const log = readFileSync(transcriptPath, 'utf8');
    expect(log).toContain('echo logged-$((40+2))\r'); // input
    expect(log).toContain('logged-42\r\n'); // output
    c.close();
  });
});

describe('sandbox agent: KMS encryption', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  const kmsPrefs = { idleSessionTimeoutMinutes: 20, runAsEnabled: false, kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/test' };

  it('decrypts the data key with the spec 7.1 context, runs the challenge and encrypts the shell', async () => {
    const s = spec('Standard_Stream', { preferences: kmsPrefs });
    h.agent.register(s);
    const c = new ReliableClient(h.url(s.sessionId));
    await c.connect(s.tokenValue);
    await c.waitReady();
    const kmsAction = c.handshakeRequest?.RequestedClientActions.find((a) => a.ActionType === 'KMSEncryption');
    const params = kmsAction?.ActionParameters as { KMSKeyId: string; Challenge: string };
    expect(params.KMSKeyId).toBe(kmsPrefs.kmsKeyId);
    expect(Buffer.from(params.Challenge, 'base64')).toHaveLength(16);
    expect(c.handshakeComplete?.CustomerMessage).toBe(KMS_CUSTOMER_MESSAGE);
    const call = h.kmsCalls.find((k) => k.context['aws:ssm:SessionId'] === s.sessionId);
    expect(call?.blob.equals(KMS_BLOB)).toBe(true);
    expect(call?.context).toEqual({
      'aws:ssm:SessionId': s.sessionId,
      'aws:ssm:TargetId': s.node.instanceId,
      'aws:ssm:RandomChallenge': params.Challenge,
    });
    expect(h.agent.session(s.sessionId)?.encrypted).toBe(true);
    c.send('echo secret-$((6*7))\r'); // encrypted by the client channel's cipher
    await c.waitText('secret-42');
    h.agent.terminate(s.sessionId);
    await c.waitClosed();
    c.close();
  });

  it('puts ciphertext on the wire for Output (raw view)', async () => {
    const s = spec('Standard_Stream', { preferences: kmsPrefs });
    h.agent.register(s);
    const c = new ReliableClient(h.url(s.sessionId));
    const frames: Buffer[] = [];
    await c.connect(s.tokenValue);
    c.ws?.on('message', (d: Buffer) => frames.push(Buffer.from(d)));
    await c.waitReady();
    c.send('echo plain-text-marker\r');
    await c.waitText(/[\r\n]plain-text-marker/);
    expect(Buffer.concat(frames).includes('plain-text-marker')).toBe(false);
    h.agent.terminate(s.sessionId);
    await c.waitClosed();
    c.close();
  });

  it('ends the session when KMS refuses the data key', async () => {
    const s = spec('Standard_Stream', { preferences: kmsPrefs });
    h.agent.register(s);
    const c = new ReliableClient(h.url(s.sessionId), undefined, { blob: randomBytes(8), key: KMS_KEY, challengeAck: false });
    await c.connect(s.tokenValue);
    const closed = await c.waitClosed();
    expect(closed.output).toMatch(/InvalidCiphertextException/);
    expect((await h.whenEnded(s.sessionId)).reason).toBe('failed');
    c.close();
  });

  it('ends the session when the challenge answer is wrong', async () => {
    const s = spec('Standard_Stream', { preferences: kmsPrefs });
    h.agent.register(s);
    const c = new ReliableClient(h.url(s.sessionId), undefined, { blob: KMS_BLOB, key: KMS_KEY, challengeAck: false, badChallenge: true });
    await c.connect(s.tokenValue);
    const closed = await c.waitClosed();
    expect(closed.output).toMatch(/challenge/i);
    expect(h.kmsCalls.find((k) => k.context['aws:ssm:SessionId'] === s.sessionId)?.context['aws:ssm:RandomChallenge']).toBeUndefined();
    c.close();
  });
});

describe('sandbox agent: tokens, resume, timers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timeScale: 600 }); // a minute every 100 ms
  });
  afterAll(async () => {
    await h.close();
  });

  it('closes a socket with a bad token and accepts each token once', async () => {
    const s = spec('Standard_Stream');
    h.agent.register(s);
    const bad = await RawClient.connect(h.url(s.sessionId), 'not-the-token');
    expect(await bad.closed()).toBe(1008);
    const good = await RawClient.connect(h.url(s.sessionId), s.tokenValue);
    await good.waiters.until(() => /[$#] $/.test(good.output()) || undefined, 'prompt');
    const again = await RawClient.connect(h.url(s.sessionId), s.tokenValue);
    expect(await again.closed()).toBe(1008); // single use
    expect(h.agent.stats().refusedConnections).toBeGreaterThanOrEqual(2);
    h.agent.terminate(s.sessionId);
    await h.whenEnded(s.sessionId);
    expect(h.agent.addResumeToken(s.sessionId, 'late')).toBe(false);
    good.close();
  });

  it('a resume token replaces the socket and keeps the channel: nothing lost, nothing twice', async () => {
    const s = spec('Standard_Stream');
    h.agent.register(s);
    const c = new ReliableClient(h.url(s.sessionId));
    await c.connect(s.tokenValue);
    await c.waitPrompt();
    // The pause makes sure part of the output is produced while the socket is down.
    c.send('for i in $(seq 1 400); do echo line-$i; [ $i = 200 ] && sleep 0.3; done; echo fin-$((1+1))\r');
    await c.waitText('line-50\r\n');
    h.agent.cutAll();
    expect(h.agent.session(s.sessionId)?.connected).toBe(false);
    // A different client id may not take the session over.
    expect(h.agent.addResumeToken(s.sessionId, 'resume-x')).toBe(true);
    const thief = await RawClient.connect(h.url(s.sessionId), 'resume-x');
    expect(await thief.closed()).toBe(1008);
    expect(h.agent.addResumeToken(s.sessionId, 'resume-1')).toBe(true);
    await c.connect('resume-1');
    c.send('echo after-$((2+3))\r'); // only reaches the shell through the new socket
    const text = await c.waitText(/after-5\r\n/);
    const lines = [...text.matchAll(/line-(\d+)\r\n/g)].map((m) => Number(m[1]));
    expect(lines).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(h.agent.session(s.sessionId)?.connections).toBe(2);
    h.agent.terminate(s.sessionId);
    await c.waitClosed();
    c.close();
  });

  it('a shell that exits while the client is cut off keeps its output for the resumed client', async () => {
    const s = spec('Standard_Stream');
    h.agent.register(s);
    const c = new ReliableClient(h.url(s.sessionId));
    await c.connect(s.tokenValue);
    await c.waitPrompt();
    c.send('sleep 0.2; echo bye-$((3*3)); exit 5\r');
    await c.waitText('exit 5\r\n'); // the shell echoed the command line
    h.agent.cutAll();
    await poll(() => h.agent.session(s.sessionId)?.phase === 'closing', 'shell exit while disconnected');
    expect(h.agent.addResumeToken(s.sessionId, 'after-exit')).toBe(true);
    await c.connect('after-exit');
    await c.waitClosed();
    expect(c.text()).toMatch(/bye-9\r\n/);
    expect(await h.whenEnded(s.sessionId)).toEqual({ reason: 'exit', exitCode: 5 });
    expect(h.agent.addResumeToken(s.sessionId, 'too-late')).toBe(false);
    c.close();
  });

  it('ends an idle session after idleSessionTimeoutMinutes (scaled)', async () => {
    const s = spec('Standard_Stream', { preferences: { idleSessionTimeoutMinutes: 1, runAsEnabled: false } });
    h.agent.register(s);
    const c = new ReliableClient(h.url(s.sessionId));
    await c.connect(s.tokenValue);
    const closed = await c.waitClosed();
    expect(closed.output).toBe(IDLE_TIMEOUT_OUTPUT);
    expect((await h.whenEnded(s.sessionId)).reason).toBe('idle-timeout');
    c.close();
  });

  it('ends a busy session at maxSessionDurationMinutes (scaled)', async () => {
    const s = spec('Standard_Stream', { preferences: { idleSessionTimeoutMinutes: 60, maxSessionDurationMinutes: 2, runAsEnabled: false } });
    h.agent.register(s);
    const c = new ReliableClient(h.url(s.sessionId));
    await c.connect(s.tokenValue);
    await c.waitPrompt();
    c.send('while true; do echo busy; sleep 0.01; done\r');
    const closed = await c.waitClosed();
    expect(closed.output).toBe(MAX_DURATION_OUTPUT);
    expect((await h.whenEnded(s.sessionId)).reason).toBe('max-duration');
    c.close();
  });
});
