// A tunnel bound to anything but loopback is reachable from other machines: main refuses
// it unless the call says the person confirmed it (the dialog asks). Through the contract
// against the sandbox, with real sockets.
import { afterAll, beforeAll, expect, it } from 'vitest';
import net from 'node:net';
import os from 'node:os';
import type { TunnelInfo } from '../../src/shared/contract';
import { startHostHarness, type HostHarness } from '../helpers/host-harness';
import { startEchoServer } from '../helpers/echo';

let h: HostHarness;
let echo: { port: number; close(): void };

beforeAll(async () => {
  h = await startHostHarness({ sandbox: { agentPacing: false } });
  echo = await startEchoServer();
});

afterAll(async () => {
  echo?.close();
  await h?.dispose();
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function echoVia(host: string, port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    let got = '';
    socket.on('data', (d) => {
      got += d.toString();
      if (got.length >= text.length) {
        socket.end();
        resolve(got);
      }
    });
    socket.on('error', reject);
    socket.write(text);
  });
}

it('refuses 0.0.0.0 without the confirmation, opens it with one', async () => {
  const port = await freePort();
  const request = { profile: 'Sandbox', region: 'us-east-1', target: h.byName('db-jump').id, remotePort: echo.port, localPort: port, bindAddress: '0.0.0.0' };
  await expect(h.call('tunnels.start', request)).rejects.toMatchObject({ code: 'BadRequest', message: expect.stringContaining('reachable from other machines') });
  expect((await h.call<{ tunnels: TunnelInfo[] }>('tunnels.list')).tunnels).toEqual([]);
  // Nothing listens on that port.
  await expect(echoVia('127.0.0.1', port, 'x')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

  const tunnel = await h.call<TunnelInfo>('tunnels.start', { ...request, exposeToNetwork: true });
  expect(tunnel).toMatchObject({ state: 'open', bindAddress: '0.0.0.0', localPort: port });
  // Reachable on this machine's other addresses too, which is the point of the warning.
  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  expect(await echoVia(external ?? '127.0.0.1', port, 'through-0.0.0.0')).toBe('through-0.0.0.0');
  await h.call('tunnels.stop', { tunnelId: tunnel.id });
  // Loopback needs no confirmation.
  const local = await h.call<TunnelInfo>('tunnels.start', { ...request, localPort: 0, bindAddress: '127.0.0.1' });
  expect(local.state).toBe('open');
  await h.call('tunnels.stop', { tunnelId: local.id });
});
