// Credentials against the real sandbox's STS: assume-role refreshed ahead of a short
// expiry, MFA through the UI prompt (PromptBroker) with the sandbox's TOTP device, and
// an MFA session from static keys (GetSessionToken).
import { DescribeInstanceInformationCommand } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';
import { AwsClientFactory } from '../../src/main/aws/client-factory';
import { CredentialService, type CredentialPrompts } from '../../src/main/aws/credentials';
import { ProfileService } from '../../src/main/aws/profiles';
import { PromptBroker } from '../../src/main/aws/prompt-broker';
import type { MfaPrompt, ProfileSummary } from '../../src/shared/domain/profiles';
import { tempAws, useEnv, type TempAws } from '../unit/aws/helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function config(sandbox: Sandbox): string {
  const account = sandbox.accountId;
  return `[profile base]
region = us-east-1
endpoint_url = ${sandbox.endpoint}

[profile operator]
region = us-east-1
endpoint_url = ${sandbox.endpoint}
role_arn = arn:aws:iam::${account}:role/Operator
source_profile = base

[profile mfa-role]
region = us-east-1
endpoint_url = ${sandbox.endpoint}
role_arn = arn:aws:iam::${account}:role/MfaAdmin
source_profile = base
mfa_serial = ${sandbox.mfa.serialNumber}

[profile keys-mfa]
region = us-east-1
endpoint_url = ${sandbox.endpoint}
mfa_serial = ${sandbox.mfa.serialNumber}
`;
}

function credentialsFile(sandbox: Sandbox): string {
  const keys = `aws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}\n`;
  return `[base]\n${keys}\n[keys-mfa]\n${keys}`;
}

function stack(env: NodeJS.ProcessEnv, prompts: CredentialPrompts) {
  const profiles = new ProfileService({ env });
  const credentials = new CredentialService(profiles, prompts);
  const clients = new AwsClientFactory(credentials);
  return {
    profiles,
    credentials,
    clients,
    summary: async (name: string) => (await profiles.list()).find((p) => p.name === name) as ProfileSummary,
    dispose() {
      clients.dispose();
      credentials.dispose();
      profiles.dispose();
    },
  };
}

const noPrompts: CredentialPrompts = {
  askMfaCode: async () => {
    throw new Error('unexpected MFA prompt');
  },
  showSsoDeviceCode: () => undefined,
};

describe('assume-role with short-lived credentials', () => {
  let sandbox: Sandbox;
  let aws: TempAws;
  let restore: () => void;

  beforeAll(async () => {
    // Every temporary credential the sandbox issues lives 3 s.
    sandbox = await startSandbox({ credentialLifetimeSeconds: 3 });
    aws = tempAws({ config: config(sandbox), credentials: credentialsFile(sandbox) });
    restore = useEnv(aws.env);
  });

  afterAll(async () => {
    restore?.();
    aws?.cleanup();
    await sandbox?.close();
  });

  it('keeps every call working across several expiries (refreshed ahead)', async () => {
    const s = stack(aws.env, noPrompts);
    try {
      const ssm = await s.clients.ssm('operator');
      const sts = await s.clients.sts('operator');
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      expect(identity.Arn).toMatch(/assumed-role\/Operator\//);
      const keys = new Set<string>();
      let calls = 0;
      // Call steadily until three different credentials have been used; any call signed
      // with an expired token would throw (ExpiredToken) and fail the test.
      const deadline = Date.now() + 40_000;
      while (keys.size < 3 && Date.now() < deadline) {
        await ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 5 }));
        calls++;
        keys.add((await s.credentials.getCredentials('operator')).accessKeyId);
        await sleep(100);
      }
      expect(keys.size).toBeGreaterThanOrEqual(3);
      expect(calls).toBeGreaterThan(keys.size);
      // Nothing secret reaches the summary.
      const summary = await s.summary('operator');
      expect(summary).toMatchObject({ kind: 'assume-role', credentialState: 'ready', error: null });
      for (const key of keys) expect(JSON.stringify(summary)).not.toContain(key);
    } finally {
      s.dispose();
    }
  });

  it('refreshes in the background while idle, so a tunnel that wakes up has live credentials', async () => {
    const s = stack(aws.env, noPrompts);
    try {
      const first = await s.credentials.getCredentials('operator');
      // Idle past the first credentials' expiry, with no call at all.
      await sleep(first.expiration!.getTime() - Date.now() + 1000);
      const state = (await s.credentials.describe([await s.profiles.get('operator')])).get('operator');
      expect(state).toEqual({ state: 'ready' });
      const now = await s.credentials.getCredentials('operator');
      expect(now.accessKeyId).not.toBe(first.accessKeyId);
      expect(now.expiration!.getTime()).toBeGreaterThan(Date.now());
    } finally {
      s.dispose();
    }
  });
});

