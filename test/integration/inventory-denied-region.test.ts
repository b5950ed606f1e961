// One region denied (the sandbox's deny=REGION fault: an SCP that denies eu-west-1):
// the other region's nodes still list, and the denied one is reported with AWS's error
// name, through InventoryService.listRegions and through the contract (host.call).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../src/main/aws/client-factory';
import { CredentialService } from '../../src/main/aws/credentials';
import { ProfileService } from '../../src/main/aws/profiles';
import { HatchHost } from '../../src/main/host';
import { InventoryService } from '../../src/main/inventory/inventory-service';
import type { CallResult } from '../../src/shared/contract';
import type { InventorySnapshot } from '../../src/shared/domain/inventory';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';
import { tempAws, type TempAws } from '../unit/aws/helpers';

const DENIED = 'eu-west-1';
const ALLOWED = 'us-east-1';

describe('a denied region', () => {
  let sandbox: Sandbox;
  let aws: TempAws;

  beforeAll(async () => {
    sandbox = await startSandbox({ nodes: 300, faults: `deny=${DENIED}` });
    aws = tempAws({
      config: `[profile sb]\nregion = ${ALLOWED}\nhatch_regions = ${DENIED}\nendpoint_url = ${sandbox.endpoint}\n`,
      credentials: `[sb]\naws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}\n`,
    });
  });

  afterAll(async () => {
    aws?.cleanup();
    await sandbox?.close();
  });

  it('answers SSM and EC2 in that region with AWS access-denied errors, and leaves STS and other regions alone', async () => {
    const cfg = { endpoint: sandbox.endpoint, credentials: sandbox.credentials, maxAttempts: 1 };
    const ssmDenied = new SSMClient({ ...cfg, region: DENIED });
    const ec2Denied = new EC2Client({ ...cfg, region: DENIED });
    const ssmAllowed = new SSMClient({ ...cfg, region: ALLOWED });
    const sts = new STSClient({ ...cfg, region: DENIED });
    try {
      await expect(ssmDenied.send(new DescribeInstanceInformationCommand({}))).rejects.toMatchObject({
        name: 'AccessDeniedException',
        message: expect.stringMatching(/not authorized to perform: ssm:DescribeInstanceInformation on resource: arn:aws:ssm:eu-west-1:\d{12}:\* with an explicit deny/),
        $metadata: { httpStatusCode: 400 },
      });
      await expect(ec2Denied.send(new DescribeInstancesCommand({}))).rejects.toMatchObject({ name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } });
      expect((await ssmAllowed.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList?.length).toBeGreaterThan(0);
      expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(sandbox.userArn);
      expect(sandbox.stats.errorsByCode).toMatchObject({ AccessDeniedException: 1, UnauthorizedOperation: 1 });
    } finally {
      for (const c of [ssmDenied, ec2Denied, ssmAllowed, sts]) c.destroy();
    }
  });

  it('InventoryService.listRegions: the allowed region lists completely, the denied one is a RegionError naming AccessDeniedException', async () => {
    const profiles = new ProfileService({ env: aws.env });
    const credentials = new CredentialService(profiles, { askMfaCode: async () => '', showSsoDeviceCode: () => undefined });
    const clients = new AwsClientFactory(credentials);
    const inventory = new InventoryService(clients);
    try {
      const result = await inventory.listRegions('sb', [ALLOWED, DENIED]);
      const expected = sandbox.fleet.inRegion(ALLOWED);
      expect(expected.length).toBeGreaterThan(0);
      expect(sandbox.fleet.inRegion(DENIED).length).toBeGreaterThan(0);
      expect(result.nodes.map((n) => n.id).sort()).toEqual(expected.map((n) => n.instanceId).sort());
      expect(result.nodes.every((n) => n.region === ALLOWED && n.tags.Environment !== undefined)).toBe(true);
      expect(result.snapshots.map((s) => s.region)).toEqual([ALLOWED]);
      expect(result.errors).toEqual([
        {
          region: DENIED,
          code: 'AccessDeniedException',
          message: expect.stringMatching(/Could not list the nodes: .*eu-west-1.*AccessDeniedException.*explicit deny/),
          partial: false,
        },
      ]);
      expect(inventory.cached('sb', DENIED)).toBeUndefined();
    } finally {
      clients.dispose();
      credentials.dispose();
      profiles.dispose();
    }
  });

  it('through the contract: inventory.list answers the allowed region and a typed error for the denied one', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hatch-deny-'));
    const host = new HatchHost({ host: 'web', dataDir, env: aws.env, logError: () => undefined });
    try {
      const ok = (await host.call('inventory.list', { profile: 'sb', region: ALLOWED })) as CallResult<InventorySnapshot>;
      expect(ok.ok).toBe(true);
      if (ok.ok) {
        expect(ok.value.nodes).toHaveLength(sandbox.fleet.inRegion(ALLOWED).length);
        expect(ok.value.errors).toEqual([]);
      }
      const denied = await host.call('inventory.list', { profile: 'sb', region: DENIED });
      expect(denied).toEqual({
        ok: false,
        // Said in words with the permission to ask for, and AWS's reason kept (detail names the kind).
        error: {
          code: 'AwsError',
          message: expect.stringMatching(/^Access denied for sb \(eu-west-1\) while listing its managed nodes: the identity lacks ssm:DescribeInstanceInformation \(with an explicit deny.*\)\.$/),
          action: 'Ask your AWS administrator for ssm:DescribeInstanceInformation on this account.',
          detail: 'access-denied',
        },
      });
      // The profile itself is fine: both regions are offered, its credentials work.
      const listed = await host.call('profiles.list', {});
      expect(listed.ok && (listed.value as { profiles: Array<{ name: string; regions: string[]; credentialState: string }> }).profiles.find((p) => p.name === 'sb')).toMatchObject({
        regions: [ALLOWED, DENIED],
      });
    } finally {
      await host.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('lifting the denial (faults are read live) lets the region list again', async () => {
    const profiles = new ProfileService({ env: aws.env });
    const credentials = new CredentialService(profiles, { askMfaCode: async () => '', showSsoDeviceCode: () => undefined });
    const clients = new AwsClientFactory(credentials);
    const inventory = new InventoryService(clients);
    const saved = sandbox.faults.deny;
    try {
      sandbox.faults.deny = [];
      const result = await inventory.listRegions('sb', [ALLOWED, DENIED]);
      expect(result.errors).toEqual([]);
      expect(result.nodes).toHaveLength(sandbox.fleet.nodes.length);
    } finally {
      sandbox.faults.deny = saved;
      clients.dispose();
      credentials.dispose();
      profiles.dispose();
    }
  });
});
