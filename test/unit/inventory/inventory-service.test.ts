// InventoryService against real SDK clients whose requests are answered in-process by a
// middleware (no network): the paginator, batching, joins, errors and cancellation are
// exercised through the SDK's own command path.
import { SSMClient } from '@aws-sdk/client-ssm';
import { EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { InventoryService, type InventoryClients } from '../../../src/main/inventory/inventory-service';
import type { ListProgress } from '../../../src/shared/domain/inventory';

type Handler = (command: string, input: Record<string, unknown>) => unknown;

type Stack = { add(middleware: unknown, options: { step: 'initialize'; name: string }): void };

function stub<C extends SSMClient | EC2Client>(client: C, handler: Handler): C {
  const middleware =
    (_next: unknown, context: { commandName?: string }) =>
    async (args: { input: Record<string, unknown> }) => {
      const output = await handler(context.commandName as string, args.input);
      return { output: { $metadata: {}, ...(output as object) }, response: {} };
    };
  (client.middlewareStack as unknown as Stack).add(middleware, { step: 'initialize', name: 'fakeAws' });
  return client;
}

interface FakeNode {
  id: string;
  name?: string;
  ip?: string;
  tags?: Record<string, string>;
}

function fakeAws(fleet: FakeNode[], options: { ec2Fails?: boolean; terminated?: string[] } = {}) {
  const calls: Record<string, number> = {};
  const ec2Batches: number[] = [];
  const handler: Handler = async (command, input) => {
    calls[command] = (calls[command] ?? 0) + 1;
    await new Promise((r) => setImmediate(r));
    if (command === 'DescribeInstanceInformationCommand') {
      const start = Number(input.NextToken ?? 0);
      const size = Number(input.MaxResults ?? 50);
      const page = fleet.slice(start, start + size);
      return {
        InstanceInformationList: page.map((n, i) => ({
          InstanceId: n.id,
          PingStatus: i % 2 ? 'Online' : 'ConnectionLost',
          PlatformType: 'Linux',
          PlatformName: 'Ubuntu',
          AgentVersion: '3.3.0.0',
          IPAddress: n.ip,
          ResourceType: n.id.startsWith('mi-') ? 'ManagedInstance' : 'EC2Instance',
          ComputerName: `host-${n.id}`,
          ...(n.id.startsWith('mi-') && n.name ? { Name: n.name } : {}),
          LastPingDateTime: new Date(1_700_000_000_000),
        })),
        ...(start + size < fleet.length ? { NextToken: String(start + size) } : {}),
      };
    }
    if (command === 'DescribeInstancesCommand') {
      if (options.ec2Fails) throw Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' });
      const byIds = input.InstanceIds as string[] | undefined;
      const wanted = new Set(byIds ?? (input.Filters as Array<{ Values: string[] }>)[0].Values);
      const gone = [...wanted].filter((id) => options.terminated?.includes(id));
      if (byIds && gone.length) {
        throw Object.assign(new Error(`The instance IDs '${gone.join(', ')}' do not exist`), { name: 'InvalidInstanceID.NotFound' });
      }
      ec2Batches.push(wanted.size);
      const instances = fleet
        .filter((n) => wanted.has(n.id) && !options.terminated?.includes(n.id))
        .map((n) => ({ InstanceId: n.id, PrivateIpAddress: `172.16.0.${n.id.length}`, Tags: Object.entries({ ...(n.name ? { Name: n.name } : {}), ...n.tags }).map(([Key, Value]) => ({ Key, Value })) }));
      return { Reservations: [{ Instances: instances }] };
    }
    if (command === 'ListTagsForResourceCommand') {
      const node = fleet.find((n) => n.id === input.ResourceId);
      return { TagList: Object.entries(node?.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) };
    }
    throw new Error(`unexpected ${command}`);
  };
  const config = { region: 'eu-west-1', credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' } };
  const ssm = stub(new SSMClient(config), handler);
  const ec2 = stub(new EC2Client(config), handler);
  const clients: InventoryClients = { ssm: async () => ssm, ec2: async () => ec2 };
  return { clients, calls, ec2Batches };
}

function fleetOf(count: number): FakeNode[] {
  return Array.from({ length: count }, (_, i): FakeNode =>
    i % 4 === 3
      ? { id: `mi-${i.toString(16).padStart(17, '0')}`, name: `onprem-${i}`, tags: { Site: 'dc1' } }
      : { id: `i-${i.toString(16).padStart(17, '0')}`, name: `web-${i}`, ip: `10.0.0.${i % 250}`, tags: { Env: i % 2 ? 'prod' : 'dev' } },
  );
}

describe('InventoryService.list', () => {
  it('pages through SSM, joins EC2 names/tags and hybrid tags, reports progress, caches', async () => {
    const fleet = fleetOf(430);
    const aws = fakeAws(fleet);
    let clock = 1000;
    const service = new InventoryService(aws.clients, { now: () => clock, ec2BatchSize: 100, concurrency: 3 });
    const progress: ListProgress[] = [];
    const snapshot = await service.list('p', 'eu-west-1', { onProgress: (p) => progress.push(p) });

    expect(snapshot.nodes).toHaveLength(430);
    expect(snapshot.errors).toEqual([]);
    expect(snapshot.updatedAt).toBe(1000);
    expect(aws.calls.DescribeInstanceInformationCommand).toBe(9); // 430 / 50
    const ec2Count = fleet.filter((n) => n.id.startsWith('i-')).length;
    expect(aws.ec2Batches.reduce((a, b) => a + b, 0)).toBe(ec2Count);
    expect(Math.max(...aws.ec2Batches)).toBeLessThanOrEqual(100);
    expect(aws.calls.ListTagsForResourceCommand).toBe(fleet.length - ec2Count);

    const ec2Node = snapshot.nodes.find((n) => n.id === fleet[0].id)!;
    expect(ec2Node).toMatchObject({ name: 'web-0', tags: { Name: 'web-0', Env: 'dev' }, region: 'eu-west-1', platformType: 'Linux', pingStatus: 'ConnectionLost', lastPingAt: 1_700_000_000_000 });
    const hybrid = snapshot.nodes.find((n) => n.id === fleet[3].id)!;
    expect(hybrid).toMatchObject({ name: 'onprem-3', tags: { Site: 'dc1' }, resourceType: 'ManagedInstance' });

    const counts = progress.filter((p) => p.phase === 'nodes').map((p) => p.count);
    expect(counts).toEqual([50, 100, 150, 200, 250, 300, 350, 400, 430]);
    expect(progress.at(-1)).toEqual({ profile: 'p', region: 'eu-west-1', phase: 'done', count: 430 });
    expect(service.cached('p', 'eu-west-1')).toBe(snapshot);
    clock = 2000;
    expect((await service.list('p', 'eu-west-1')).updatedAt).toBe(2000);
  });

  it('falls back to the computer name and tolerates instances EC2 no longer knows', async () => {
    const fleet: FakeNode[] = [{ id: 'i-00000000000000001' }, { id: 'i-00000000000000002', name: 'named' }, { id: 'i-00000000000000003', name: 'three' }];
    const aws = fakeAws(fleet, { terminated: ['i-00000000000000001'] });
    const snapshot = await new InventoryService(aws.clients).list('p', 'eu-west-1');
    expect(snapshot.errors).toEqual([]);
    expect(snapshot.nodes.map((n) => n.name)).toEqual(['host-i-00000000000000001', 'named', 'three']);
    // One failed call naming the missing id, then one call without it.
    expect(aws.calls.DescribeInstancesCommand).toBe(2);
    expect(aws.ec2Batches).toEqual([2]);
  });

  it('keeps the nodes when EC2 is denied, with a partial error for the region', async () => {
    const aws = fakeAws(fleetOf(20), { ec2Fails: true });
    const snapshot = await new InventoryService(aws.clients).list('p', 'eu-west-1');
    expect(snapshot.nodes).toHaveLength(20);
    expect(snapshot.errors).toEqual([{ region: 'eu-west-1', code: 'UnauthorizedOperation', message: expect.stringContaining('not authorized'), partial: true }]);
  });

  it('cancels: rejects with the abort reason and does not touch the cache', async () => {
    const aws = fakeAws(fleetOf(500));
    const service = new InventoryService(aws.clients);
    const controller = new AbortController();
    const listing = service.list('p', 'eu-west-1', {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.count >= 100) controller.abort(new Error('user cancelled'));
      },
    });
    await expect(listing).rejects.toThrow('user cancelled');
    expect(aws.calls.DescribeInstanceInformationCommand).toBeLessThan(10);
    expect(service.cached('p', 'eu-west-1')).toBeUndefined();
  });

  it('reports a failing region and still lists the others', async () => {
    const good = fakeAws(fleetOf(5));
    const clients: InventoryClients = {
      ssm: async (profile, region) => {
        if (region === 'ap-east-1') throw Object.assign(new Error('The security token included in the request is invalid.'), { name: 'UnrecognizedClientException' });
        return good.clients.ssm(profile, region);
      },
      ec2: good.clients.ec2,
    };
    const result = await new InventoryService(clients).listRegions('p', ['eu-west-1', 'ap-east-1']);
    expect(result.nodes).toHaveLength(5);
    expect(result.errors).toEqual([{ region: 'ap-east-1', code: 'UnrecognizedClientException', message: expect.stringContaining('security token'), partial: false }]);
  });
});
