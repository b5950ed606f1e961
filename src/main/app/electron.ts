// Electron entry: the only module tree that imports electron. It wires the window
// factory, the renderer protocol (with CSP), the IPC transport, the settings, the menus
// and the tray (running tunnels) to one HatchHost.
import '../../runtime/quiet-warnings';
import { app, BrowserWindow, net, Notification, protocol, screen, session, shell } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HatchHost } from '../host';
import { contentSecurityPolicy } from '../../shared/csp';
import type { Notice } from '../../shared/contract';
import { SettingsStore, WindowBounds } from '../settings';
import { APP_SCHEME } from './app-origin';
import { createMainWindow, hardenWebContents } from './window';
import { registerIpc } from './ipc';
import { installAppMenu, type AppCommand } from './menu';
import { isPermissionAllowed } from './permissions';
import { TunnelMenu } from './tunnel-menu';
import { hostTunnelSource } from './tunnel-source';
import { restoreBounds, trackWindowState } from './window-state';
import { PtyHost } from './pty-host';

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
// Every renderer sandboxed, whatever options a future window passes.
app.enableSandbox();
// One userData folder ("Hatch") for development runs and installed builds alike.
app.setName('Hatch');
if (process.platform === 'win32') app.setAppUserModelId('dev.hatch.app');

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const rendererDir = path.join(__dirname, '../renderer');
  const iconsDir = path.join(__dirname, '../../assets/icons');
  // node-pty sessions run in a utility process, off main's event loop (architecture notes).
  const ptyHost = new PtyHost(path.join(__dirname, 'pty-host.cjs'));
  // Recordings, the embedded sandbox and caches live with the app's other data.
  const host = new HatchHost({
    host: 'electron',
    dataDir: app.getPath('userData'),
    // Notices about settings.json wait for the window (declared below; called later).
    notify: (notice) => notify(notice),
    // Only ever a loopback URL HatchHost built from an open tunnel's port (tunnels.openInBrowser).
    openExternal: (url) => shell.openExternal(url), // eng-disable OPEN_EXTERNAL_JS_CHECK
    downloadsDir: app.getPath('downloads'),
    revealFile: (file) => {
      shell.showItemInFolder(file);
      return true;
    },
    // A transfer that ends while Hatch is in the background (in front, the toast says it).
    systemNotify: (title, body) => {
      if (BrowserWindow.getFocusedWindow() || !Notification.isSupported()) return;
      new Notification({ title, body, silent: true }).show();
    },
    spawnPty: (options) => {
      const handle = ptyHost.spawn(options);
      handle.pid.catch(() => undefined); // a failed start is reported through onExit
      return handle;
    },
  });
  let settings: SettingsStore | undefined;

  // Events raised before a new window's renderer listens (a reset settings file, a dock
  // command that opened the window) wait for its first call (ipc.ts onRendererReady).
  const pending: Array<() => void> = [];
  let rendererListening = false;
  const whenListening = (emit: () => void) => (rendererListening ? emit() : void pending.push(emit));
  const notify = (notice: Notice) => whenListening(() => host.emit('system.notice', notice));

  const mainWindow = () => BrowserWindow.getAllWindows().find((window) => !window.isDestroyed());
  const showWindow = () => {
    if (!app.isReady()) return; // a second launch during start-up: the window is on its way
    const window = mainWindow();
    if (!window) return void openMainWindow();
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };
  const runCommand = (command: AppCommand) => {
    showWindow();
    whenListening(() => host.emit('app.command', { command }));
  };

  function openMainWindow(): BrowserWindow {
    rendererListening = false;
    const saved = settings?.current.window;
    const window = createMainWindow({
      bounds: restoreBounds(saved?.bounds ?? null, screen.getAllDisplays().map((display) => display.workArea)),
      maximized: saved?.maximized,
      icon: process.platform === 'darwin' ? undefined : path.join(iconsDir, '512x512.png'),
    });
    trackWindowState(window, ({ bounds, maximized }) => {
      const checked = WindowBounds.safeParse(bounds);
      void settings?.update((current) => ({ ...current, window: { bounds: checked.success ? checked.data : null, maximized } }));
    });
    return window;
  }

  app.on('second-instance', showWindow);

  // Whatever creates a webContents (DevTools included) gets the navigation lock-down.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

  void app.whenReady().then(async () => {
    // One settings.json, opened by HatchHost (the app's settings live there too).
    settings = await host.settingsStore;

    // Serve the built renderer from hatch://app/ with the CSP set here, in main.
    protocol.handle(APP_SCHEME, async (request) => {
      let file: string;
      try {
        const url = new URL(request.url);
        file = path.resolve(rendererDir, decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html');
      } catch {
        return new Response('Bad request', { status: 400 });
      }
      if (!file.startsWith(rendererDir + path.sep)) return new Response('Not found', { status: 404 });
      const response = await net.fetch(pathToFileURL(file).toString());
      const headers = new Headers(response.headers);
      headers.set('Content-Security-Policy', contentSecurityPolicy(''));
      headers.set('X-Content-Type-Options', 'nosniff');
      return new Response(response.body, { status: response.status, headers });
    });

    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_contents, permission, callback, details) =>
      callback(isPermissionAllowed(permission, details.requestingUrl, 'isMainFrame' in details ? details.isMainFrame : undefined)),
    );
    ses.setPermissionCheckHandler((_contents, permission, _origin, details) => isPermissionAllowed(permission, details.requestingUrl, details.isMainFrame));
    ses.setDevicePermissionHandler(() => false);
    ses.on('will-download', (event) => event.preventDefault());

    registerIpc(host, () => BrowserWindow.getAllWindows(), {
      onRendererReady: () => {
        rendererListening = true;
        for (const emit of pending.splice(0)) emit();
      },
    });
    installAppMenu({ platform: process.platform, developer: !app.isPackaged, run: runCommand });
    const tunnels = hostTunnelSource(host);
    const tunnelMenu = new TunnelMenu(
      tunnels.list,
      tunnels.onChange,
      { showWindow, newSession: () => runCommand('new-session'), quit: () => app.quit() },
      { platform: process.platform, trayIcon: path.join(iconsDir, process.platform === 'win32' ? '32x32.png' : '24x24.png') },
    );
    app.once('will-quit', () => {
      tunnelMenu.dispose();
      tunnels.dispose();
    });

    openMainWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) openMainWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Let the last settings write and the services finish before the process exits.
  let cleanedUp = false;
  app.on('will-quit', (event) => {
    if (cleanedUp) return;
    event.preventDefault();
    void Promise.allSettled([settings?.flush(), host.dispose()]).finally(() => {
      ptyHost.dispose();
      cleanedUp = true;
      app.quit();
    });
  });
}
