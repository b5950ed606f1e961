// The only place windows are made. Every BrowserWindow gets the secure options of the
// Electron security checklist; tests check that nothing else constructs one.
import { BrowserWindow, shell, type WebContents } from 'electron';
import path from 'node:path';
import { APP_ENTRY, isAppUrl } from './app-origin';

/** https hosts that may be opened in the user's browser (AWS console links). */
const EXTERNAL_ALLOWLIST = [/^([a-z0-9-]+\.)*console\.aws\.amazon\.com$/, /^([a-z0-9-]+\.)*awsapps\.com$/, /^docs\.aws\.amazon\.com$/];

export function isAllowedExternalUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && EXTERNAL_ALLOWLIST.some((pattern) => pattern.test(parsed.hostname));
  } catch {
    return false;
  }
}

export const secureWebPreferences = (preload: string) =>
  ({
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  }) as const;

export function createMainWindow(bounds?: { x?: number; y?: number; width: number; height: number }): BrowserWindow {
  const window = new BrowserWindow({
    width: bounds?.width ?? 1280,
    height: bounds?.height ?? 800,
    x: bounds?.x,
    y: bounds?.y,
    minWidth: 760,
    minHeight: 480,
    title: 'Hatch',
    show: false,
    webPreferences: secureWebPreferences(path.join(__dirname, '../preload/preload.cjs')),
  });
  lockDown(window.webContents);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY);
  return window;
}

/** No navigation away from the app, no new windows, external links only to the allowlist. */
function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}
