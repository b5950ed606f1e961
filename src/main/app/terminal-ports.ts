// Main's end of the per-session terminal output path: a MessageChannelMain per session,
// one port kept here, the other transferred to the window (preload forwards it to the
// page). Output then flows port-to-port instead of through the shared event channel.
import { MessageChannelMain, type MessagePortMain, type WebContents } from 'electron';
import { ipcChannels } from '../../shared/ipc-channels';

/** Give `contents` a port for `sessionId`'s output; returns main's end, already started. */
export function openTerminalPort(contents: WebContents, sessionId: string): MessagePortMain {
  const { port1, port2 } = new MessageChannelMain();
  contents.postMessage(ipcChannels.terminalPort, sessionId, [port2]);
  port1.start();
  return port1;
}
