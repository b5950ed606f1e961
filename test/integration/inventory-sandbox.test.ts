// InventoryService against the real sandbox: a user profile with endpoint_url, and the
// built-in Sandbox profile, both through the same code path as AWS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';
import { AwsClientFactory } from '../../src/main/aws/client-factory';
import { CredentialService, type CredentialPrompts } from '../../src/main/aws/credentials';
import { ProfileService } from '../../src/main/aws/profiles';
import { BuiltinSandbox, createBuiltinSandbox, SANDBOX_PROFILE } from '../../src/main/aws/sandbox';
import { InventoryService } from '../../src/main/inventory/inventory-service';
import { filterNodes } from '../../src/shared/node-filter';
import type { ListProgress } from '../../src/shared/domain/inventory';
import { tempAws, useEnv, type TempAws } from '../unit/aws/helpers';

const prompts: CredentialPrompts = {
  askMfaCode: async () => {
    throw new Error('no MFA expected');
  },
  showSsoDeviceCode: () => {
    throw new Error('no SSO expected');
  },
};

function stack(env: NodeJS.ProcessEnv, sandbox?: BuiltinSandbox, maxAttempts?: number) {
  const profiles = new ProfileService({ env, sandbox });
  const credentials = new CredentialService(profiles, prompts);
  const clients = new AwsClientFactory(credentials, { maxAttempts });
  const inventory = new InventoryService(clients);
  return {
    profiles,
    credentials,
    clients,
    inventory,
    dispose() {
      clients.dispose();
      credentials.dispose();
      profiles.dispose();
    },
  };
}

