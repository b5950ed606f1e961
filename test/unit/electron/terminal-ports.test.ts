// The Electron data path end to end against the fakes (the Electron binary cannot run
// here): the page asks through the preload's bridge, main (terminal-ports.ts) creates a
// MessageChannelMain and transfers one port to that page, the preload relays it to the
// page's window, and the page's stream (electron-terminals.ts) carries output, keystrokes
// and acknowledgements port to port. The session end is a real SessionOutput.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as fake from './fake-electron';
import { HatchError } from '../../../src/shared/contract';
import { SessionOutput } from '../../../src/main/sessions/session-output';
import type { TerminalAttachment, TerminalViewer } from '../../../src/main/sessions/session-output';
import type { ElectronBridge } from '../../../src/shared/ipc-channels';
import type { TerminalStream } from '../../../src/shared/terminal-stream';

vi.mock('electron', () => import('./fake-electron'));

const { serveTerminalPorts } = await import('../../../src/main/app/terminal-ports');
const { isOurSender, registerIpc } = await import('../../../src/main/app/ipc');
const { createElectronTerminals } = await import('../../../src/renderer/electron-terminals');
const { ipcChannels, isTerminalPortMessage, terminalPortMessage } = await import('../../../src/shared/ipc-channels');
const { HatchHost } = await import('../../../src/main/host');

type Listener = (event: { data: unknown; origin: string; source: unknown; ports: unknown[] }) => void;

/** The page's window: postMessage dispatches to its own 'message' listeners, as the DOM does. */
function pageWindow() {
  const listeners: Listener[] = [];
  const win = {
    location: { origin: 'hatch://app' },
    addEventListener: (_type: 'message', listener: Listener) => void listeners.push(listener),
    postMessage: vi.fn((data: unknown, origin: string, ports: unknown[] = []) => {
      if (origin !== win.location.origin) return;
      queueMicrotask(() => listeners.forEach((l) => l({ data: structuredClone(data), origin, source: win, ports })));
    }),
    /** A message from somewhere else (another frame, another origin). */
    foreign: (event: Parameters<Listener>[0]) => listeners.forEach((l) => l(event)),
  };
  return win;
}

/** A session in main: a real SessionOutput; keystrokes are recorded. */
function session() {
  const output = new SessionOutput({ batcher: { flushAfterMs: 0 } });
  const typed: string[] = [];
  const host = {
    openTerminal(sessionId: unknown, viewer: TerminalViewer): TerminalAttachment {
      if (sessionId !== 's-1') throw new HatchError('NotFound', 'That session is no longer open.');
      const view = output.attach(viewer);
      return { input: (data) => void typed.push(data), ack: view.ack, close: view.close };
    },
  };
  return { output, typed, host };
}

/** One window: main's IPC for it, the preload in it, and the page's streams. */
async function windowWithPreload(host: ReturnType<typeof session>['host'], bad: (why: string) => void = () => undefined) {
  const window = new fake.BrowserWindow({});
  const contents = window.webContents;
  const win = pageWindow();
  vi.stubGlobal('window', win);
  vi.resetModules();
  await import('../../../src/preload/preload');
  const bridge = fake.contextBridge.exposeInMainWorld.mock.lastCall![1] as ElectronBridge;
  // ipcRenderer.send → ipcMain listeners, from this window's top frame.
  fake.ipcRenderer.send.mockImplementation((channel: string, ...args: unknown[]) =>
    fake.ipcMain.emit(channel, { sender: contents, senderFrame: { url: 'hatch://app/index.html', parent: null } }, ...args),
  );
  // webContents.postMessage → the preload's ipcRenderer listener, ports transferred.
  contents.postMessage.mockImplementation((channel: string, message: unknown, ports: unknown[]) => fake.ipcRenderer.emit(channel, { ports }, message));
  const stop = serveTerminalPorts(host, { trusted: (event) => isOurSender(event, fake.BrowserWindow.getAllWindows() as never), onBadMessage: bad });
  const terminals = createElectronTerminals(bridge, win as never);
  return { window, contents, win, bridge, terminals, stop };
}

