// The client against a small in-process agent built from the same DataChannel (role 'agent')
// on a loopback WebSocket server: handshake, KMS, resume, end reasons.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { DataChannel, type ChannelSocket } from '../../../src/protocol/channel';
import { DataChannelClient, connectDataChannel } from '../../../src/protocol/client';
import { encodeMessage, MessageType, PayloadType, type ClientMessage } from '../../../src/protocol/codec';
import { KmsCipher, type DataKeyProvider, type GenerateDataKeyInput } from '../../../src/protocol/encryption';
import { CLIENT_VERSION } from '../../../src/protocol/handshake';
import {
  encodeChannelClosed,
  encodeEncChallenge,
  encodeExitCode,
  encodeHandshakeComplete,
  encodeHandshakeRequest,
  parseEncChallenge,
  parseHandshakeResponse,
  parseOpenDataChannel,
  parseSize,
  type OpenDataChannelRequest,
} from '../../../src/protocol/payloads';
import { ShellSession } from '../../../src/protocol/shell-session';

function serverAdapter(ws: WebSocket): ChannelSocket {
  return {
    send: (f) => {
      if (ws.readyState !== WebSocket.OPEN) throw new Error('closed');
      ws.send(f);
    },
    onMessage: (cb) => ws.on('message', (d) => cb(d as Buffer)),
    onClose: (cb) => ws.on('close', () => cb()),
  };
}

interface AgentScript {
  kmsKeyId?: string;
  dataKey?: Buffer;
  sessionType?: string;
  onInput?: (agent: FakeAgent, m: ClientMessage) => void;
  /** false: the server never answers pings (a half-open connection). */
  autoPong?: boolean;
}

