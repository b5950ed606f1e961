// `hatch <command> …`: finds the subcommand and turns its outcome into an exit status.
// Every failure is one line on stderr (`hatch <command>: what happened`), never a stack,
// unless HATCH_DEBUG is set.
import { appVersion } from '../shared/version';
import { subcommands, type Subcommand } from './commands';
import { CliError, type CliIo } from './io';

function helpText(): string {
  const width = Math.max(0, ...subcommands.map((command) => command.name.length));
  const lines = subcommands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return ['Usage: hatch <command> [options]', '', 'Commands:', ...lines, '', 'hatch <command> --help shows the options of a command.', ''].join('\n');
}

export async function runHatch(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(helpText());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${appVersion}\n`);
    return 0;
  }
  const command: Subcommand | undefined = subcommands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr.write(`hatch: unknown command "${name}". Run "hatch --help" for the list.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage.trimEnd()}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`hatch ${command.name}: ${error.message}\n`);
      if (error.code === 2) io.stderr.write(`${command.usage.trimEnd()}\n`);
      return error.code;
    }
    const detail = io.env.HATCH_DEBUG ? ((error as Error)?.stack ?? String(error)) : ((error as Error)?.message ?? String(error));
    io.stderr.write(`hatch ${command.name}: ${detail}\n`);
    return 1;
  }
}
