import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as fake from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

const { isTrustedSender, registerIpc } = await import('../../../src/main/app/ipc');
const { HatchHost } = await import('../../../src/main/host');
const { ipcChannels } = await import('../../../src/shared/ipc-channels');

type Frame = { url: string; parent: Frame | null };
const top = (url: string): Frame => ({ url, parent: null });

beforeEach(() => fake.reset());

describe('isTrustedSender', () => {
  it('trusts only the top frame of a page from hatch://app', () => {
    expect(isTrustedSender(top('hatch://app/index.html') as never)).toBe(true);
    expect(isTrustedSender(top('https://evil.example/') as never)).toBe(false);
    expect(isTrustedSender({ url: 'hatch://app/index.html', parent: top('hatch://app/index.html') } as never)).toBe(false);
    expect(isTrustedSender({ url: 'hatch://app/frame.html', parent: top('https://evil.example/') } as never)).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
  });
});

describe('registerIpc', () => {
  function setup(onRendererReady = vi.fn()) {
    const host = new HatchHost({ host: 'electron', logError: () => undefined });
    const call = vi.spyOn(host, 'call');
    const window = new fake.BrowserWindow({});
    registerIpc(host, () => fake.BrowserWindow.getAllWindows() as never, { onRendererReady });
    const handler = fake.ipcMain.handlers.get(ipcChannels.call)!;
    return { host, call, window, handler, onRendererReady };
  }

  it('answers Forbidden, without parsing or dispatching, when the frame is not ours', async () => {
    const { call, window, handler, onRendererReady } = setup();
    const result = await handler({ sender: window.webContents, senderFrame: top('https://evil.example/') }, 'system.ping', { nonce: 'x' });
    expect(result).toMatchObject({ ok: false, error: { code: 'Forbidden' } });
    expect(call).not.toHaveBeenCalled();
    expect(onRendererReady).not.toHaveBeenCalled();
  });

  it('answers Forbidden when the sender is not one of our windows, even with an app URL', async () => {
    const { call, handler } = setup();
    const stranger = new fake.FakeWebContents();
    const result = await handler({ sender: stranger, senderFrame: top('hatch://app/index.html') }, 'system.ping', { nonce: 'x' });
    expect(result).toMatchObject({ ok: false, error: { code: 'Forbidden' } });
    expect(call).not.toHaveBeenCalled();
  });

  it('dispatches a trusted call and reports the renderer ready once', async () => {
    const { window, handler, onRendererReady } = setup();
    const event = { sender: window.webContents, senderFrame: top('hatch://app/index.html') };
    expect(await handler(event, 'system.ping', { nonce: 'n1' })).toEqual({ ok: true, value: { nonce: 'n1' } });
    expect(await handler(event, 'system.ping', { nonce: 'n2' })).toEqual({ ok: true, value: { nonce: 'n2' } });
    expect(onRendererReady).toHaveBeenCalledTimes(1);
  });

  it('pushes host events to every live window', () => {
    const { host, window } = setup();
    const gone = new fake.BrowserWindow({});
    gone.destroyed = true;
    host.emit('app.command', { command: 'toggle-theme' });
    expect(window.webContents.send).toHaveBeenCalledWith(ipcChannels.event, 'app.command', { command: 'toggle-theme' });
    expect(gone.webContents.send).not.toHaveBeenCalled();
  });
});
