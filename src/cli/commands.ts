// The subcommands of `hatch`. Each lives in its own file under commands/ and is listed
// here once; `hatch --help` is built from this list.
import type { CliIo } from './io';
import { cpCommand } from './commands/cp';
import { sshProxyCommand } from './commands/ssh-proxy';

export interface Subcommand {
  name: string;
  /** One line for `hatch --help`. */
  summary: string;
  /** Usage lines shown by `hatch <name> --help` and after a usage error. */
  usage: string;
  /** Runs the command; resolves to the process's exit status. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

export const subcommands: readonly Subcommand[] = [cpCommand, sshProxyCommand];
