// "Connect with Remote Desktop" through HatchHost against the sandbox, whose Windows node
// serves its 3389 from a stand-in RDP server on loopback: the tunnel carries bytes both
// ways, the .rdp file points at it, and the client chosen for the platform is started with
// the file (a fake launcher records its arguments). The browser host starts nothing.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RdpConnection } from '../../src/shared/contract-access';
import type { LauncherProbe } from '../../src/main/rdp/launcher';
import { startHostHarness, waitFor, type HostHarness } from '../helpers/host-harness';

let server: net.Server;
let serverPort: number;
const received: Buffer[] = [];

beforeAll(async () => {
  // Answers the first bytes like an RDP server's X.224 Connection Confirm would, then echoes.
  server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (first: Buffer) => {
      received.push(first);
      socket.write(Buffer.from([0x03, 0x00, 0x00, 0x0b, 0x06, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00]));
      socket.pipe(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverPort = (server.address() as net.AddressInfo).port;
});

afterAll(() => server.close());

const linuxWithRemmina: LauncherProbe = { platform: 'linux', env: { PATH: '/usr/bin' }, exists: (f) => f === '/usr/bin/remmina' };

async function harness(kind: 'electron' | 'web', spawned: Array<[string, string[]]>): Promise<HostHarness> {
  const h = await startHostHarness({ sandbox: { agentPacing: false }, host: { host: kind, rdp: { probe: linuxWithRemmina, spawner: async (c, a) => void spawned.push([c, a]) } } });
  h.sandbox.fleet.mapPort(h.byName('win-build-1').id, 3389, serverPort);
  return h;
}

/** Connects to the tunnel, sends a connection request, returns the first answer and an echo. */
function talk(port: number): Promise<{ first: Buffer; echo: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let stage = 0;
    let first = Buffer.alloc(0);
    let echo = '';
    socket.on('data', (d: Buffer) => {
      if (stage === 0) {
        first = Buffer.concat([first, d]);
        if (first.length >= 11) {
          stage = 1;
          socket.write('ping-through-3389');
        }
      } else {
        echo += d.toString();
        if (echo.length >= 'ping-through-3389'.length) {
          socket.end();
          resolve({ first, echo });
        }
      }
    });
    socket.on('error', reject);
    socket.write(Buffer.from([0x03, 0x00, 0x00, 0x13, 0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00]));
  });
}

describe('Remote Desktop to a Windows node', () => {
  it('desktop app: tunnel to 3389 on a free port, .rdp file, client started with it', async () => {
    const spawned: Array<[string, string[]]> = [];
    const h = await harness('electron', spawned);
    try {
      const win = h.byName('win-build-1');
      expect(win.platformType).toBe('Windows');
      const rdp = await h.call<RdpConnection>('rdp.connect', { profile: 'Sandbox', region: 'us-east-1', nodeId: win.id, nodeName: win.name, user: 'Administrator' });
      expect(rdp.launcher).toBe('remmina');
      expect(rdp.message).toBeNull();
      expect(rdp.address).toBe(`127.0.0.1:${rdp.localPort}`);
      expect(rdp.localPort).not.toBe(3389);
      expect(rdp.rdpFile).toContain(`full address:s:127.0.0.1:${rdp.localPort}\r\n`);
      expect(rdp.rdpFile).toContain('username:s:Administrator\r\n');
      // The fake launcher got Remmina's connect flag and the file Hatch wrote.
      expect(spawned).toHaveLength(1);
      const [command, args] = spawned[0];
      expect(command).toBe('/usr/bin/remmina');
      expect(args[0]).toBe('-c');
      expect(args[1]).toMatch(/\/rdp\/win-build-1-\d+\.rdp$/);
      expect(readFileSync(args[1], 'utf8')).toBe(rdp.rdpFile);
      // The tunnel reaches the node's 3389 (the stand-in server) both ways.
      const { first, echo } = await talk(rdp.localPort);
      expect(first.subarray(0, 2)).toEqual(Buffer.from([0x03, 0x00]));
      expect(echo).toBe('ping-through-3389');
      expect(received.at(-1)?.subarray(0, 4)).toEqual(Buffer.from([0x03, 0x00, 0x00, 0x13]));
      await waitFor(() => h.tunnel(rdp.tunnelId)?.label === 'win-build-1 Remote Desktop', 5000, 'the tunnel in the list');
      await h.call('tunnels.stop', { tunnelId: rdp.tunnelId });
    } finally {
      await h.dispose();
    }
  });

  it('browser host: the address and the file, no client started', async () => {
    const spawned: Array<[string, string[]]> = [];
    const h = await harness('web', spawned);
    try {
      const win = h.byName('win-build-1');
      const rdp = await h.call<RdpConnection>('rdp.connect', { profile: 'Sandbox', region: 'us-east-1', nodeId: win.id, nodeName: win.name });
      expect(rdp.launcher).toBe('none');
      expect(rdp.message).toMatch(/browser/);
      expect(rdp.fileName).toBe(`win-build-1-${rdp.localPort}.rdp`);
      expect(rdp.rdpFile).not.toContain('username');
      expect(spawned).toEqual([]);
      expect((await talk(rdp.localPort)).echo).toBe('ping-through-3389');
      // A user name that would inject a line is refused by the contract.
      await expect(h.call('rdp.connect', { profile: 'Sandbox', region: 'us-east-1', nodeId: win.id, nodeName: win.name, user: 'a\r\nfull address:s:x' })).rejects.toThrow(/Invalid request/);
    } finally {
      await h.dispose();
    }
  });
});
