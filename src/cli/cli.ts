// Entry of the `hatch` bundle (bin/hatch.cjs → dist/cli/cli.cjs).
import '../runtime/quiet-warnings';
import { processIo } from './io';
import { runHatch } from './main';

runHatch(process.argv.slice(2), processIo()).then(
  (code) => {
    // Let stdout drain before exiting (a pipe may still hold the last bytes).
    process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(`hatch: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
