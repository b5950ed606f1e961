// `hatch-web [--port N] [--no-open]`: the browser host on 127.0.0.1.
import '../runtime/quiet-warnings';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { HatchHost } from '../main/host';
import { startWebHost } from './server';

const USAGE = `Usage: hatch-web [--port N] [--no-open]

Serves Hatch to a browser on 127.0.0.1 with a per-launch token.
  --port N    listen on port N (default: any free port; 0 = any)
  --no-open   print the URL but do not open a browser`;

function parseArgs(argv: string[]): { port: number; open: boolean } {
  let port = 0;
  let open = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-open') open = false;
    else if (arg === '--port' || arg.startsWith('--port=')) {
      const value = arg.includes('=') ? arg.slice(7) : argv[++i];
      port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) fatal(`hatch-web: --port needs a number from 0 to 65535, got ${JSON.stringify(value)}.`);
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fatal(`hatch-web: unknown option ${arg}\n${USAGE}`);
  }
  return { port, open };
}

function fatal(message: string): never {
  console.error(message);
  process.exit(2);
}

function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => console.log('No default browser found: open the URL above yourself.'));
  child.unref();
}

async function main(): Promise<void> {
  const { port, open } = parseArgs(process.argv.slice(2));
  const rendererDir = path.resolve(__dirname, '../renderer');
  if (!existsSync(path.join(rendererDir, 'index.html'))) fatal(`hatch-web: the renderer is not built (${rendererDir}). Run "npm run build".`);
  const host = new HatchHost({ host: 'web', transferFetchUrl: (id, name) => `/transfers/${id}/${encodeURIComponent(name)}` });
  const web = await startWebHost({ host, rendererDir, port }).catch((error: NodeJS.ErrnoException) => {
    fatal(error.code === 'EADDRINUSE' ? `hatch-web: port ${port} is in use; pick another with --port or use --port 0.` : `hatch-web: ${error.message}`);
  });
  console.log(`Hatch is running at ${web.url}`);
  if (open) openBrowser(web.url);
  const stop = async () => {
    await web.close();
    await host.dispose();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
