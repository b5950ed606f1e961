// The only place windows are made. Every BrowserWindow gets the secure options of the
// Electron security checklist; tests check that nothing else constructs one. The options
// are written as a literal in the constructor call so that static scanners
// (electronegativity) see them.
import { BrowserWindow, shell, type WebContents } from 'electron';
import path from 'node:path';
import { APP_ENTRY, isAppUrl } from './app-origin';

/**
 * https hosts that may be opened in the user's browser: AWS consoles (every partition),
 * the IAM Identity Center portal and device page (SSO sign-in), and AWS documentation.
 */
const EXTERNAL_ALLOWLIST = [
  /^([a-z0-9-]+\.)*console\.aws\.amazon\.com$/,
  /^([a-z0-9-]+\.)*console\.amazonaws\.cn$/,
  /^([a-z0-9-]+\.)*console\.amazonaws-us-gov\.com$/,
  /^signin\.aws\.amazon\.com$/,
  /^[a-z0-9-]+\.awsapps\.com$/,
  /^device\.sso\.[a-z0-9-]+\.amazonaws\.com$/,
  /^docs\.aws\.amazon\.com$/,
];

export function isAllowedExternalUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    // Credentials or a port in the URL are a phishing shape, never a console link.
    if (parsed.protocol !== 'https:' || parsed.username || parsed.password || parsed.port) return false;
    return EXTERNAL_ALLOWLIST.some((pattern) => pattern.test(parsed.hostname));
  } catch {
    return false;
  }
}

interface MainWindowOptions {
  bounds?: { x: number; y: number; width: number; height: number };
  maximized?: boolean;
  /** The window icon where the OS takes it from the window (Linux, Windows dev runs). */
  icon?: string;
}

export function createMainWindow(options: MainWindowOptions = {}): BrowserWindow {
  const { bounds } = options;
  const window = new BrowserWindow({
    width: bounds?.width ?? 1280,
    height: bounds?.height ?? 800,
    x: bounds?.x,
    y: bounds?.y,
    minWidth: 760,
    minHeight: 480,
    title: 'Hatch',
    icon: options.icon,
    show: false,
    backgroundColor: '#1b1d21',
    webPreferences: {
      // Reviewed: the preload only exposes the contract's two-function bridge (preload.ts).
      preload: path.join(__dirname, '../preload/preload.cjs'), // eng-disable PRELOAD_JS_CHECK
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
      // Middle-click must not open a window, even before the open handler denies it.
      disableBlinkFeatures: 'Auxclick',
      safeDialogs: true,
      spellcheck: false,
    },
  });
  hardenWebContents(window.webContents);
  window.once('ready-to-show', () => {
    if (options.maximized) window.maximize();
    window.show();
  });
  void window.loadURL(APP_ENTRY);
  return window;
}

const hardened = new WeakSet<WebContents>();

/**
 * No navigation away from the app, no new windows, no webviews, external links only to the
 * allowlist. Applied by the factory and again to every webContents the app ever creates.
 */
export function hardenWebContents(contents: WebContents): void {
  if (hardened.has(contents)) return;
  hardened.add(contents);
  const refuseForeign = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', refuseForeign);
  contents.on('will-redirect', refuseForeign);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // The URL is checked against the https allowlist just above the call.
    if (isAllowedExternalUrl(url)) void shell.openExternal(url); /* eng-disable OPEN_EXTERNAL_JS_CHECK */
    return { action: 'deny' };
  });
}
