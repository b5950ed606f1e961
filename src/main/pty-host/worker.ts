// Entry of the pty host utility process (forked by src/main/app/pty-host.ts with Electron's
// utilityProcess). It owns every node-pty session so that pty reads, writes and process
// exits never run on main's event loop, which also serves the UI. It must not import
// electron: it talks to main only through process.parentPort.
import * as pty from 'node-pty';
import { PtyHostCore } from './pty-host-core';

const port = process.parentPort;
if (!port) {
  console.error('The pty host must be started as an Electron utility process.');
  process.exit(1);
}
const core = new PtyHostCore(pty.spawn, (message) => port.postMessage(message));
port.on('message', (event) => core.handle(event.data));
process.on('exit', () => core.dispose());