describe('MFA through the UI prompt', () => {
  let sandbox: Sandbox;
  let aws: TempAws;
  let restore: () => void;

  beforeAll(async () => {
    sandbox = await startSandbox();
    aws = tempAws({ config: config(sandbox), credentials: credentialsFile(sandbox) });
    restore = useEnv(aws.env);
  });

  afterAll(async () => {
    restore?.();
    aws?.cleanup();
    await sandbox?.close();
  });

  it('asks once for concurrent calls, answers with the TOTP code, then works', async () => {
    const asked: MfaPrompt[] = [];
    const broker: PromptBroker = new PromptBroker({
      mfaRequested: (prompt) => {
        asked.push(prompt);
        // The renderer's answer, as the UI would send it back.
        setImmediate(() => broker.answerMfa({ requestId: prompt.requestId, code: sandbox.mfa.code() }));
      },
      ssoDeviceCode: () => undefined,
    });
    const s = stack(aws.env, broker);
    try {
      expect(await s.summary('mfa-role')).toMatchObject({ kind: 'mfa', credentialState: 'needs-mfa' });
      const ssm = await s.clients.ssm('mfa-role');
      const results = await Promise.all([1, 2, 3].map(() => ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 5 }))));
      expect(results.every((r) => Array.isArray(r.InstanceInformationList))).toBe(true);
      expect(asked).toEqual([{ requestId: expect.any(String), profile: 'mfa-role', serial: sandbox.mfa.serialNumber }]);
      const identity = await (await s.clients.sts('mfa-role')).send(new GetCallerIdentityCommand({}));
      expect(identity.Arn).toMatch(/assumed-role\/MfaAdmin\//);
      expect(await s.summary('mfa-role')).toMatchObject({ credentialState: 'ready', error: null });
      expect(broker.pendingPrompts()).toEqual([]);
    } finally {
      s.dispose();
      broker.dispose();
    }
  });

  it('a wrong code or a cancel gives a clear error state, and a retry works', async () => {
    let answer: string | null = '000000';
    const broker: PromptBroker = new PromptBroker({
      mfaRequested: (prompt) => setImmediate(() => broker.answerMfa({ requestId: prompt.requestId, code: answer })),
      ssoDeviceCode: () => undefined,
    });
    const s = stack(aws.env, broker);
    try {
      // A wrong code the TOTP window cannot accept by chance.
      answer = sandbox.mfa.code() === '000000' ? '111111' : '000000';
      await expect(s.credentials.signIn('mfa-role')).rejects.toThrow(/MultiFactorAuthentication failed/);
      expect(await s.summary('mfa-role')).toMatchObject({ credentialState: 'error', error: expect.stringMatching(/AccessDenied/) });
      answer = null;
      await expect(s.credentials.signIn('mfa-role')).rejects.toThrow(/No MFA code .*cancelled/);
      answer = sandbox.mfa.code();
      await s.credentials.signIn('mfa-role');
      expect(await s.summary('mfa-role')).toMatchObject({ credentialState: 'ready', error: null });
    } finally {
      s.dispose();
      broker.dispose();
    }
  });

  it('static keys with mfa_serial get an MFA session (GetSessionToken)', async () => {
    let asked = 0;
    const s = stack(aws.env, {
      askMfaCode: async (profile, serial) => {
        asked++;
        expect([profile, serial]).toEqual(['keys-mfa', sandbox.mfa.serialNumber]);
        return sandbox.mfa.code();
      },
      showSsoDeviceCode: () => undefined,
    });
    try {
      const creds = await s.credentials.getCredentials('keys-mfa');
      expect(creds.sessionToken).toBeTruthy();
      expect(creds.expiration!.getTime()).toBeGreaterThan(Date.now());
      const out = await (await s.clients.ssm('keys-mfa')).send(new DescribeInstanceInformationCommand({ MaxResults: 5 }));
      expect(out.InstanceInformationList?.length).toBeGreaterThan(0);
      expect(asked).toBe(1);
    } finally {
      s.dispose();
    }
  });
});
