import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { generateFleet } from '../src/sandbox/fleet';
let t = performance.now();
for (let i = 0; i < 30000; i++) createHash('sha256').update('x' + i).digest('hex');
console.log('hash', performance.now() - t);
for (let k = 0; k < 3; k++) { t = performance.now(); generateFleet(10000); console.log('gen', performance.now() - t); }
