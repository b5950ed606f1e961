// Menus, tray, window state and permissions, against the fakes (terminal ports and the
// preload: terminal-ports.test.ts).
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import * as fake from './fake-electron';
import { events } from '../../../src/shared/contract';

vi.mock('electron', () => import('./fake-electron'));

const { menuTemplate, installAppMenu } = await import('../../../src/main/app/menu');
const { TunnelMenu, tunnelMenuTemplate } = await import('../../../src/main/app/tunnel-menu');
const { hostTunnelSource, tunnelLabel } = await import('../../../src/main/app/tunnel-source');
const { restoreBounds, trackWindowState } = await import('../../../src/main/app/window-state');
const { isPermissionAllowed } = await import('../../../src/main/app/permissions');

beforeEach(() => fake.reset());

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}

describe('application menu', () => {
  const commands = events['app.command'].shape.command.options;

  it.each(['darwin', 'linux', 'win32'] as const)('offers every app command and the standard roles on %s', (platform) => {
    const run = vi.fn();
    const items = flatten(menuTemplate({ platform, developer: false, run }));
    for (const command of commands) {
      const item = items.find((i) => i.click && i.label && (i.click(undefined as never, undefined, undefined as never), run.mock.lastCall?.[0] === command));
      expect(item, command).toBeDefined();
    }
    const roles = items.map((i) => i.role).filter(Boolean);
    expect(roles).toEqual(expect.arrayContaining(['togglefullscreen', 'resetZoom', 'zoomIn', 'zoomOut', 'help']));
    if (platform === 'darwin') expect(roles).toEqual(expect.arrayContaining(['appMenu', 'editMenu', 'windowMenu', 'close']));
    else expect(roles).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'quit']));
    // Reload would wipe every terminal: never in an installed build.
    expect(roles).not.toContain('reload');
    expect(roles).not.toContain('toggleDevTools');
  });

  it.each(['linux', 'win32'] as const)('takes no Ctrl+<letter> key from the terminal on %s', (platform) => {
    const items = flatten(menuTemplate({ platform, developer: true, run: vi.fn() }));
    // Roles whose default accelerators would be registered: only zoom and full screen,
    // which terminals conventionally give up too.
    const defaulted = items.filter((i) => i.role && !i.accelerator && i.registerAccelerator !== false && !i.submenu && i.role !== 'help');
    expect(defaulted.map((i) => i.role).sort()).toEqual(['resetZoom', 'toggleDevTools', 'togglefullscreen', 'zoomIn', 'zoomOut']);
    const registered = items.filter((i) => i.accelerator && i.registerAccelerator !== false).map((i) => String(i.accelerator));
    expect(registered.length).toBeGreaterThan(0);
    for (const accelerator of registered) expect(accelerator).not.toMatch(/^(CmdOrCtrl|Ctrl|CommandOrControl|Control)\+[A-Z0-9]$/i);
  });

  it('shows Reload and DevTools only in development', () => {
    const roles = flatten(menuTemplate({ platform: 'linux', developer: true, run: vi.fn() })).map((i) => i.role);
    expect(roles).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });

  it('gives no two items the same accelerator', () => {
    const accelerators = flatten(menuTemplate({ platform: 'linux', developer: true, run: vi.fn() }))
      .map((i) => i.accelerator)
      .filter(Boolean);
    expect(new Set(accelerators).size).toBe(accelerators.length);
  });

  it('installs itself as the application menu', () => {
    installAppMenu({ platform: 'linux', developer: false, run: vi.fn() });
    expect(fake.Menu.setApplicationMenu).toHaveBeenCalledTimes(1);
  });
});

describe('tunnel menu', () => {
  const actions = { showWindow: vi.fn(), newSession: vi.fn(), quit: vi.fn() };

  it('says so when nothing runs, and lists each running tunnel', () => {
    expect(tunnelMenuTemplate([], actions, 'linux')[0]).toMatchObject({ label: 'No running tunnels', enabled: false });
    const items = tunnelMenuTemplate(
      [
        { id: 't1', label: 'web-1 :8080 → 80' },
        { id: 't2', label: 'db :5432 → 5432' },
      ],
      actions,
      'linux',
    );
    expect(items.map((i) => i.label)).toEqual(['Running tunnels (2)', 'web-1 :8080 → 80', 'db :5432 → 5432', undefined, 'New Session…', 'Show Hatch', undefined, 'Quit Hatch']);
    items[1].click?.(undefined as never, undefined, undefined as never);
    expect(actions.showWindow).toHaveBeenCalled();
  });

  it('leaves Quit to the dock on macOS', () => {
    expect(tunnelMenuTemplate([], actions, 'darwin').map((i) => i.label)).not.toContain('Quit Hatch');
  });

  it('uses a tray on Linux/Windows and rebuilds it when the tunnels change', () => {
    let tunnels: Array<{ id: string; label: string }> = [];
    const changes = new EventEmitter();
    const menu = new TunnelMenu(
      () => tunnels,
      (listener) => {
        changes.on('change', listener);
        return () => changes.off('change', listener);
      },
      actions,
      { platform: 'linux', trayIcon: '/icons/24x24.png' },
    );
    const tray = fake.Tray.instances[0];
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Hatch');
    tunnels = [{ id: 't1', label: 'web :8080' }];
    changes.emit('change');
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Hatch: 1 tunnel running');
    expect(tray.setContextMenu).toHaveBeenCalledTimes(2);
    menu.dispose();
    expect(tray.destroy).toHaveBeenCalled();
    expect(changes.listenerCount('change')).toBe(0);
  });

  it('uses the dock menu on macOS, with no tray', () => {
    new TunnelMenu(() => [], () => () => undefined, actions, { platform: 'darwin', trayIcon: 'unused' });
    expect(fake.Tray.instances).toHaveLength(0);
    expect(fake.app.dock.setMenu).toHaveBeenCalledTimes(1);
  });
});

