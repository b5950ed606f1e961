// Main's end of the terminals' data path in Electron: a page asks for a session's stream
// (ipcChannels.terminalOpen), main creates a MessageChannelMain, keeps one port attached to
// the session and transfers the other to that page only. Output then flows port to port,
// to the windows that asked and no others. What arrives on main's port is checked cheaply
// (a string of keystrokes or a number acknowledging output); anything else is dropped and
// reported, and closes nothing.
import { ipcMain, MessageChannelMain, type IpcMainEvent, type WebContents } from 'electron';
import { ipcChannels, type TerminalPortMessage } from '../../shared/ipc-channels';
import { HatchError } from '../../shared/contract';
import { MAX_INPUT_CHARS, MAX_STREAM_NUMBER, type PortMessageToPage } from '../../shared/terminal-stream';
import type { HatchHost } from '../host';
import type { TerminalAttachment } from '../sessions/session-output';

interface TerminalPortsOptions {
  /** Whether a request comes from one of our windows' top frame (ipc.ts isOurSender). */
  trusted(event: IpcMainEvent): boolean;
  /** A message that was dropped (bad shape); default: ignored. */
  onBadMessage?(why: string): void;
}

export function serveTerminalPorts(host: Pick<HatchHost, 'openTerminal'>, options: TerminalPortsOptions): () => void {
  const bad = (why: string) => options.onBadMessage?.(why);
  /** Per page: how to close the ports it holds (the page reloaded or went away). */
  const open = new Map<WebContents, Set<() => void>>();

  const closeAll = (contents: WebContents) => {
    const closers = open.get(contents);
    open.delete(contents);
    for (const close of closers ?? []) close();
  };

  const listening = new WeakSet<WebContents>();
  const track = (contents: WebContents, close: () => void) => {
    let closers = open.get(contents);
    if (!closers) open.set(contents, (closers = new Set()));
    if (!listening.has(contents)) {
      listening.add(contents);
      // A reload commits a new document: the old one's ports are gone with it.
      contents.on('did-navigate', () => closeAll(contents));
      contents.once('destroyed', () => closeAll(contents));
    }
    closers.add(close);
    return () => void closers.delete(close);
  };

  const onOpen = (event: IpcMainEvent, sessionId: unknown, stream: unknown) => {
    if (!options.trusted(event)) return bad('a terminal request from a frame that is not Hatch’s');
    if (typeof stream !== 'number' || !Number.isSafeInteger(stream) || stream < 0 || stream > MAX_STREAM_NUMBER) return bad('a terminal request without a stream number');
    if (typeof sessionId !== 'string') return bad('a terminal request without a session id');
    const { port1, port2 } = new MessageChannelMain();
    // After an end the port stays open until the page closes its end (or goes away): a
    // port closed right after posting could lose the message that says why.
    let ended = false;
    let attachment: TerminalAttachment | null = null;
    const end = (reason: string) => {
      if (ended) return;
      ended = true;
      port1.postMessage({ end: reason } satisfies PortMessageToPage);
    };
    try {
      attachment = host.openTerminal(sessionId, {
        output: (data) => {
          if (!ended) port1.postMessage(data satisfies PortMessageToPage);
        },
        end,
      });
    } catch (error) {
      end(error instanceof HatchError ? error.message : 'The terminal could not be opened.');
    }
    const untrack = track(event.sender, () => port1.close());
    port1.on('close', () => {
      untrack();
      ended = true;
      attachment?.close();
    });
    port1.on('message', ({ data }) => {
      if (!ended && attachment) receive(attachment, data, bad);
    });
    port1.start();
    const message: Omit<TerminalPortMessage, 'type'> = { sessionId, stream };
    event.sender.postMessage(ipcChannels.terminalPort, message, [port2]);
  };

  ipcMain.on(ipcChannels.terminalOpen, onOpen);
  return () => {
    ipcMain.removeListener(ipcChannels.terminalOpen, onOpen);
    for (const contents of [...open.keys()]) closeAll(contents);
  };
}

/** One message from a page's port: keystrokes (a string) or an acknowledgement (a number). */
function receive(attachment: TerminalAttachment, data: unknown, bad: (why: string) => void): void {
  if (typeof data === 'string') {
    if (data.length > MAX_INPUT_CHARS) return bad(`keystrokes of ${data.length} characters`);
    return attachment.input(data);
  }
  if (typeof data === 'number') {
    if (!attachment.ack(data)) bad(`acknowledgement ${data} refused`);
    return;
  }
  bad(`a ${data === null ? 'null' : typeof data} on a terminal port`);
}
