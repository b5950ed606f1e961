// A HatchHost on the embedded sandbox (held here so tests can change AWS behind Hatch's back).
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { HatchHost } from '../../src/main/host';
import { BuiltinSandbox } from '../../src/main/aws';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index';
import type { CallRequest, CallResponse, CallResult, Method } from '../../src/shared/contract';

export interface TestHost {
  host: HatchHost;
  sandbox: Sandbox;
  home: string;
  dataDir: string;
  call<M extends Method>(method: M, request: CallRequest<M>): Promise<CallResponse<M>>;
  raw(method: string, request: unknown): Promise<CallResult>;
  /** An SDK client straight to the sandbox: "someone else" changing the account. */
  direct(region?: string): SSMClient;
  dispose(): Promise<void>;
}

export interface TestHostOptions {
  /** More sandbox options, e.g. `timeScale` so idle timeouts pass in a test. */
  sandbox?: Omit<SandboxOptions, 'dataDir'>;
  /** AWS config and credentials files (user profiles, e.g. with endpoint_url at the sandbox). */
  config?: (sandbox: Sandbox) => string;
  credentials?: (sandbox: Sandbox) => string;
}

export async function startTestHost(options: TestHostOptions = {}): Promise<TestHost> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'hatch-docs-home-'));
  const sandbox = await startSandbox({ agentPacing: false, ...options.sandbox, dataDir: path.join(home, 'sandbox') });
  writeFileSync(path.join(home, 'empty-config'), options.config?.(sandbox) ?? '');
  writeFileSync(path.join(home, 'no-credentials'), options.credentials?.(sandbox) ?? '', { mode: 0o600 });
  const regions = [...new Set([sandbox.region, ...sandbox.fleet.nodes.map((n) => n.region)])];
  const dataDir = path.join(home, '.hatch');
  const host = new HatchHost({
    host: 'web',
    dataDir,
    env: { HOME: home, AWS_CONFIG_FILE: path.join(home, 'empty-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials') },
    sandbox: new BuiltinSandbox(async () => Object.assign(sandbox, { regions })),
    pluginCandidates: () => [],
    logError: () => undefined,
  });
  const clients: SSMClient[] = [];
  const raw = (method: string, request: unknown) => host.call(method, request);
  return {
    host,
    sandbox,
    home,
    dataDir,
    raw,
    async call(method, request) {
      const result = await raw(method, request);
      if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
      return result.value as never;
    },
    direct(region = sandbox.region) {
      const client = new SSMClient({ region, endpoint: sandbox.endpoint, credentials: sandbox.credentials });
      clients.push(client);
      return client;
    },
    async dispose() {
      clients.forEach((c) => c.destroy());
      await host.dispose();
    },
  };
}
