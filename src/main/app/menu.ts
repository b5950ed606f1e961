// The native application menu: the standard roles of each platform plus Hatch's commands,
// which are sent to the renderer as the contract's `app.command` event (the renderer owns
// tabs, the palette and the theme; main only relays the click or accelerator).
import { Menu, shell, type MenuItemConstructorOptions } from 'electron';
import type { EventPayload } from '../../shared/contract';
import { isAllowedExternalUrl } from './window';

export type AppCommand = EventPayload<'app.command'>['command'];

const HELP_URL = 'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html';

interface MenuOptions {
  platform: NodeJS.Platform;
  /** Show Reload and Developer Tools (unpackaged runs only). */
  developer: boolean;
  run: (command: AppCommand) => void;
}

export function menuTemplate({ platform, developer, run }: MenuOptions): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  // On Linux and Windows, Ctrl+<letter> belongs to the shell in a terminal (Ctrl+C, Ctrl+W,
  // Ctrl+R, Ctrl+M is Enter…), so Hatch's own keys take Shift, as in GNOME Terminal and
  // Windows Terminal. On macOS they use Cmd, which a terminal never receives.
  const key = (macKey: string, otherKey: string) => (mac ? macKey : otherKey);
  const command = (label: string, name: AppCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    accelerator,
    click: () => run(name),
  });
  // Shown for inputs (where the page handles these keys natively) but not registered, so a
  // terminal's Ctrl+C still reaches the shell.
  const editItem = (role: MenuItemConstructorOptions['role']): MenuItemConstructorOptions => ({ role, registerAccelerator: false });
  return [
    ...(mac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    {
      label: 'File',
      submenu: [
        command('New Session…', 'new-session', key('Cmd+T', 'Ctrl+Shift+T')),
        command('Close Tab', 'close-tab', key('Cmd+W', 'Ctrl+Shift+W')),
        ...(mac
          ? ([{ type: 'separator' }, { role: 'close', accelerator: 'Cmd+Shift+W' }] as const)
          : ([{ type: 'separator' }, { role: 'quit', accelerator: 'Ctrl+Shift+Q' }] as const)),
      ],
    },
    mac
      ? { role: 'editMenu' }
      : {
          label: 'Edit',
          submenu: [editItem('undo'), editItem('redo'), { type: 'separator' }, editItem('cut'), editItem('copy'), editItem('paste'), { type: 'separator' }, editItem('selectAll')],
        },
    {
      label: 'View',
      submenu: [
        command('Command Palette…', 'command-palette', key('Cmd+Shift+P', 'Ctrl+Shift+P')),
        command('Toggle Theme', 'toggle-theme'),
        { type: 'separator' },
        // Reload would drop every terminal's screen; only for development.
        ...(developer ? ([{ role: 'reload', accelerator: key('Cmd+R', 'Ctrl+Shift+R') }, { role: 'toggleDevTools' }, { type: 'separator' }] as const) : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    mac
      ? { role: 'windowMenu' }
      : // The role's items would register Ctrl+M (Enter in a terminal) and Ctrl+W.
        { label: 'Window', submenu: [{ label: 'Minimize', click: (_item, window) => window?.minimize() }] },
    {
      role: 'help',
      submenu: [
        {
          label: 'Session Manager Documentation',
          click: () => {
            if (isAllowedExternalUrl(HELP_URL)) void shell.openExternal(HELP_URL); /* eng-disable OPEN_EXTERNAL_JS_CHECK */
          },
        },
      ],
    },
  ];
}

export function installAppMenu(options: MenuOptions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(options)));
}