class FakeAgent {
  readonly wss: WebSocketServer;
  readonly channel = new DataChannel({ role: 'agent', resendTickMs: 20 });
  tokens = new Set(['tok-0']);
  opens: OpenDataChannelRequest[] = [];
  inputs: ClientMessage[] = [];
  sizes: { cols: number; rows: number }[] = [];
  current: WebSocket | null = null;
  handshakeResponse: ReturnType<typeof parseHandshakeResponse> | null = null;
  private challenge = randomBytes(64);
  cipher: KmsCipher | null = null;
  constructor(private readonly script: AgentScript) {
    this.wss = new WebSocketServer({ port: 0, host: '127.0.0.1', autoPong: script.autoPong ?? true });
    this.wss.on('connection', (ws) => {
      ws.once('message', (d, isBinary) => {
        const open = parseOpenDataChannel(d as Buffer);
        if (isBinary || !this.tokens.delete(open.tokenValue)) {
          ws.close(1008, 'bad token');
          return;
        }
        const first = this.opens.length === 0;
        this.opens.push(open);
        this.current = ws;
        this.channel.attach(serverAdapter(ws));
        if (first) this.start();
      });
    });
    this.channel.on('data', (m) => this.onData(m));
  }
  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/v1/data-channel/s-1?role=publish_subscribe`;
  }
  private start(): void {
    if (this.script.kmsKeyId || this.script.sessionType) {
      const actions: { ActionType: string; ActionParameters: unknown }[] = [
        { ActionType: 'SessionType', ActionParameters: { SessionType: this.script.sessionType ?? 'Standard_Stream', Properties: null } },
      ];
      if (this.script.kmsKeyId) actions.push({ ActionType: 'KMSEncryption', ActionParameters: { KMSKeyId: this.script.kmsKeyId, Challenge: 'AAECAwQFBgcICQoLDA0ODw==' } });
      this.channel.send(PayloadType.HandshakeRequest, encodeHandshakeRequest({ AgentVersion: '3.3.987.0', RequestedClientActions: actions }));
    } else {
      this.output('sh-5.2$ ');
    }
  }
  output(text: string | Buffer, type = PayloadType.Output): void {
    this.channel.send(type, typeof text === 'string' ? Buffer.from(text) : text);
  }
  private onData(m: ClientMessage): void {
    switch (m.payloadType) {
      case PayloadType.HandshakeResponse: {
        this.handshakeResponse = parseHandshakeResponse(m.payload);
        if (this.script.kmsKeyId) {
          this.cipher = new KmsCipher(this.script.dataKey!, 'agent');
          this.channel.setCipher(this.cipher);
          this.channel.send(PayloadType.EncChallengeRequest, encodeEncChallenge(this.cipher.encrypt(this.challenge)));
        } else {
          this.complete('');
        }
        return;
      }
      case PayloadType.EncChallengeResponse: {
        let ok: boolean;
        try {
          ok = this.cipher!.decrypt(parseEncChallenge(m.payload)).equals(this.challenge);
        } catch {
          ok = false;
        }
        if (ok) this.complete('This session is encrypted using AWS KMS.');
        else this.closeSession('Encryption challenge failed');
        return;
      }
      case PayloadType.Size:
        this.sizes.push(parseSize(m.payload));
        return;
      default:
        this.inputs.push({ ...m, payload: Buffer.from(m.payload) });
        this.script.onInput?.(this, m);
    }
  }
  private complete(msg: string): void {
    this.channel.send(PayloadType.HandshakeComplete, encodeHandshakeComplete({ HandshakeTimeToComplete: 1000, CustomerMessage: msg }));
    this.output('sh-5.2$ ');
  }
  closeSession(output = ''): void {
    this.current?.send(encodeMessage({ messageType: MessageType.ChannelClosed, sequenceNumber: 0, flags: 3, payload: encodeChannelClosed({ sessionId: 's-1', output }) }));
  }
  cut(): void {
    this.current?.terminate();
  }
  async stop(): Promise<void> {
    this.channel.close();
    for (const c of this.wss.clients) c.terminate();
    await new Promise((r) => this.wss.close(r));
  }
}

const agents: FakeAgent[] = [];
const clients: DataChannelClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const a of agents.splice(0)) await a.stop();
});

async function agentWith(script: AgentScript): Promise<FakeAgent> {
  const a = new FakeAgent(script);
  agents.push(a);
  if (!a.wss.address()) await new Promise((r) => a.wss.once('listening', r));
  return a;
}

function collect(shell: ShellSession): { text: () => string; waitFor: (s: string) => Promise<void> } {
  let acc = '';
  const waiters: { s: string; r: () => void }[] = [];
  shell.onData((d) => {
    acc += d.toString();
    for (const w of [...waiters]) {
      if (!acc.includes(w.s)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.r();
    }
  });
  return {
    text: () => acc,
    waitFor: (s) => (acc.includes(s) ? Promise.resolve() : new Promise((r) => waiters.push({ s, r }))),
  };
}

const echo: AgentScript['onInput'] = (agent, m) => {
  if (m.payloadType === PayloadType.Output) agent.output(`echo:${m.payload.toString()}`);
};

describe('DataChannelClient', () => {
  it('shell without handshake: OpenDataChannel fields, prompt, input, size held until the type is known', async () => {
    const agent = await agentWith({ onInput: echo });
    const client = await connectDataChannel({ streamUrl: agent.url, tokenValue: 'tok-0', sessionId: 's-1', target: 'i-1' });
    clients.push(client);
    const shell = new ShellSession(client, { cols: 120, rows: 40 });
    const out = collect(shell);
    await out.waitFor('sh-5.2$ ');
    const ready = await client.whenReady();
    expect(ready).toMatchObject({ sessionType: 'Standard_Stream', kind: 'shell', agentVersion: '', encrypted: false });
    shell.write('ls\r');
    await out.waitFor('echo:ls\r');
    expect(agent.opens[0]).toMatchObject({ messageSchemaVersion: '1.0', tokenValue: 'tok-0', clientVersion: CLIENT_VERSION });
    expect(agent.sizes).toEqual([{ cols: 120, rows: 40 }]);
    shell.resize(120, 40); // unchanged: not resent
    shell.resize(100, 30);
    agent.output('x');
    await out.waitFor('x');
    await client.channel.whenIdle();
    expect(agent.sizes).toEqual([
      { cols: 120, rows: 40 },
      { cols: 100, rows: 30 },
    ]);
    agent.output(encodeExitCode(3), PayloadType.ExitCode);
    agent.output('bye');
    await out.waitFor('bye');
    agent.closeSession();
    const exit = await shell.exited;
    expect(exit).toMatchObject({ reason: 'exit', exitCode: 3, message: '' });
  });

  it('stderr and terminated-with-reason', async () => {
    const agent = await agentWith({ sessionType: 'NonInteractiveCommands' });
    const client = await connectDataChannel({ streamUrl: agent.url, tokenValue: 'tok-0', sessionId: 's-1', target: 'i-1' });
    clients.push(client);
    const shell = new ShellSession(client);
    const streams: string[] = [];
    shell.onData((d, s) => streams.push(`${s}:${d.toString()}`));
    await shell.whenReady();
    expect(agent.handshakeResponse?.ClientVersion).toBe(CLIENT_VERSION);
    agent.output('oops', PayloadType.StdErr);
    await client.channel.whenIdle();
    await new Promise<void>((r) => {
      const t = setInterval(() => {
        if (!streams.includes('stderr:oops')) return;
        clearInterval(t);
        r();
      }, 5);
    });
    agent.closeSession('Session terminated by the administrator.');
    expect(await shell.exited).toMatchObject({ reason: 'terminated', message: 'Session terminated by the administrator.' });
  });

  it('KMS: data key with the right context, challenge, encrypted both ways', async () => {
    const dataKey = randomBytes(64);
    const seen: GenerateDataKeyInput[] = [];
    const kms: DataKeyProvider = {
      generateDataKey: async (input) => {
        seen.push(input);
        return { ciphertextBlob: Buffer.from('blob'), plaintext: dataKey };
      },
    };
    const agent = await agentWith({ kmsKeyId: 'alias/hatch', dataKey, onInput: echo });
    const client = await connectDataChannel({ streamUrl: agent.url, tokenValue: 'tok-0', sessionId: 's-1', target: 'i-0abc', kms });
    clients.push(client);
    const shell = new ShellSession(client);
    const out = collect(shell);
    const ready = await shell.whenReady();
    expect(ready).toMatchObject({ encrypted: true, customerMessage: 'This session is encrypted using AWS KMS.', agentVersion: '3.3.987.0' });
    expect(seen[0]).toEqual({
      KeyId: 'alias/hatch',
      NumberOfBytes: 64,
      EncryptionContext: { 'aws:ssm:SessionId': 's-1', 'aws:ssm:TargetId': 'i-0abc', 'aws:ssm:RandomChallenge': 'AAECAwQFBgcICQoLDA0ODw==' },
    });
    await out.waitFor('sh-5.2$ ');
    shell.write('whoami\r');
    await out.waitFor('echo:whoami\r');
    // On the wire the keystroke was ciphertext (28 bytes of overhead).
    expect(agent.inputs[0].payload.toString()).toBe('whoami\r');
  });

  it('KMS with a wrong data key ends the session with a typed error', async () => {
    const kms: DataKeyProvider = { generateDataKey: async () => ({ ciphertextBlob: Buffer.from('blob'), plaintext: randomBytes(64) }) };
    const agent = await agentWith({ kmsKeyId: 'k', dataKey: randomBytes(64) });
    const client = await connectDataChannel({ streamUrl: agent.url, tokenValue: 'tok-0', sessionId: 's-1', target: 'i-1', kms });
    clients.push(client);
    const end = await client.ended;
    expect(end.reason).toBe('error');
    expect(end.error).toMatchObject({ code: 'encryption-challenge-failed' });
  });

  it('resume: socket cut mid-session, new token, same StreamUrl and ClientId, nothing lost or doubled', async () => {
    const agent = await agentWith({ onInput: echo });
    let resumes = 0;
    const client = await connectDataChannel({
      streamUrl: agent.url,
      tokenValue: 'tok-0',
      sessionId: 's-1',
      target: 'i-1',
      reconnect: { baseDelayMs: 5 },
      resume: async () => {
        resumes++;
        const t = `tok-${resumes}`;
        agent.tokens.add(t);
        return { tokenValue: t, streamUrl: 'ws://127.0.0.1:1/ignored' };
      },
    });
    clients.push(client);
    const shell = new ShellSession(client);
    const out = collect(shell);
    await out.waitFor('sh-5.2$ ');
    shell.write('a');
    await out.waitFor('echo:a');
    const resumed = new Promise<void>((r) => client.on('resumed', r));
    agent.cut();
    // Both sides produce data while the socket is down.
    agent.output('during-outage');
    shell.write('b');
    await resumed;
    shell.write('c');
    await out.waitFor('echo:c');
    await out.waitFor('during-outage');
    expect(agent.inputs.map((m) => m.payload.toString())).toEqual(['a', 'b', 'c']);
    expect(out.text().match(/during-outage/g)).toHaveLength(1);
    expect(agent.opens.map((o) => o.tokenValue)).toEqual(['tok-0', 'tok-1']);
    expect(new Set(agent.opens.map((o) => o.clientId)).size).toBe(1);
    expect(new Set(agent.opens.map((o) => o.requestId)).size).toBe(2);
    expect(client.state).toBe('running');
  });

  it('resume refused (no token) ends with timed-out; no resume callback ends with connection-lost', async () => {
    const agent = await agentWith({});
    const c1 = await connectDataChannel({ streamUrl: agent.url, tokenValue: 'tok-0', sessionId: 's-1', target: 'i-1', resume: async () => ({}) });
    clients.push(c1);
    await c1.whenReady();
    agent.cut();
    expect(await c1.ended).toMatchObject({ reason: 'timed-out', message: 'Session: s-1 timed out.' });

    const agent2 = await agentWith({});
    const c2 = await connectDataChannel({ streamUrl: agent2.url, tokenValue: 'tok-0', sessionId: 's-2', target: 'i-1' });
    clients.push(c2);
    await c2.whenReady();
    agent2.cut();
    expect((await c2.ended).reason).toBe('connection-lost');
  });

  it('terminate calls TerminateSession and ends when channel_closed arrives', async () => {
    const agent = await agentWith({});
    const client = await connectDataChannel({
      streamUrl: agent.url,
      tokenValue: 'tok-0',
      sessionId: 's-1',
      target: 'i-1',
      terminateSession: async () => agent.closeSession(''),
    });
    clients.push(client);
    const shell = new ShellSession(client);
    await shell.whenReady();
    const exit = await shell.terminate();
    expect(exit.reason).toBe('exit');
  });

  it('a silent connection (no pongs, no data) is detected and resumed', async () => {
    const agent = await agentWith({ autoPong: false, onInput: echo });
    let resumes = 0;
    const client = await connectDataChannel({
      streamUrl: agent.url,
      tokenValue: 'tok-0',
      sessionId: 's-1',
      target: 'i-1',
      pingIntervalMs: 30,
      pongTimeoutMs: 30,
      reconnect: { baseDelayMs: 5 },
      resume: async () => {
        const t = `tok-${++resumes}`;
        agent.tokens.add(t);
        return { tokenValue: t };
      },
    });
    clients.push(client);
    const shell = new ShellSession(client);
    const out = collect(shell);
    await out.waitFor('sh-5.2$ ');
    await new Promise<void>((r) => client.on('resumed', r));
    shell.write('still-there');
    await out.waitFor('echo:still-there');
  });

  it('initial connection failure rejects with a typed error', async () => {
    await expect(
      connectDataChannel({ streamUrl: 'ws://127.0.0.1:1/x', tokenValue: 't', sessionId: 's', target: 'i', reconnect: { attempts: 2, baseDelayMs: 1 } }),
    ).rejects.toMatchObject({ code: 'connection-refused', retryable: false });
  });
});
