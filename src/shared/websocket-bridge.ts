// The renderer's end of the browser host's transport: the contract over one WebSocket.
// Written against the WHATWG WebSocket interface so that tests run it with `ws` in Node.
import type { CallResult, HatchBridge, WireFromRenderer, WireToRenderer } from './contract';

interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export interface WebSocketBridge extends HatchBridge {
  /** Resolves when the socket is open; rejects if it closes first. */
  ready: Promise<void>;
  close(): void;
}

const OPEN = 1;

export function createWebSocketBridge(socket: SocketLike): WebSocketBridge {
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, (result: CallResult) => void>();
  const subscribers = new Set<(name: string, payload: unknown) => void>();
  const queue: string[] = [];

  const ready = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => {
      for (const text of queue.splice(0)) socket.send(text);
      resolve();
    });
    socket.addEventListener('close', () => {
      closed = true;
      reject(new Error('The connection to Hatch closed.'));
      for (const [, settle] of pending) {
        settle({ ok: false, error: { code: 'Unavailable', message: 'The connection to Hatch was lost.', action: 'Reload the page.', detail: null } });
      }
      pending.clear();
    });
  });
  ready.catch(() => undefined);

  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as WireToRenderer;
    if (message.kind === 'result') {
      pending.get(message.id)?.(message.result);
      pending.delete(message.id);
    } else {
      for (const subscriber of subscribers) subscriber(message.name, message.payload);
    }
  });

  return {
    ready,
    invoke(method, request) {
      if (closed) {
        return Promise.resolve({ ok: false, error: { code: 'Unavailable', message: 'The connection to Hatch was lost.', action: 'Reload the page.', detail: null } });
      }
      const id = nextId++;
      const text = JSON.stringify({ kind: 'call', id, method, request } satisfies WireFromRenderer);
      return new Promise<CallResult>((resolve) => {
        pending.set(id, resolve);
        if (socket.readyState === OPEN) socket.send(text);
        else queue.push(text);
      });
    },
    subscribe(listener) {
      subscribers.add(listener);
      return () => subscribers.delete(listener);
    },
    close() {
      socket.close();
    },
  };
}
