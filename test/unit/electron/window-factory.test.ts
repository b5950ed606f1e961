import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as fake from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

const { createMainWindow, hardenWebContents, isAllowedExternalUrl } = await import('../../../src/main/app/window');
const { APP_ENTRY, isAppUrl } = await import('../../../src/main/app/app-origin');

const root = path.resolve(__dirname, '../../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(name) ? [full] : [];
  });
}

beforeEach(() => fake.reset());

describe('every window comes from the factory', () => {
  it('nothing in src/ constructs a window or a web view outside window.ts', () => {
    const factory = path.join(root, 'src/main/app/window.ts');
    const offenders = sourceFiles(path.join(root, 'src'))
      .filter((file) => file !== factory)
      .filter((file) => /new\s+(BrowserWindow|BrowserView|WebContentsView)\b|\bwebPreferences\b/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(root, file));
    expect(offenders).toEqual([]);
  });

  it('the factory itself constructs exactly one BrowserWindow', () => {
    const text = readFileSync(path.join(root, 'src/main/app/window.ts'), 'utf8');
    expect(text.match(/new\s+BrowserWindow\b/g)).toHaveLength(1);
  });
});

describe('createMainWindow', () => {
  it('creates the window with the secure options of the Electron checklist', () => {
    createMainWindow();
    expect(fake.BrowserWindow.instances).toHaveLength(1);
    const { webPreferences } = fake.BrowserWindow.instances[0].options;
    expect(webPreferences).toMatchObject({
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
      disableBlinkFeatures: 'Auxclick',
    });
    expect(String(webPreferences?.preload)).toMatch(/[\\/]preload[\\/]preload\.cjs$/);
    expect(webPreferences).not.toHaveProperty('enableBlinkFeatures');
    expect(webPreferences).not.toHaveProperty('additionalArguments');
  });

  it('loads the app from hatch://app and shows the window only when it is ready', () => {
    const window = createMainWindow({ maximized: true });
    expect(window.webContents.loadURL).toHaveBeenCalledWith(APP_ENTRY);
    expect(fake.BrowserWindow.instances[0].show).not.toHaveBeenCalled();
    window.emit('ready-to-show');
    expect(fake.BrowserWindow.instances[0].maximize).toHaveBeenCalled();
    expect(fake.BrowserWindow.instances[0].show).toHaveBeenCalled();
  });

  it('opens at the bounds it is given', () => {
    createMainWindow({ bounds: { x: 10, y: 20, width: 900, height: 600 } });
    expect(fake.BrowserWindow.instances[0].options).toMatchObject({ x: 10, y: 20, width: 900, height: 600 });
  });

  it('refuses navigation and redirects away from the app', () => {
    const contents = (createMainWindow() as unknown as fake.BrowserWindow).webContents;
    expect(contents.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.navigate('will-redirect', 'https://console.aws.amazon.com/')).toBe(true);
    expect(contents.navigate('will-navigate', `${APP_ENTRY}#/nodes`)).toBe(false);
  });

  it('refuses webviews', () => {
    const contents = (createMainWindow() as unknown as fake.BrowserWindow).webContents;
    let prevented = false;
    contents.emit('will-attach-webview', { preventDefault: () => (prevented = true) }, {}, {});
    expect(prevented).toBe(true);
  });

  it('denies every new window, and hands only allowlisted https links to the browser', () => {
    const contents = (createMainWindow() as unknown as fake.BrowserWindow).webContents;
    const open = contents.windowOpenHandler!;
    expect(open({ url: 'https://us-east-1.console.aws.amazon.com/systems-manager/' })).toEqual({ action: 'deny' });
    expect(fake.shell.openExternal).toHaveBeenCalledWith('https://us-east-1.console.aws.amazon.com/systems-manager/');
    fake.shell.openExternal.mockClear();
    for (const url of ['https://evil.example/', 'http://console.aws.amazon.com/', `${APP_ENTRY}`, 'file:///tmp/x', 'javascript:alert(1)']) {
      expect(open({ url })).toEqual({ action: 'deny' });
    }
    expect(fake.shell.openExternal).not.toHaveBeenCalled();
  });

  it('hardens a webContents only once, however often it is asked', () => {
    const contents = new fake.FakeWebContents();
    hardenWebContents(contents as never);
    hardenWebContents(contents as never);
    expect(contents.listenerCount('will-navigate')).toBe(1);
  });
});

describe('isAllowedExternalUrl', () => {
  it.each([
    'https://console.aws.amazon.com/',
    'https://eu-west-1.console.aws.amazon.com/systems-manager/session-manager?region=eu-west-1',
    'https://console.amazonaws.cn/',
    'https://console.amazonaws-us-gov.com/',
    'https://d-1234567890.awsapps.com/start/#/device?user_code=ABCD-EFGH',
    'https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH',
    'https://signin.aws.amazon.com/oauth',
    'https://docs.aws.amazon.com/systems-manager/',
    'https://CONSOLE.AWS.AMAZON.COM/',
  ])('allows %s', (url) => expect(isAllowedExternalUrl(url)).toBe(true));

  it.each([
    'http://console.aws.amazon.com/',
    'https://console.aws.amazon.com.evil.example/',
    'https://evilconsole.aws.amazon.com.example/',
    'https://notconsole.aws.amazon.com/',
    'https://aws.amazon.com.evil.example/',
    'https://console.aws.amazon.com:8443/',
    'https://user:pass@console.aws.amazon.com/',
    'https://console.aws.amazon.com./',
    'https://a.b.awsapps.com/',
    'https://awsapps.com/',
    'https://docs.aws.amazon.com.evil.example/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'hatch://app/index.html',
    'not a url',
    '',
  ])('refuses %s', (url) => expect(isAllowedExternalUrl(url)).toBe(false));
});

describe('isAppUrl', () => {
  it.each(['hatch://app/index.html', 'hatch://app/', 'hatch://app/assets/main.js?x=1#y'])('accepts %s', (url) => expect(isAppUrl(url)).toBe(true));
  it.each([
    'hatch://evil/index.html',
    'hatch://app.evil/index.html',
    'hatch://app@evil/',
    'https://app/index.html',
    'file:///app/index.html',
    'http://127.0.0.1:5173/',
    'hatchx://app/',
    'about:blank',
    '',
    'garbage',
  ])('refuses %s', (url) => expect(isAppUrl(url)).toBe(false));
});
