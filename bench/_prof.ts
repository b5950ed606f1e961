import { performance } from 'node:perf_hooks';
import { generateFleet } from '../src/sandbox/fleet';
import { startSandbox } from '../src/sandbox/index';
async function main() {
  let t = performance.now();
  generateFleet(10000);
  console.log('gen', performance.now() - t);
  t = performance.now();
  const sb = await startSandbox({ nodes: 10000 });
  console.log('start', performance.now() - t);
  await sb.close();
  t = performance.now();
  const sb2 = await startSandbox({ nodes: 10 });
  console.log('start small', performance.now() - t);
  await sb2.close();
}
main();
