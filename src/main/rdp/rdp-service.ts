// "Connect with Remote Desktop" on a Windows node: a tunnel to its 3389 on a free local
// port, a generated .rdp file, and the system's RDP client opened on it. In the browser
// host no client is started (the browser may not be on this machine): the address and the
// file are shown instead.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TunnelInfo } from '../../shared/contract';
import type { RdpConnection } from '../../shared/contract-access';
import { chooseLauncher, launch, spawnDetached, systemProbe, type LauncherProbe, type Spawner } from './launcher';
import { rdpFileName, rdpFileText } from './rdp-file';

const RDP_PORT = 3389;

interface RdpServiceOptions {
  /** Starts the tunnel (TunnelService.start). */
  startTunnel(request: { profile: string; region: string; target: string; remotePort: number; localPort: number; bindAddress: string; label: string }): Promise<TunnelInfo>;
  /** Where .rdp files are written (Hatch's data folder). */
  dir: string;
  /** false in the browser host: show the address and the file instead of starting a client. */
  launchClients: boolean;
  probe?: LauncherProbe;
  spawner?: Spawner;
}

export class RdpService {
  constructor(private readonly options: RdpServiceOptions) {}

  async connect(request: { profile: string; region: string; nodeId: string; nodeName: string; user?: string }): Promise<RdpConnection> {
    const tunnel = await this.options.startTunnel({
      profile: request.profile,
      region: request.region,
      target: request.nodeId,
      remotePort: RDP_PORT,
      localPort: 0,
      bindAddress: '127.0.0.1',
      label: `${request.nodeName} Remote Desktop`,
    });
    const address = `127.0.0.1:${tunnel.localPort}`;
    const rdpFile = rdpFileText({ address, user: request.user || undefined });
    const fileName = rdpFileName(request.nodeName, tunnel.localPort);
    const base = { tunnelId: tunnel.id, address, localPort: tunnel.localPort, rdpFile, fileName };
    if (!this.options.launchClients) {
      return { ...base, launcher: 'none', message: 'Hatch runs in a browser here, so it does not start a Remote Desktop client: open the .rdp file, or connect your client to the address.' };
    }
    const launcher = chooseLauncher(this.options.probe ?? systemProbe());
    if (launcher.kind === 'none') {
      return { ...base, launcher: 'none', message: 'No Remote Desktop client was found (mstsc, Windows App, Remmina or FreeRDP). Connect one to the address, or open the .rdp file with it.' };
    }
    mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
    const file = path.join(this.options.dir, fileName);
    writeFileSync(file, rdpFile, { mode: 0o600 });
    try {
      await launch(launcher, file, this.options.spawner ?? spawnDetached);
    } catch (error) {
      return { ...base, launcher: 'none', message: `The Remote Desktop client could not be started (${(error as Error).message}). Connect one to the address, or open ${file}.` };
    }
    return { ...base, launcher: launcher.kind, message: null };
  }
}
