// A small stand-in for the parts of the `electron` module that src/main/app and the
// preload use. The Electron binary cannot be downloaded on our build machines, so the glue
// is exercised against these fakes: they record what the code asked Electron to do.
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

type OpenHandler = (details: { url: string }) => { action: 'allow' | 'deny' };

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: OpenHandler | undefined;
  readonly send = vi.fn();
  readonly postMessage = vi.fn();
  readonly loadURL = vi.fn(async (_url: string) => undefined);
  setWindowOpenHandler(handler: OpenHandler): void {
    this.windowOpenHandler = handler;
  }
  /** Emit like Electron does and report whether a listener called preventDefault(). */
  navigate(event: 'will-navigate' | 'will-redirect', url: string): boolean {
    let prevented = false;
    this.emit(event, { preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.instances;
  }
  readonly webContents = new FakeWebContents();
  readonly show = vi.fn();
  readonly maximize = vi.fn();
  destroyed = false;
  maximized = false;
  minimized = false;
  normalBounds = { x: 0, y: 0, width: 1280, height: 800 };
  constructor(readonly options: Record<string, unknown> & { webPreferences?: Record<string, unknown> }) {
    super();
    BrowserWindow.instances.push(this);
  }
  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  getNormalBounds() {
    return { ...this.normalBounds };
  }
}

export const shell = { openExternal: vi.fn(async (_url: string) => undefined) };

type Handler = (event: unknown, ...args: unknown[]) => unknown;
const handlers = new Map<string, Handler>();
/** ipcMain: invoke handlers by channel, and `on` listeners (an EventEmitter) for send(). */
export const ipcMain = Object.assign(new EventEmitter(), {
  handlers,
  handle: vi.fn((channel: string, handler: Handler) => void handlers.set(channel, handler)),
  removeHandler: vi.fn((channel: string) => void handlers.delete(channel)),
});

export const Menu = {
  buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
  setApplicationMenu: vi.fn(),
};

export const app = { dock: { setMenu: vi.fn() } };

export class Tray extends EventEmitter {
  static instances: Tray[] = [];
  readonly setToolTip = vi.fn();
  readonly setContextMenu = vi.fn();
  readonly destroy = vi.fn();
  constructor(readonly icon: unknown) {
    super();
    Tray.instances.push(this);
  }
}

export const nativeImage = { createFromPath: vi.fn((path: string) => ({ path })) };

/**
 * An entangled port pair like Electron's: what one end posts arrives (structured-cloned,
 * asynchronously, once started) as a 'message' event `{ data }` on the other; closing
 * either end emits 'close' on both. `addEventListener` lets the page-side code (written for
 * the DOM's MessagePort) use the same object.
 */
export class MessagePortMain extends EventEmitter {
  other: MessagePortMain | null = null;
  started = false;
  closed = false;
  private queue: unknown[] = [];
  readonly start = vi.fn(() => {
    this.started = true;
    const queued = this.queue.splice(0);
    queueMicrotask(() => queued.forEach((data) => this.deliver(data)));
  });
  readonly postMessage = vi.fn((data: unknown) => {
    if (this.closed || !this.other || this.other.closed) return;
    const copy = structuredClone(data);
    const other = this.other;
    if (other.started) queueMicrotask(() => other.deliver(copy));
    else other.queue.push(copy);
  });
  /** Messages already posted to the other end are still delivered there; nothing new is. */
  readonly close = vi.fn(() => {
    if (this.closed) return;
    this.closed = true;
    const other = this.other;
    queueMicrotask(() => {
      this.emit('close');
      if (other && !other.closed) other.emit('close');
    });
  });
  addEventListener(type: string, listener: (...args: unknown[]) => void): void {
    this.on(type, listener);
  }
  private deliver(data: unknown): void {
    if (!this.closed) this.emit('message', { data });
  }
}
export class MessageChannelMain {
  static instances: MessageChannelMain[] = [];
  readonly port1 = new MessagePortMain();
  readonly port2 = new MessagePortMain();
  constructor() {
    this.port1.other = this.port2;
    this.port2.other = this.port1;
    MessageChannelMain.instances.push(this);
  }
}

/** utilityProcess.fork runs `forkImpl` (set by a test) in-process instead of a real child. */
export const utilityProcess = {
  forkImpl: null as null | ((modulePath: string) => EventEmitter & { postMessage(message: unknown): void; kill(): boolean }),
  fork: vi.fn((modulePath: string, _args?: string[], _options?: unknown) => {
    if (!utilityProcess.forkImpl) throw new Error('no utility process in this test');
    return utilityProcess.forkImpl(modulePath);
  }),
};

export const contextBridge = { exposeInMainWorld: vi.fn() };
export const ipcRenderer = Object.assign(new EventEmitter(), { invoke: vi.fn(async () => ({ ok: true, value: null })), send: vi.fn() });

export function reset(): void {
  BrowserWindow.instances = [];
  Tray.instances = [];
  MessageChannelMain.instances = [];
  handlers.clear();
  ipcMain.removeAllListeners();
  vi.clearAllMocks();
}
