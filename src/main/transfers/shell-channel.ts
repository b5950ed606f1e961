// A native shell session as the channel a transfer runs over.
import type { ShellSession } from '../../protocol/shell-session';
import type { TransferChannel } from './remote-shell';

export function shellChannel(shell: ShellSession): TransferChannel {
  return {
    write: (data) => {
      try {
        return shell.write(data);
      } catch {
        return true; // the session just ended: `ended` says why
      }
    },
    onData: (listener) => shell.onData((data) => listener(data)),
    onDrain: (listener) => shell.client.channel.on('drain', listener),
    ended: shell.exited.then((exit) => exit.message || exit.reason),
    pauseOutput: () => shell.pauseOutput(),
    resumeOutput: () => shell.resumeOutput(),
    close: async () => {
      await shell.terminate(3000).catch(() => undefined);
    },
  };
}
