// bench/filter.ts — the node-table filter on 10,000 nodes: ms per query for
// filterNodes (pre-lowercased keys cached per node, no regex per row), against a
// baseline from the same run (lowercasing and a RegExp per row, the obvious way).
// Run: npx tsx bench/filter.ts   (or npm run bench -- filter). Per keystroke over a real
// sandbox listing: npm run bench -- inventory.
import { performance } from 'node:perf_hooks';
import { filterNodes, prepareNodes } from '../src/shared/node-filter';
import type { ManagedNode } from '../src/shared/domain/inventory';
import { naiveFilter } from './_filter-baseline';

const COUNT = 10_000;
const QUERIES = [
  'web',
  '10.0.3',
  'tag:Environment=prod',
  'status:online platform:linux',
  'web tag:Environment=prod status:online platform:linux',
  '-status:online tag:Team=plat*',
  'nothing-matches-this',
];

function makeNodes(count: number): ManagedNode[] {
  const roles = ['web', 'db', 'cache', 'queue', 'batch', 'bastion'];
  const envs = ['prod', 'staging', 'dev'];
  const platforms: Array<[string, string]> = [
    ['Linux', 'Amazon Linux'],
    ['Linux', 'Ubuntu'],
    ['Windows', 'Microsoft Windows Server 2022 Datacenter'],
    ['MacOS', 'macOS'],
  ];
  const status: ManagedNode['pingStatus'][] = ['Online', 'Online', 'Online', 'ConnectionLost', 'Inactive'];
  return Array.from({ length: count }, (_, i) => {
    const [platformType, platformName] = platforms[i % platforms.length];
    const role = roles[i % roles.length];
    return {
      id: `${i % 10 === 9 ? 'mi' : 'i'}-${i.toString(16).padStart(17, '0')}`,
      name: `${role}-${i}`,
      ipAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      platformType,
      platformName,
      agentVersion: '3.3.1142.0',
      pingStatus: status[i % status.length],
      resourceType: i % 10 === 9 ? 'ManagedInstance' : 'EC2Instance',
      tags: { Name: `${role}-${i}`, Environment: envs[Math.floor(i / 7) % 3], Team: i % 2 ? 'Platform' : 'Data', Owner: `user${i % 50}@example.com` },
      region: 'us-east-1',
    };
  });
}

function time(fn: () => unknown, repeat: number): number {
  const start = performance.now();
  for (let i = 0; i < repeat; i++) fn();
  return (performance.now() - start) / repeat;
}

// Search keys are built once per listing (prepareNodes), off the keystroke path.
const builds: number[] = [];
for (let i = 0; i < 7; i++) {
  const listing = makeNodes(COUNT); // a fresh listing each time: keys are cached per node object
  builds.push(time(() => prepareNodes(listing), 1));
}
const build = builds.sort((a, b) => a - b)[3];
const coldBuild = Math.max(...builds);
const nodes = makeNodes(COUNT);
prepareNodes(nodes);
for (const q of QUERIES) {
  filterNodes(nodes, q);
  naiveFilter(nodes, q);
}

console.log(`filter: ${COUNT} nodes; prepareNodes (search keys, once per listing) median ${build.toFixed(2)} ms, worst (cold JIT) ${coldBuild.toFixed(2)} ms`);
console.log(`${'query'.padEnd(58)} ${'matches'.padStart(7)} ${'ms/query'.padStart(9)} ${'baseline'.padStart(9)} ${'ratio'.padStart(6)}`);
let worst = 0;
for (const q of QUERIES) {
  const matches = filterNodes(nodes, q).length;
  if (matches !== naiveFilter(nodes, q).length) throw new Error(`filter and baseline disagree on "${q}"`);
  const ms = time(() => filterNodes(nodes, q), 50);
  const base = time(() => naiveFilter(nodes, q), 10);
  worst = Math.max(worst, ms);
  console.log(`${q.padEnd(58)} ${String(matches).padStart(7)} ${ms.toFixed(3).padStart(9)} ${base.toFixed(3).padStart(9)} ${(base / ms).toFixed(1).padStart(5)}x`);
}
console.log(`worst ${worst.toFixed(3)} ms per query (a 60 Hz frame is 16.7 ms)`);