function collect(stream: TerminalStream) {
  const out: string[] = [];
  const ends: string[] = [];
  stream.onOutput((data) => out.push(data));
  stream.onEnd((reason) => ends.push(reason));
  return { out, ends, text: () => out.join('') };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

beforeEach(() => {
  fake.reset();
  fake.ipcRenderer.removeAllListeners();
});
afterEach(() => vi.unstubAllGlobals());

describe('terminal ports (Electron data path)', () => {
  it('carries output, keystrokes and acknowledgements port to port', async () => {
    const { output, typed, host } = session();
    output.push('before the window opened\r\n');
    const { terminals, contents } = await windowWithPreload(host);
    const stream = terminals.open('s-1');
    stream.input('ls\r'); // typed before the port arrived: it waits, in order
    const page = collect(stream);
    await settle();
    // Main transferred one port to this page, on the terminal-port channel.
    expect(contents.postMessage).toHaveBeenCalledTimes(1);
    expect(contents.postMessage.mock.calls[0][0]).toBe(ipcChannels.terminalPort);
    expect(page.text()).toBe('before the window opened\r\n');
    output.push('live\r\n');
    await settle();
    expect(page.text()).toBe('before the window opened\r\nlive\r\n');
    expect(typed).toEqual(['ls\r']);
    expect(output.buffered).toBe(page.text().length);
    stream.ack(page.text().length);
    await settle();
    expect(output.buffered).toBe(0);
    stream.close();
    await settle();
    expect(output.attachedWindows).toBe(0);
  });

  it('sends a session’s output only to the window that opened its stream', async () => {
    const { output, host } = session();
    const first = await windowWithPreload(host);
    const other = new fake.BrowserWindow({});
    const page = collect(first.terminals.open('s-1'));
    await settle();
    output.push('for the first window only');
    await settle();
    expect(page.text()).toBe('for the first window only');
    expect(other.webContents.postMessage).not.toHaveBeenCalled();
    expect(other.webContents.send).not.toHaveBeenCalled();
    expect(output.attachedWindows).toBe(1);
  });

  it('drops a bad message on the port, reports it, and keeps the stream open', async () => {
    const { output, typed, host } = session();
    const bad = vi.fn();
    const { terminals } = await windowWithPreload(host, bad);
    const page = collect(terminals.open('s-1'));
    await settle();
    const mainPort = fake.MessageChannelMain.instances[0].port1;
    const pagePort = mainPort.other!;
    output.push('x'.repeat(10));
    await settle();
    for (const message of [{ evil: true }, null, 'y'.repeat(70_000), -1, 1.5, Number.NaN, 11]) pagePort.postMessage(message);
    await settle();
    expect(bad).toHaveBeenCalledTimes(7);
    expect(output.attachedWindows).toBe(1);
    pagePort.postMessage('still typing');
    pagePort.postMessage(10);
    await settle();
    expect(typed).toEqual(['still typing']);
    expect(output.buffered).toBe(0);
    expect(page.ends).toEqual([]);
  });

  it('ends the page’s stream with main’s reason when the session does not exist', async () => {
    const { host } = session();
    const { terminals } = await windowWithPreload(host);
    const page = collect(terminals.open('s-gone'));
    await settle();
    expect(page.ends).toEqual(['That session is no longer open.']);
  });

  it('refuses a request that does not come from our window’s top frame', async () => {
    const { output, host } = session();
    const bad = vi.fn();
    const { contents } = await windowWithPreload(host, bad);
    fake.ipcMain.emit(ipcChannels.terminalOpen, { sender: contents, senderFrame: { url: 'https://evil.example/', parent: null } }, 's-1', 1);
    fake.ipcMain.emit(ipcChannels.terminalOpen, { sender: new fake.FakeWebContents(), senderFrame: { url: 'hatch://app/index.html', parent: null } }, 's-1', 2);
    await settle();
    expect(fake.MessageChannelMain.instances).toHaveLength(0);
    expect(output.attachedWindows).toBe(0);
    expect(bad).toHaveBeenCalledTimes(2);
  });

  it('detaches a page’s streams when it reloads or goes away, and keeps the session', async () => {
    const { output, host } = session();
    const { terminals, contents } = await windowWithPreload(host);
    terminals.open('s-1');
    terminals.open('s-1');
    await settle();
    expect(output.attachedWindows).toBe(2);
    contents.emit('did-navigate');
    await settle();
    expect(output.attachedWindows).toBe(0);
    // The reloaded page opens again and gets the replay.
    output.push('kept while no window showed it');
    const page = collect(terminals.open('s-1'));
    await settle();
    expect(page.text()).toBe('kept while no window showed it');
    contents.emit('destroyed');
    await settle();
    expect(output.attachedWindows).toBe(0);
  });

  it('ignores port messages that are not from this window and this origin', async () => {
    const { host } = session();
    const { win } = await windowWithPreload(host);
    const port = new fake.MessagePortMain();
    win.foreign({ data: { type: terminalPortMessage, sessionId: 's-1', stream: 1 }, origin: 'https://evil.example', source: win, ports: [port] });
    win.foreign({ data: { type: terminalPortMessage, sessionId: 's-1', stream: 1 }, origin: 'hatch://app', source: {}, ports: [port] });
    await settle();
    expect(port.closed).toBe(false); // never touched
    expect(isTerminalPortMessage({ type: terminalPortMessage, sessionId: 's-1', stream: 3 })).toBe(true);
    expect(isTerminalPortMessage({ type: terminalPortMessage, sessionId: 's-1' })).toBe(false);
    expect(isTerminalPortMessage(null)).toBe(false);
  });

  it('is served by registerIpc with a real HatchHost (an unknown session ends the stream)', async () => {
    const host = new HatchHost({ host: 'electron', logError: () => undefined });
    const window = new fake.BrowserWindow({});
    const stop = registerIpc(host, () => fake.BrowserWindow.getAllWindows() as never);
    const page = pageWindow();
    const ports: Array<{ message: unknown; port: fake.MessagePortMain }> = [];
    window.webContents.postMessage.mockImplementation((_channel: string, message: unknown, transferred: fake.MessagePortMain[]) => ports.push({ message, port: transferred[0] }));
    fake.ipcMain.emit(ipcChannels.terminalOpen, { sender: window.webContents, senderFrame: { url: 'hatch://app/index.html', parent: null } }, 'no-such-session', 7);
    const received: unknown[] = [];
    ports[0].port.on('message', (event: { data: unknown }) => received.push(event.data));
    ports[0].port.start();
    await settle();
    expect(ports[0].message).toEqual({ sessionId: 'no-such-session', stream: 7 });
    expect(received).toEqual([{ end: 'That session is no longer open.' }]);
    stop();
    void page;
    await host.dispose();
  });
});

describe('preload', () => {
  it('exposes exactly the three-function bridge, and forwards a terminal port to the app origin only', async () => {
    const win = pageWindow();
    vi.stubGlobal('window', win);
    vi.resetModules();
    await import('../../../src/preload/preload');
    const [name, bridge] = fake.contextBridge.exposeInMainWorld.mock.lastCall!;
    expect(name).toBe('hatchBridge');
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'openTerminal', 'subscribe']);
    (bridge as ElectronBridge).openTerminal('s-9', 4);
    expect(fake.ipcRenderer.send).toHaveBeenCalledWith(ipcChannels.terminalOpen, 's-9', 4);

    const port = {};
    fake.ipcRenderer.emit(ipcChannels.terminalPort, { ports: [port] }, { sessionId: 's-9', stream: 4 });
    expect(win.postMessage).toHaveBeenCalledWith({ type: terminalPortMessage, sessionId: 's-9', stream: 4 }, 'hatch://app', [port]);
    fake.ipcRenderer.emit(ipcChannels.terminalPort, { ports: [] }, { sessionId: 's-9', stream: 4 });
    fake.ipcRenderer.emit(ipcChannels.terminalPort, { ports: [port] }, { sessionId: 42, stream: 4 });
    fake.ipcRenderer.emit(ipcChannels.terminalPort, { ports: [port] }, { sessionId: 's-9' });
    fake.ipcRenderer.emit(ipcChannels.terminalPort, { ports: [port] }, null);
    expect(win.postMessage).toHaveBeenCalledTimes(1);
  });
});
