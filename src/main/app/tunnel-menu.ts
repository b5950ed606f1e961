// Running tunnels at a glance, outside the window: a tray icon (Linux, Windows) or the
// dock menu (macOS). The tunnel service does not exist yet, so the list and its change
// notification are constructor arguments; electron.ts passes an empty source for now.
import { app, Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';

export interface TunnelEntry {
  id: string;
  label: string;
}

interface TunnelMenuActions {
  showWindow(): void;
  newSession(): void;
  quit(): void;
}

/** The menu's items, separate from Electron so it can be checked without a display. */
export function tunnelMenuTemplate(tunnels: TunnelEntry[], actions: TunnelMenuActions, platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] =
    tunnels.length === 0
      ? [{ label: 'No running tunnels', enabled: false }]
      : [
          { label: `Running tunnels (${tunnels.length})`, enabled: false },
          // A tunnel's entry brings the window forward, where it can be inspected or stopped.
          ...tunnels.map((tunnel): MenuItemConstructorOptions => ({ id: `tunnel:${tunnel.id}`, label: tunnel.label, click: () => actions.showWindow() })),
        ];
  items.push({ type: 'separator' }, { label: 'New Session…', click: () => actions.newSession() });
  // The dock adds Quit (and window entries) by itself; a tray menu has to offer them.
  if (platform !== 'darwin') items.push({ label: 'Show Hatch', click: () => actions.showWindow() }, { type: 'separator' }, { label: 'Quit Hatch', click: () => actions.quit() });
  return items;
}

export class TunnelMenu {
  private tray: Tray | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly listTunnels: () => TunnelEntry[],
    onTunnelsChanged: (listener: () => void) => () => void,
    private readonly actions: TunnelMenuActions,
    private readonly options: { platform: NodeJS.Platform; trayIcon: string },
  ) {
    if (options.platform !== 'darwin') {
      const icon = nativeImage.createFromPath(options.trayIcon);
      this.tray = new Tray(icon);
      this.tray.on('click', () => actions.showWindow());
    }
    this.refresh();
    this.unsubscribe = onTunnelsChanged(() => this.refresh());
  }

  refresh(): void {
    const tunnels = this.listTunnels();
    const menu = Menu.buildFromTemplate(tunnelMenuTemplate(tunnels, this.actions, this.options.platform));
    if (this.tray) {
      this.tray.setToolTip(tunnels.length === 0 ? 'Hatch' : `Hatch: ${tunnels.length} tunnel${tunnels.length === 1 ? '' : 's'} running`);
      this.tray.setContextMenu(menu);
    } else {
      app.dock?.setMenu(menu);
    }
  }

  dispose(): void {
    this.unsubscribe();
    this.tray?.destroy();
    this.tray = null;
  }
}
