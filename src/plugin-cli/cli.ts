// Entry of the hatch-ssm-plugin bundle (bin/hatch-ssm-plugin.cjs → dist/plugin-cli/cli.cjs).
import '../runtime/quiet-warnings';
import { runPlugin } from './run';

runPlugin(process.argv.slice(2)).then(
  (code) => {
    // Let stdout drain before exiting (a pipe may still hold the last lines).
    process.stdout.write('', () => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`hatch-ssm-plugin: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
