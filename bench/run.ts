// `npm run bench -- <name>` → tsx bench/run.ts <name>: runs bench/<name>.ts, which prints its figures.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const name = process.argv[2];
const file = name ? path.join(__dirname, `${name}.ts`) : '';
if (!name || !/^[\w-]+$/.test(name) || !existsSync(file)) {
  const known = readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
    .map((f) => f.slice(0, -3));
  process.stderr.write(`usage: npm run bench -- <name>\nbenchmarks: ${known.join(', ')}\n`);
  process.exit(2);
}
process.argv.splice(2, 1); // the benchmark sees its own arguments
void import(file).catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
