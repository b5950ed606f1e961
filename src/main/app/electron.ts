// Electron entry: the only module tree that imports electron. It wires the window
// factory, the renderer protocol (with CSP) and the IPC transport to one HatchHost.
import { app, BrowserWindow, net, protocol, session } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HatchHost } from '../host';
import { contentSecurityPolicy } from '../../shared/csp';
import { APP_SCHEME } from './app-origin';
import { createMainWindow } from './window';
import { registerIpc } from './ipc';

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const rendererDir = path.join(__dirname, '../renderer');
  const host = new HatchHost({ host: 'electron' });

  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });

  void app.whenReady().then(() => {
    // Serve the built renderer from hatch://app/ with the CSP set here, in main.
    protocol.handle(APP_SCHEME, async (request) => {
      const url = new URL(request.url);
      const file = path.resolve(rendererDir, decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html');
      if (!file.startsWith(rendererDir + path.sep)) return new Response('Not found', { status: 404 });
      const response = await net.fetch(pathToFileURL(file).toString());
      const headers = new Headers(response.headers);
      headers.set('Content-Security-Policy', contentSecurityPolicy(''));
      headers.set('X-Content-Type-Options', 'nosniff');
      return new Response(response.body, { status: response.status, headers });
    });
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    registerIpc(host, () => BrowserWindow.getAllWindows());
    createMainWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => void host.dispose());
}