describe('tunnel source (HatchHost → tray)', () => {
  const tunnel = (id: string, state: string, extra: Record<string, unknown> = {}) => ({
    id,
    label: `web-${id}`,
    profile: 'sandbox',
    region: 'us-east-1',
    target: 'i-0123456789abcdef0',
    remoteHost: null,
    remotePort: 80,
    bindAddress: '127.0.0.1',
    localPort: 8080,
    state,
    mode: 'basic',
    awsSessionId: null,
    message: null,
    startedAt: 0,
    ...extra,
  });

  it('lists the live tunnels and refreshes when the host says they changed', async () => {
    let current = [tunnel('a', 'open'), tunnel('b', 'stopped')];
    const emitter = new EventEmitter();
    const host = {
      call: vi.fn(async () => ({ ok: true as const, value: { tunnels: current } })),
      subscribe: (listener: (name: string, payload: unknown) => void) => {
        emitter.on('event', listener);
        return () => emitter.off('event', listener);
      },
    };
    const source = hostTunnelSource(host as never);
    const changed = vi.fn();
    source.onChange(changed);
    await vi.waitFor(() => expect(source.list()).toEqual([{ id: 'a', label: 'web-a: 127.0.0.1:8080 → 80' }]));
    current = [tunnel('a', 'open'), tunnel('c', 'reconnecting', { remoteHost: 'db.internal', remotePort: 5432, localPort: 15432 })];
    emitter.emit('event', 'tunnels.stats', {});
    emitter.emit('event', 'tunnels.changed', {});
    await vi.waitFor(() => expect(source.list().map((t) => t.id)).toEqual(['a', 'c']));
    expect(source.list()[1].label).toBe('web-c: 127.0.0.1:15432 → db.internal:5432 (reconnecting)');
    expect(host.call).toHaveBeenCalledTimes(2); // stats events do not trigger a refresh
    expect(changed).toHaveBeenCalled();
    source.dispose();
    expect(emitter.listenerCount('event')).toBe(0);
  });

  it('labels a tunnel with its local and remote ends', () => {
    expect(tunnelLabel(tunnel('x', 'open') as never)).toBe('web-x: 127.0.0.1:8080 → 80');
  });
});

describe('window state', () => {
  const display = { x: 0, y: 0, width: 1920, height: 1080 };
  const second = { x: 1920, y: 0, width: 2560, height: 1440 };

  it('keeps saved bounds that are on a connected display', () => {
    expect(restoreBounds({ x: 100, y: 50, width: 1200, height: 800 }, [display])).toEqual({ x: 100, y: 50, width: 1200, height: 800 });
    expect(restoreBounds({ x: 2000, y: 100, width: 1600, height: 900 }, [display, second])).toEqual({ x: 2000, y: 100, width: 1600, height: 900 });
  });

  it('drops bounds on a display that is gone (undocked laptop)', () => {
    expect(restoreBounds({ x: 2000, y: 100, width: 1600, height: 900 }, [display])).toBeUndefined();
    expect(restoreBounds(null, [display])).toBeUndefined();
  });

  it('forgets a window whose title bar is off-screen, and shrinks an oversize one to fit', () => {
    expect(restoreBounds({ x: 100, y: -500, width: 1200, height: 900 }, [display])).toBeUndefined();
    expect(restoreBounds({ x: -50, y: 10, width: 3000, height: 2000 }, [display])).toEqual({ x: 0, y: 0, width: 1920, height: 1080 });
  });

  describe('tracking', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('saves once after a burst of moves, and at once on close', () => {
      const window = new fake.BrowserWindow({});
      const save = vi.fn();
      trackWindowState(window as never, save, 500);
      for (let i = 0; i < 10; i++) {
        window.normalBounds = { x: i, y: 0, width: 1000, height: 700 };
        window.emit('move');
      }
      expect(save).not.toHaveBeenCalled();
      vi.advanceTimersByTime(500);
      expect(save).toHaveBeenCalledTimes(1);
      expect(save).toHaveBeenLastCalledWith({ bounds: { x: 9, y: 0, width: 1000, height: 700 }, maximized: false });
      window.maximized = true;
      window.emit('maximize');
      window.emit('close');
      expect(save).toHaveBeenCalledTimes(2);
      expect(save).toHaveBeenLastCalledWith({ bounds: { x: 9, y: 0, width: 1000, height: 700 }, maximized: true });
      vi.advanceTimersByTime(1000);
      expect(save).toHaveBeenCalledTimes(2);
    });

    it('does not save the bounds of a minimized window', () => {
      const window = new fake.BrowserWindow({});
      const save = vi.fn();
      trackWindowState(window as never, save, 500);
      window.minimized = true;
      window.emit('close');
      expect(save).not.toHaveBeenCalled();
    });
  });
});

describe('permissions', () => {
  it('allows only clipboard writes, only from the app, only in its top frame', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write', 'hatch://app/index.html', true)).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'hatch://app/index.html', undefined)).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'hatch://app/index.html', false)).toBe(false);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://evil.example/', true)).toBe(false);
    expect(isPermissionAllowed('clipboard-sanitized-write', undefined, true)).toBe(false);
    for (const permission of ['clipboard-read', 'media', 'geolocation', 'notifications', 'openExternal', 'hid', 'usb', 'serial', 'fullscreen']) {
      expect(isPermissionAllowed(permission, 'hatch://app/index.html', true), permission).toBe(false);
    }
  });
});


