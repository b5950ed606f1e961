// bench/inventory.ts — a 10,000-node fleet over two regions, from the sandbox:
//  1. the bare SDK listing (paginateDescribeInstanceInformation, both regions) against a
//     baseline from the same run: as many minimal signed DescribeInstanceInformation
//     round trips as the listing made pages, so the ratio shows what a page costs;
//  2. time to the full list in Hatch (InventoryService.listRegions: SSM pages joined with
//     EC2 names/IPs and hybrid-node tags), with its first page and phases;
//  3. filter time per keystroke over that real listing (src/shared/node-filter.ts), as a
//     user types queries character by character, against the naive per-row filter.
// Run: npx tsx bench/inventory.ts [--nodes N] [--runs N]   (or npm run bench -- inventory)
import { performance } from 'node:perf_hooks';
import { DescribeInstanceInformationCommand, paginateDescribeInstanceInformation, SSMClient } from '@aws-sdk/client-ssm';
import { EC2Client } from '@aws-sdk/client-ec2';
import { startSandbox } from '../src/sandbox/index';
import { within } from './_deadline';
import { InventoryService } from '../src/main/inventory';
import { filterNodes, prepareNodes } from '../src/shared/node-filter';
import type { ManagedNode } from '../src/shared/domain/inventory';
import { naiveFilter } from './_filter-baseline';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

// What a user types into the node filter, one character at a time.
const TYPED = ['web-0042', 'tag:Environment=prod', 'status:online platform:linux db', '-status:online tag:Team=plat*', '10.'];

/** ms per keystroke for `filter` over every prefix of every typed query (median of 5 per prefix). */
function perKeystroke(nodes: readonly ManagedNode[], filter: (nodes: readonly ManagedNode[], q: string) => ManagedNode[]): { ms: number[]; matches: number[] } {
  const ms: number[] = [];
  const matches: number[] = [];
  for (const query of TYPED) {
    for (let i = 1; i <= query.length; i++) {
      const prefix = query.slice(0, i);
      const samples: number[] = [];
      let count = 0;
      for (let r = 0; r < 5; r++) {
        const t0 = performance.now();
        count = filter(nodes, prefix).length;
        samples.push(performance.now() - t0);
      }
      ms.push(median(samples));
      matches.push(count);
    }
  }
  return { ms, matches };
}