describe('inventory against the sandbox', () => {
  let sandbox: Sandbox;
  let aws: TempAws;
  let restore: () => void;

  beforeAll(async () => {
    sandbox = await startSandbox({ nodes: 400 });
    aws = tempAws({
      config: `[profile sb]\nregion = us-east-1\nendpoint_url = ${sandbox.endpoint}\n`,
      credentials: `[sb]\naws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}\n`,
    });
    restore = useEnv(aws.env);
  });

  afterAll(async () => {
    restore?.();
    aws?.cleanup();
    await sandbox?.close();
  });

  it('lists every node of a region of a profile with endpoint_url, with names, tags and IPs', async () => {
    const s = stack(aws.env);
    try {
      const summary = (await s.profiles.list()).find((p) => p.name === 'sb');
      expect(summary).toMatchObject({ kind: 'static', endpointUrl: sandbox.endpoint, error: null });
      const progress: ListProgress[] = [];
      const snapshot = await s.inventory.list('sb', 'us-east-1', { onProgress: (p) => progress.push(p) });
      const expected = sandbox.fleet.nodes.filter((n) => n.region === 'us-east-1');
      expect(snapshot.errors).toEqual([]);
      expect(snapshot.nodes).toHaveLength(expected.length);
      const byId = new Map(snapshot.nodes.map((n) => [n.id, n]));
      for (const node of expected) {
        const got = byId.get(node.instanceId);
        expect(got, node.instanceId).toBeDefined();
        expect(got).toMatchObject({
          name: node.name,
          ipAddress: node.ipAddress,
          platformType: node.platformType,
          pingStatus: node.pingStatus,
          agentVersion: node.agentVersion,
          resourceType: node.resourceType,
          region: 'us-east-1',
        });
        // EC2 tags for i- nodes, ListTagsForResource for hybrid mi- nodes.
        expect(got!.tags).toEqual(node.tags);
      }
      expect(expected.some((n) => n.instanceId.startsWith('mi-'))).toBe(true);
      // Progress counted the pages as they came.
      const counts = progress.filter((p) => p.phase === 'nodes').map((p) => p.count);
      expect(counts.length).toBeGreaterThan(1);
      expect(counts.at(-1)).toBe(expected.length);
      expect(progress.at(-1)?.phase).toBe('done');

      // The filter language over real data.
      const online = filterNodes(snapshot.nodes, 'status:online');
      expect(online.length).toBe(expected.filter((n) => n.pingStatus === 'Online').length);
      const prodWeb = filterNodes(snapshot.nodes, 'web tag:Environment=prod');
      expect(prodWeb.map((n) => n.id).sort()).toEqual(
        expected.filter((n) => n.name.includes('web') && n.tags.Environment === 'prod').map((n) => n.instanceId).sort(),
      );
    } finally {
      s.dispose();
    }
  });

  it('lists several regions and reports a failing one without losing the others', async () => {
    const s = stack(aws.env);
    try {
      const result = await s.inventory.listRegions('sb', ['us-east-1', 'eu-west-1']);
      expect(result.errors).toEqual([]);
      expect(result.nodes).toHaveLength(sandbox.fleet.nodes.length);
      expect(s.inventory.cached('sb', 'eu-west-1')?.nodes.every((n) => n.region === 'eu-west-1')).toBe(true);
    } finally {
      s.dispose();
    }
  });

  it('cancels a listing', async () => {
    const s = stack(aws.env);
    try {
      const controller = new AbortController();
      const listing = s.inventory.list('sb', 'us-east-1', {
        signal: controller.signal,
        onProgress: (p) => p.count >= 50 && controller.abort(new Error('stop')),
      });
      await expect(listing).rejects.toThrow('stop');
      expect(s.inventory.cached('sb', 'us-east-1')).toBeUndefined();
    } finally {
      s.dispose();
    }
  });

  it('rides out throttling with the SDK retry strategy', async () => {
    const throttling = await startSandbox({ nodes: 300, faults: 'throttle=0.25,seed=7' });
    const t = tempAws({
      config: `[profile sb]\nregion = us-east-1\nendpoint_url = ${throttling.endpoint}\n`,
      credentials: `[sb]\naws_access_key_id = ${throttling.credentials.accessKeyId}\naws_secret_access_key = ${throttling.credentials.secretAccessKey}\n`,
    });
    const s = stack(t.env, undefined, 10);
    try {
      const snapshot = await s.inventory.list('sb', 'us-east-1');
      expect(snapshot.errors).toEqual([]);
      expect(snapshot.nodes).toHaveLength(throttling.fleet.nodes.filter((n) => n.region === 'us-east-1').length);
      expect(snapshot.nodes.every((n) => n.tags.Environment !== undefined)).toBe(true);
      expect(throttling.stats.throttled).toBeGreaterThan(0);
    } finally {
      s.dispose();
      t.cleanup();
      await throttling.close();
    }
  });

  it('the built-in Sandbox profile starts the sandbox on first use, with no AWS config at all', async () => {
    const empty = tempAws();
    // The app's own wiring: the sandbox module is imported and started on first use.
    const builtin = createBuiltinSandbox();
    const s = stack(empty.env, builtin);
    try {
      const before = await s.profiles.list();
      expect(before).toEqual([expect.objectContaining({ name: SANDBOX_PROFILE, kind: 'builtin-sandbox', source: 'builtin', credentialState: 'ready', endpointUrl: null })]);
      expect(builtin.current).toBeUndefined();
      const [a, b] = await Promise.all([s.inventory.list(SANDBOX_PROFILE, undefined), s.inventory.list(SANDBOX_PROFILE, undefined)]);
      const own = builtin.current as unknown as Sandbox;
      expect(a.region).toBe('us-east-1');
      expect(a.nodes.map((n) => n.name).sort()).toEqual(own.fleet.nodes.filter((n) => n.region === 'us-east-1').map((n) => n.name).sort());
      expect(b.nodes).toHaveLength(a.nodes.length);
      const after = (await s.profiles.list())[0];
      expect(after).toMatchObject({ endpointUrl: own.endpoint, region: 'us-east-1', regions: ['us-east-1', 'eu-west-1'], credentialState: 'ready' });
      const eu = await s.inventory.list(SANDBOX_PROFILE, 'eu-west-1');
      expect(eu.nodes.length).toBe(own.fleet.nodes.filter((n) => n.region === 'eu-west-1').length);
      expect(JSON.stringify(after)).not.toContain(own.credentials.secretAccessKey);
    } finally {
      s.dispose();
      await builtin.close();
      empty.cleanup();
    }
  });
});
