// hatch-ssm-plugin fails fast, with one line and a distinct exit code, on what retrying cannot
// fix: a closed port, an unknown host, an HTTP 404 on the stream URL, a server that never
// answers the WebSocket handshake, and ws:// to another machine. Real sockets, the built binary.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/plugin-cli/run';
import { ensurePluginBuilt, pluginBin } from '../helpers/built-bundle';

const servers: Array<net.Server | http.Server> = [];
beforeAll(async () => {
  await ensurePluginBuilt();
});
afterAll(() => {
  for (const s of servers) s.close();
});

async function listen<T extends net.Server | http.Server>(srv: T): Promise<number> {
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return (srv.address() as net.AddressInfo).port;
}

/** Runs the plugin as the AWS CLI would, with a StartSession response pointing at `streamUrl`. */
function runPlugin(streamUrl: string, deadlineMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const response = JSON.stringify({ SessionId: 'sess-fail-fast', TokenValue: 'token-value', StreamUrl: streamUrl });
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [pluginBin, 'AWS_SSM_START_SESSION_RESPONSE', 'us-east-1', 'StartSession', '', JSON.stringify({ Target: 'i-0123456789abcdef0' }), 'http://127.0.0.1:9'], {
      env: { ...process.env, AWS_SSM_START_SESSION_RESPONSE: response, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_EC2_METADATA_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the plugin did not exit within ${deadlineMs} ms; stdout: ${JSON.stringify(stdout.slice(-300))}, stderr: ${JSON.stringify(stderr.slice(-300))}`));
    }, deadlineMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** The line that says why (the reference's "Cannot perform start session: …"). */
function reason(stdout: string): string {
  const lines = stdout.split('\n').filter((l) => l.startsWith('Cannot perform start session:'));
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe('hatch-ssm-plugin fails fast on what retrying cannot fix', () => {
  it('a closed port on this machine: connection refused', async () => {
    const port = await listen(net.createServer());
    servers.pop()!.close(); // the port is now closed
    await new Promise((r) => setTimeout(r, 50));
    const r = await runPlugin(`ws://127.0.0.1:${port}/v1/data-channel/sess-fail-fast`, 15_000);
    expect(reason(r.stdout)).toMatch(/connection refused/);
    expect(r.code).toBe(EXIT_CODES['connection-refused']);
  });

  it('an unknown host name: DNS failure', async () => {
    const r = await runPlugin('wss://hatch-no-such-host.invalid/v1/data-channel/sess-fail-fast', 15_000);
    expect(reason(r.stdout)).toMatch(/does not resolve/);
    expect(r.code).toBe(EXIT_CODES['dns-failed']);
  });

  it('HTTP 404 on the stream URL: the service refused it', async () => {
    const port = await listen(
      http.createServer((_req, res) => {
        res.writeHead(404).end();
      }),
    );
    const r = await runPlugin(`ws://127.0.0.1:${port}/v1/data-channel/sess-fail-fast`, 15_000);
    expect(reason(r.stdout)).toMatch(/HTTP 404/);
    expect(r.stdout).not.toContain('token-value');
    expect(r.code).toBe(EXIT_CODES['stream-rejected']);
  });

  it('a server that accepts but never answers the handshake: the handshake deadline', async () => {
    const held: net.Socket[] = [];
    const port = await listen(net.createServer((s) => void held.push(s)));
    const r = await runPlugin(`ws://127.0.0.1:${port}/v1/data-channel/sess-fail-fast`, 15_000);
    for (const s of held) s.destroy();
    expect(reason(r.stdout)).toMatch(/never completed the WebSocket handshake/);
    expect(r.code).toBe(EXIT_CODES['handshake-timeout']);
  });

  it('ws:// to another machine is refused before any connection (the token would travel in clear)', async () => {
    const r = await runPlugin('ws://192.0.2.10/v1/data-channel/sess-fail-fast', 15_000);
    expect(reason(r.stdout)).toMatch(/Refusing ws:\/\/192\.0\.2\.10/);
    expect(r.code).toBe(EXIT_CODES['insecure-stream-url']);
  });
});
