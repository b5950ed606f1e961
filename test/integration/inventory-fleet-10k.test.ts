// A 10,000-node fleet over two regions lists completely through Hatch's InventoryService
// (SSM pages + EC2 names/IPs + hybrid-node tags), as the node browser asks for it, and the
// filter works over the whole listing. (Timings: npm run bench -- inventory.)
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AwsClientFactory } from '../../src/main/aws/client-factory';
import { CredentialService } from '../../src/main/aws/credentials';
import { ProfileService } from '../../src/main/aws/profiles';
import { InventoryService } from '../../src/main/inventory/inventory-service';
import type { ListProgress } from '../../src/shared/domain/inventory';
import { filterNodes } from '../../src/shared/node-filter';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';
import { tempAws, type TempAws } from '../unit/aws/helpers';

let sandbox: Sandbox;
let aws: TempAws;

beforeAll(async () => {
  sandbox = await startSandbox({ nodes: 10_000 });
  aws = tempAws({
    config: `[profile fleet]\nregion = us-east-1\nhatch_regions = eu-west-1\nendpoint_url = ${sandbox.endpoint}\n`,
    credentials: `[fleet]\naws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}\n`,
  });
});

afterAll(async () => {
  aws?.cleanup();
  await sandbox?.close();
});

it('lists all 10,000 nodes of two regions, with names, IPs and tags', async () => {
  const profiles = new ProfileService({ env: aws.env });
  const credentials = new CredentialService(profiles, { askMfaCode: async () => '', showSsoDeviceCode: () => undefined });
  const clients = new AwsClientFactory(credentials);
  const inventory = new InventoryService(clients);
  try {
    const regions = (await profiles.list()).find((p) => p.name === 'fleet')?.regions ?? [];
    expect(regions).toEqual(['us-east-1', 'eu-west-1']);
    const progress: ListProgress[] = [];
    const result = await inventory.listRegions('fleet', regions, { onProgress: (p) => progress.push(p) });
    expect(result.errors).toEqual([]);
    expect(result.nodes).toHaveLength(10_000);
    const byId = new Map(result.nodes.map((n) => [n.id, n]));
    expect(byId.size).toBe(10_000);
    for (const region of regions) {
      const expected = sandbox.fleet.inRegion(region);
      expect(expected.length).toBeGreaterThan(1000);
      expect(result.snapshots.find((s) => s.region === region)?.nodes).toHaveLength(expected.length);
      expect(progress.filter((p) => p.region === region).at(-1)).toMatchObject({ phase: 'done', count: expected.length });
      for (const node of expected) {
        const got = byId.get(node.instanceId);
        if (!got || got.name !== node.name || got.region !== region || got.ipAddress !== node.ipAddress || got.tags.Environment !== node.tags.Environment) {
          expect({ id: node.instanceId, got }).toEqual({ id: node.instanceId, got: expect.objectContaining({ name: node.name, region, ipAddress: node.ipAddress, tags: node.tags }) });
        }
      }
    }
    expect(result.nodes.filter((n) => n.id.startsWith('mi-')).every((n) => n.tags.Role !== undefined)).toBe(true);
    const prodDb = filterNodes(result.nodes, 'tag:Role=db tag:Environment=prod status:online');
    expect(prodDb.length).toBe(sandbox.fleet.nodes.filter((n) => n.tags.Role === 'db' && n.tags.Environment === 'prod' && n.pingStatus === 'Online').length);
    expect(prodDb.length).toBeGreaterThan(0);
  } finally {
    clients.dispose();
    credentials.dispose();
    profiles.dispose();
  }
}, 60_000);
