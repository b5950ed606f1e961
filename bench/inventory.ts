// bench/inventory.ts — time to list a 10,000-node fleet from the sandbox through the
// SDK's paginateDescribeInstanceInformation (both regions), against a baseline from
// the same run: as many minimal signed DescribeInstanceInformation round trips as the
// listing made pages, so the ratio shows what a page of 50 nodes costs over the floor.
// Run: npx tsx bench/inventory.ts [--nodes N] [--runs N]   (or npm run bench -- inventory)
import { performance } from 'node:perf_hooks';
import { DescribeInstanceInformationCommand, paginateDescribeInstanceInformation, SSMClient } from '@aws-sdk/client-ssm';
import { EC2Client } from '@aws-sdk/client-ec2';
import { startSandbox } from '../src/sandbox/index';
import { InventoryService } from '../src/main/inventory';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const nodes = arg('--nodes', 10_000);
  const runs = arg('--runs', 5);
  let t = performance.now();
  const sb = await startSandbox({ nodes });
  const startMs = performance.now() - t;
  const regions = sb.fleet.regions();
  const clients = regions.map((region) => new SSMClient({ endpoint: sb.endpoint, region, credentials: sb.credentials }));
  try {
    const listAll = async (pageSize: number) => {
      let count = 0;
      let pages = 0;
      for (const client of clients) {
        for await (const page of paginateDescribeInstanceInformation({ client, pageSize }, {})) {
          pages++;
          count += page.InstanceInformationList?.length ?? 0;
        }
      }
      if (count !== nodes) throw new Error(`listed ${count} of ${nodes} nodes`);
      return pages;
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
        await clients[0].send(new DescribeInstanceInformationCommand({ MaxResults: 5, Filters: [{ Key: 'InstanceIds', Values: [one.instanceId] }] }));
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
    t = performance.now();
    const joined = await inventory.listRegions('bench', regions);
    const joinMs = performance.now() - t;
    if (joined.nodes.length !== nodes) throw new Error(`inventory listed ${joined.nodes.length} of ${nodes}`);
    for (const c of ec2.values()) c.destroy();

    const list = median(listMs);
    const floor = median(floorMs);
    const rows: [string, string][] = [
      ['fleet', `${nodes} nodes in ${regions.join(', ')}`],
      ['sandbox start', `${startMs.toFixed(0)} ms`],
      ['list all, pageSize 50', `${list.toFixed(0)} ms median of ${runs} (${pages} pages, ${(list / pages).toFixed(2)} ms/page, ${Math.round((nodes / list) * 1000)} nodes/s)`],
      ['baseline: minimal calls', `${floor.toFixed(0)} ms for ${pages} calls (${(floor / pages).toFixed(2)} ms/call)`],
      ['ratio list / baseline', `${(list / floor).toFixed(2)}×`],
      ['Hatch inventory (SSM + EC2 names + tags)', `${joinMs.toFixed(0)} ms for ${joined.nodes.length} nodes, ${(joinMs / list).toFixed(2)}× the bare SSM listing`],
      ['list all, pageSize 10', `${page10Ms.toFixed(0)} ms (${smallPages} pages), ${(page10Ms / list).toFixed(2)}× the pageSize-50 listing`],
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
