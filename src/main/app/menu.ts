// The native application menu: the standard roles of each platform plus Hatch's commands,
// which are sent to the renderer as the contract's `app.command` event (the renderer owns
// tabs, the palette and the theme; main only relays the click or accelerator).
import { Menu, shell, type MenuItemConstructorOptions } from 'electron';
import type { EventPayload } from '../../shared/contract';
import { isAllowedExternalUrl } from './window';

export type AppCommand = EventPayload<'app.command'>['command'];

const HELP_URL = 'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html';

export interface MenuOptions {
  platform: NodeJS.Platform;
  /** Show Reload and Developer Tools (unpackaged runs only). */
  developer: boolean;
  run: (command: AppCommand) => void;
}

export function menuTemplate({ platform, developer, run }: MenuOptions): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const command = (label: string, name: AppCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    accelerator,
    click: () => run(name),
  });
  return [
    ...(mac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    {
      label: 'File',
      submenu: [
        command('New Session…', 'new-session', 'CmdOrCtrl+T'),
        // Same key as the renderer's own handler, which wins while a session tab has focus.
        command('Close Tab', 'close-tab', 'CmdOrCtrl+W'),
        { type: 'separator' },
        // Ctrl/Cmd+W closes a tab, so closing the window moves to Shift (as browsers do).
        { role: 'close', accelerator: 'CmdOrCtrl+Shift+W' },
        ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        command('Command Palette…', 'command-palette', 'CmdOrCtrl+Shift+P'),
        command('Toggle Theme', 'toggle-theme'),
        { type: 'separator' },
        // Reload would drop every terminal's screen; only for development.
        ...(developer ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as const) : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
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
