// CredentialService cache and refresh logic, with a real credential_process (a node
// one-liner that counts its runs) and an injected clock: no network, no waiting.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../../src/main/aws/client-factory';
import { CredentialService, type CredentialPrompts } from '../../../src/main/aws/credentials';
import { ProfileService } from '../../../src/main/aws/profiles';
import { PromptBroker } from '../../../src/main/aws/prompt-broker';
import { tempAws, useEnv, type TempAws } from './helpers';

const prompts: CredentialPrompts = {
  askMfaCode: async () => {
    throw new Error('unexpected');
  },
  showSsoDeviceCode: () => undefined,
};

let aws: TempAws;
let restore: () => void;
let counter: string;
const lifetimeMs = 20 * 60_000;

function processConfig(extra = ''): string {
  const script = path.join(aws.home, 'creds.cjs');
  writeFileSync(
    script,
    `const fs = require('fs'); const f = ${JSON.stringify(counter)};
const n = (fs.existsSync(f) ? Number(fs.readFileSync(f, 'utf8')) : 0) + 1; fs.writeFileSync(f, String(n));
process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: 'ASIAPROC' + n, SecretAccessKey: 's' + n, SessionToken: 't' + n, Expiration: new Date(Date.now() + ${lifetimeMs}).toISOString() }));`,
  );
  return `[profile proc]\nregion = eu-west-1\ncredential_process = ${process.execPath} ${script}\n${extra}\n[profile keys]\nregion = eu-west-1\naws_access_key_id = AKIAKEYS000000000000\naws_secret_access_key = keys-secret\n[profile broken]\nrole_arn = arn:aws:iam::111122223333:role/X\n`;
}

const runs = () => Number(readFileSync(counter, 'utf8'));

beforeEach(() => {
  aws = tempAws();
  counter = path.join(aws.home, 'count');
  aws.write('config', processConfig());
  restore = useEnv(aws.env);
});

afterEach(() => {
  restore();
  aws.cleanup();
});

describe('CredentialService', () => {
  it('caches, shares one resolution between concurrent callers, and refreshes ahead of expiry', async () => {
    let clock = Date.now();
    const profiles = new ProfileService({ env: aws.env });
    const credentials = new CredentialService(profiles, prompts, { now: () => clock });
    try {
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => credentials.getCredentials('proc')));
      expect(runs()).toBe(1);
      expect(a).toEqual(b);
      expect(b).toEqual(c);
      expect(a.accessKeyId).toBe('ASIAPROC1');
      expect((await credentials.getCredentials('proc')).accessKeyId).toBe('ASIAPROC1');
      expect(runs()).toBe(1);

      // Four minutes before expiry (inside the 5-minute window): the old credentials are
      // still served at once while a refresh runs.
      clock = a.expiration!.getTime() - 4 * 60_000;
      expect((await credentials.getCredentials('proc')).accessKeyId).toBe('ASIAPROC1');
      await credentials.signIn('proc'); // joins the refresh in flight
      expect(runs()).toBe(2);
      expect((await credentials.getCredentials('proc')).accessKeyId).toBe('ASIAPROC2');

      // Past the safety margin of the current credentials, callers wait for fresh ones.
      const current = await credentials.getCredentials('proc');
      clock = current.expiration!.getTime() - 10_000;
      expect((await credentials.getCredentials('proc')).accessKeyId).toBe('ASIAPROC3');
    } finally {
      credentials.dispose();
      profiles.dispose();
    }
  });

  it('static keys resolve without expiry; a broken profile says why', async () => {
    const profiles = new ProfileService({ env: aws.env });
    const credentials = new CredentialService(profiles, prompts);
    try {
      const keys = await credentials.getCredentials('keys');
      expect(keys).toMatchObject({ accessKeyId: 'AKIAKEYS000000000000', secretAccessKey: 'keys-secret' });
      expect(keys.expiration).toBeUndefined();
      await expect(credentials.getCredentials('broken')).rejects.toThrow(/cannot be used: role_arn needs source_profile or credential_source/);
      await expect(credentials.getCredentials('nobody')).rejects.toThrow(/no AWS profile named "nobody"/);
    } finally {
      credentials.dispose();
      profiles.dispose();
    }
  });

  it('drops cached credentials and clients when the profile changes on disk', async () => {
    const profiles = new ProfileService({ env: aws.env });
    const credentials = new CredentialService(profiles, prompts);
    const clients = new AwsClientFactory(credentials);
    try {
      const ssm1 = await clients.ssm('proc');
      expect(await clients.ssm('proc')).toBe(ssm1);
      expect(await ssm1.config.region()).toBe('eu-west-1');
      await credentials.getCredentials('proc');
      expect(runs()).toBe(1);

      aws.write('config', processConfig('endpoint_url = http://127.0.0.1:9'));
      await profiles.refresh();
      const ssm2 = await clients.ssm('proc');
      expect(ssm2).not.toBe(ssm1);
      const endpoint = await ssm2.config.endpoint!();
      expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`).toBe('http://127.0.0.1:9');
      await credentials.getCredentials('proc');
      expect(runs()).toBe(2);
      // An unrelated profile's cache survives.
      expect(await clients.ssm('keys')).toBe(await clients.ssm('keys'));
    } finally {
      clients.dispose();
      credentials.dispose();
      profiles.dispose();
    }
  });

  it('passes the region asked for, else the profile region, to clients', async () => {
    const profiles = new ProfileService({ env: aws.env });
    const credentials = new CredentialService(profiles, prompts);
    try {
      expect((await credentials.getClientConfig('keys', { service: 'ssm' })).region).toBe('eu-west-1');
      expect((await credentials.getClientConfig('keys', { service: 'ssm', region: 'ap-southeast-2' })).region).toBe('ap-southeast-2');
    } finally {
      credentials.dispose();
      profiles.dispose();
    }
  });
});

describe('PromptBroker', () => {
  it('routes answers by request id, rejects cancels, ignores unknown ids, times out', async () => {
    const asked: string[] = [];
    const settled: string[] = [];
    const broker = new PromptBroker({ mfaRequested: (p) => asked.push(p.requestId), mfaSettled: (id) => settled.push(id), ssoDeviceCode: () => undefined }, 50);
    const first = broker.askMfaCode('p', 'serial');
    const second = broker.askMfaCode('p', 'serial');
    expect(broker.pendingPrompts()).toHaveLength(2);
    expect(broker.answerMfa({ requestId: 'nope', code: '123456' })).toBe(false);
    expect(broker.answerMfa({ requestId: asked[1], code: null })).toBe(true);
    expect(broker.answerMfa({ requestId: asked[0], code: '123456' })).toBe(true);
    await expect(first).resolves.toBe('123456');
    await expect(second).rejects.toThrow('cancelled');
    expect(settled).toEqual([asked[1], asked[0]]);
    await expect(broker.askMfaCode('p', 'serial')).rejects.toThrow(/in time/);
  });
});