async function main(): Promise<void> {
  const nodes = arg('--nodes', 10_000);
  const runs = arg('--runs', 5);
  let t = performance.now();
  const sb = await startSandbox({ nodes });
  const startMs = performance.now() - t;
  const regions = sb.fleet.regions();
  const clients = regions.map((region) => new SSMClient({ endpoint: sb.endpoint, region, credentials: sb.credentials }));
  try {
    const listAll = (pageSize: number) => {
      let count = 0;
      let pages = 0;
      const run = async () => {
        for (const client of clients) {
          for await (const page of paginateDescribeInstanceInformation({ client, pageSize }, {})) {
            pages++;
            count += page.InstanceInformationList?.length ?? 0;
          }
        }
        if (count !== nodes) throw new Error(`listed ${count} of ${nodes} nodes`);
        return pages;
      };
      return within(`a listing of ${nodes} nodes (page size ${pageSize})`, 120_000, run(), () => `${count} nodes in ${pages} pages`);
    };
    await listAll(50); // warm up: SDK middleware, JIT, signing-key cache
    const listMs: number[] = [];
    let pages = 0;
    for (let r = 0; r < runs; r++) {
      t = performance.now();
      pages = await listAll(50);
      listMs.push(performance.now() - t);
    }
    const one = sb.fleet.inRegion(regions[0])[0]; // clients[0] talks to regions[0]
    const floorMs: number[] = [];
    for (let r = 0; r < runs; r++) {
      t = performance.now();
      for (let i = 0; i < pages; i++) {
        await within(`minimal call ${i + 1} of ${pages}`, 30_000, clients[0].send(new DescribeInstanceInformationCommand({ MaxResults: 5, Filters: [{ Key: 'InstanceIds', Values: [one.instanceId] }] })));
      }
      floorMs.push(performance.now() - t);
    }
    t = performance.now();
    const smallPages = await listAll(10);
    const page10Ms = performance.now() - t;

    // Hatch's full listing: SSM pages joined with EC2 names/IPs and hybrid tags.
    const ec2 = new Map(regions.map((region) => [region, new EC2Client({ endpoint: sb.endpoint, region, credentials: sb.credentials })]));
    const ssm = new Map(regions.map((region, i) => [region, clients[i]]));
    const inventory = new InventoryService({ ssm: async (_p, region) => ssm.get(region!)!, ec2: async (_p, region) => ec2.get(region!)! });
    await within('the warm-up inventory listing', 120_000, inventory.listRegions('warm-up', regions));
    const joins: Array<{ total: number; firstPage: number; nodesListed: number }> = [];
    let joined: Awaited<ReturnType<InventoryService['listRegions']>> | undefined;
    for (let r = 0; r < Math.max(1, Math.min(runs, 3)); r++) {
      const started = performance.now();
      let firstPage = 0;
      const listedAt = new Map<string, number>();
      let progress = 'no progress';
      joined = await within(
        `inventory listing ${r + 1}`,
        120_000,
        inventory.listRegions(`bench-${r}`, regions, {
          onProgress: (p) => {
            progress = `${p.region}: ${p.phase} ${p.count}`;
            if (p.phase === 'nodes' && !firstPage) firstPage = performance.now() - started;
            if (p.phase === 'names') listedAt.set(p.region, performance.now() - started);
          },
        }),
        () => progress,
      );
      joins.push({ total: performance.now() - started, firstPage, nodesListed: Math.max(...listedAt.values()) });
      if (joined.nodes.length !== nodes || joined.errors.length) throw new Error(`inventory listed ${joined.nodes.length} of ${nodes} (${joined.errors.map((e) => e.message).join('; ')})`);
    }
    for (const c of ec2.values()) c.destroy();
    const joinMs = median(joins.map((j) => j.total));
    const firstPageMs = median(joins.map((j) => j.firstPage));
    const nodesListedMs = median(joins.map((j) => j.nodesListed));

    // Filter per keystroke over the real listing. Search keys are built once per listing.
    const listing = joined!.nodes;
    t = performance.now();
    prepareNodes(listing);
    const prepareMs = performance.now() - t;
    perKeystroke(listing, filterNodes); // warm up
    const fast = perKeystroke(listing, filterNodes);
    const naive = perKeystroke(listing, naiveFilter);
    fast.matches.forEach((m, i) => {
      if (m !== naive.matches[i]) throw new Error(`filter and baseline disagree on keystroke ${i}`);
    });
    const keyMedian = median(fast.ms);
    const keyP95 = quantile(fast.ms, 0.95);
    const keyWorst = Math.max(...fast.ms);
    const naiveMedian = median(naive.ms);

    const list = median(listMs);
    const floor = median(floorMs);
    const rows: [string, string][] = [
      ['fleet', `${nodes} nodes in ${regions.join(', ')}`],
      ['sandbox start', `${startMs.toFixed(0)} ms`],
      ['list all, pageSize 50', `${list.toFixed(0)} ms median of ${runs} (${pages} pages, ${(list / pages).toFixed(2)} ms/page, ${Math.round((nodes / list) * 1000)} nodes/s)`],
      ['baseline: minimal calls', `${floor.toFixed(0)} ms for ${pages} calls (${(floor / pages).toFixed(2)} ms/call)`],
      ['ratio list / baseline', `${(list / floor).toFixed(2)}×`],
      ['time to the full list (Hatch)', `${joinMs.toFixed(0)} ms for ${listing.length} nodes (SSM + EC2 names/IPs + hybrid tags, median of ${joins.length}), ${(joinMs / list).toFixed(2)}× the bare SSM listing`],
      ['  first page on screen', `${firstPageMs.toFixed(0)} ms`],
      ['  every node listed (before names/tags)', `${nodesListedMs.toFixed(0)} ms`],
      ['list all, pageSize 10', `${page10Ms.toFixed(0)} ms (${smallPages} pages), ${(page10Ms / list).toFixed(2)}× the pageSize-50 listing`],
      ['filter: search keys (once per listing)', `${prepareMs.toFixed(1)} ms for ${listing.length} nodes`],
      [
        'filter per keystroke',
        `median ${keyMedian.toFixed(2)} ms, p95 ${keyP95.toFixed(2)} ms, worst ${keyWorst.toFixed(2)} ms over ${fast.ms.length} keystrokes (${TYPED.map((q) => JSON.stringify(q)).join(', ')})`,
      ],
      ['baseline: naive filter per keystroke', `median ${naiveMedian.toFixed(2)} ms; ratio naive / Hatch ${(naiveMedian / keyMedian).toFixed(1)}× (a 60 Hz frame is 16.7 ms)`],
    ];
    const w = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`inventory benchmark\n${rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n')}\n`);
  } finally {
    for (const c of clients) c.destroy();
    await sb.close();
  }
}

void main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
