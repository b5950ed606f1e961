// bench/_echo-trace.ts — where a keystroke's time goes, for `bench echo`'s plugin and forwarder
// paths: pty → client → agent, agent + bash, agent → client → pty (the agent runs in this
// process, so its side is timed by wrapping DataChannel). With TRACE_PRELOAD=bench/_echo-preload.cjs
// each client process also records its own user-space time per key (stdin data → socket write,
// socket data → terminal write) into TRACE_OUT (default /tmp/hatch-echo-trace.txt).
// Run: npx tsx bench/_echo-trace.ts   Env: KEYS (300), ROUNDS (2), KINDS (forwarder,plugin,aws-cli).
import { SSMClient, StartSessionCommand } from '@aws-sdk/client-ssm';
import * as pty from 'node-pty';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DataChannel } from '../src/protocol/channel';
import { decodeMessage } from '../src/protocol/codec';
import { startSandbox } from '../src/sandbox/index';
import { awsCliEnvWithPlugin, ensurePluginBuilt, pluginBin } from '../test/helpers/built-bundle';

const KEYS = Number(process.env.KEYS ?? 300);
let tIn = 0; // agent got a data frame
let tOut = 0; // agent sent output
const origReceive = DataChannel.prototype.receive;
DataChannel.prototype.receive = function (this: DataChannel, frame: Buffer) {
  if (this.role === 'agent') {
    const m = decodeMessage(frame);
    if (m.messageType === 'input_stream_data' && m.payloadType === 1) tIn = performance.now();
  }
  return origReceive.call(this, frame);
};
const origSend = DataChannel.prototype.send;
DataChannel.prototype.send = function (this: DataChannel, t: number, p: Buffer) {
  if (this.role === 'agent' && t === 1 && tOut === 0) tOut = performance.now();
  return origSend.call(this, t, p);
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((p / 100) * xs.length)];

async function run(kind: string) {
  const sandbox = await startSandbox({ agentPacing: true });
  const ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
  const node = sandbox.fleet.nodes.find((n) => n.pingStatus === 'Online' && n.platformType === 'Linux' && n.region === sandbox.region)!;
  const st = await ssm.send(new StartSessionCommand({ Target: node.instanceId }));
  const env = { ...process.env, ...sandbox.env, NODE_OPTIONS: process.env.TRACE_PRELOAD ? '-r ' + path.resolve(process.env.TRACE_PRELOAD) : '' } as Record<string, string>;
  let p: pty.IPty;
  if (kind === 'aws-cli') {
    const { env: e2 } = awsCliEnvWithPlugin(sandbox.env);
    p = pty.spawn('/usr/bin/aws', ['ssm', 'start-session', '--target', node.instanceId, '--endpoint-url', sandbox.endpoint, '--region', sandbox.region], { cols: 120, rows: 30, env: { ...e2, NODE_OPTIONS: env.NODE_OPTIONS } });
  } else if (kind === 'plugin') {
    env.AWS_SSM_START_SESSION_RESPONSE = JSON.stringify({ SessionId: st.SessionId, TokenValue: st.TokenValue, StreamUrl: st.StreamUrl });
    p = pty.spawn(process.execPath, [pluginBin, 'AWS_SSM_START_SESSION_RESPONSE', sandbox.region, 'StartSession', '', JSON.stringify({ Target: node.instanceId }), sandbox.endpoint], { cols: 120, rows: 30, env });
  } else {
    p = pty.spawn(path.join(__dirname, '../node_modules/.bin/tsx'), [path.join(__dirname, '_forwarder.ts')], { cols: 120, rows: 30, env: { ...env, HATCH_FWD_RESPONSE: JSON.stringify(st) } });
  }
  let text = '';
  let waiting: null | { ch: string; from: number; res: () => void } = null;
  let tSeen = 0;
  p.onData((d) => {
    text += d;
    if (waiting && text.indexOf(waiting.ch, waiting.from) >= 0) {
      tSeen = performance.now();
      const w = waiting;
      waiting = null;
      w.res();
    }
  });
  const t00 = Date.now();
  while (!/[$#] $/m.test(text)) {
    if (Date.now() - t00 > 30000) throw new Error('no prompt: ' + text);
    await new Promise((r) => setTimeout(r, 20));
  }
  const inb: number[] = [], agent: number[] = [], outb: number[] = [], tot: number[] = [];
  for (let i = 0; i < KEYS; i++) {
    if (i % 40 === 39) {
      p.write('\x15');
      await new Promise((r) => setTimeout(r, 20));
    }
    const ch = 'abcdefghijklmnopqrstuvwxyz'[i % 26];
    const from = text.length;
    tIn = 0;
    tOut = 0;
    const t0 = performance.now();
    await new Promise<void>((res) => {
      waiting = { ch, from, res };
      p.write(ch);
    });
    if (tIn && tOut) {
      inb.push(tIn - t0);
      agent.push(tOut - tIn);
      outb.push(tSeen - tOut);
      tot.push(tSeen - t0);
    }
  }
  p.kill(); await new Promise((r) => setTimeout(r, 500));
  ssm.destroy();
  await sandbox.close();
  const f = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(3)} p90 ${pct(xs, 90).toFixed(3)}`;
  console.log(`${kind.padEnd(10)} n=${tot.length} total ${f(tot)} | pty→agent ${f(inb)} | agent+bash ${f(agent)} | agent→pty ${f(outb)}`);
}

void (async () => {
  await ensurePluginBuilt();
  for (let r = 0; r < Number(process.env.ROUNDS ?? 2); r++) for (const k of (process.env.KINDS ?? 'forwarder,plugin,aws-cli').split(',')) await run(k);
  process.exit(0);
})();
