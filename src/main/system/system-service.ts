// system.info: what the About box and the status bar show.
import type { SystemInfo } from '../../shared/contract';
import { appVersion } from '../../shared/version';

export type HostKind = 'electron' | 'web';

export class SystemService {
  constructor(private readonly host: HostKind) {}

  info(): SystemInfo {
    return {
      appName: 'Hatch',
      appVersion,
      host: this.host,
      platform: process.platform,
      arch: process.arch,
      nodeVersion: process.versions.node,
      electronVersion: process.versions.electron ?? null,
      chromeVersion: process.versions.chrome ?? null,
    };
  }
}
