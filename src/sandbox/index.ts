// startSandbox: the local Session Manager. One loopback HTTP server answers SSM, EC2,
// STS and KMS like AWS does, and hands data-channel WebSockets to the agent.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createDataChannelAgent, type SandboxDataChannelAgent } from './agent/index';
import type { AgentServices } from './agent-api';
import { CredentialStore, newAccessKeyId, newSecret, type CredentialRecord } from './auth';
import { createClock } from './clock';
import type { SandboxContext } from './context';
import { Ec2Service } from './ec2';
import { EcsService } from './ecs';
import { dataChannelFaults, parseFaults, seededRandom, type FaultSpec } from './faults';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, defaultFleet, generateFleet, loadFleetFile, type Fleet } from './fleet';
import { KmsService } from './kms';
import { createApiServer, type ServerStats } from './server';
import { SsmService, type SessionRecord } from './ssm';
import { SsoService, type SsoControl } from './sso';
import { StsService } from './sts';
import { newTotpSecret, totp } from './totp';

export type { Fleet } from './fleet';
export type { FaultSpec } from './faults';
export type { SessionRecord } from './ssm';
export type { SsoControl } from './sso';
export type { EcsService, EcsCluster, EcsTask, EcsContainer } from './ecs';
export { SSO_ROLES, SSO_USER } from './sso';

export interface SandboxOptions {
  /** 0 or unset: any free port. */
  port?: number;
  /** Generate a deterministic fleet of this many nodes (instead of the default dozen). */
  nodes?: number;
  /** Load the fleet from a JSON fleet file (see fleet.ts). */
  fleetFile?: string;
  /** Transcripts, agent files and the sandbox identity; a temp dir (removed on close) when unset. */
  dataDir?: string;
  /** Fault spec, e.g. "drop=0.01,delay=20ms,throttle=0.1" (see faults.ts). */
  faults?: string;
  /** >1 makes sandbox time pass faster (idle timeout, max duration, credential lifetimes). */
  timeScale?: number;
  /** Real-agent pacing (≤1024-byte messages, 1 ms apart); default on. */
  agentPacing?: boolean;
  /** Cap on the lifetime of AssumeRole / GetSessionToken credentials, in sandbox seconds. */
  credentialLifetimeSeconds?: number;
  /** Regions whose SSM, EC2 and KMS calls are denied (same as the `deny=REGION` fault). */
  denyRegions?: string[];
}

export interface Sandbox {
  /** http://127.0.0.1:PORT — the endpoint URL for every service. */
  endpoint: string;
  port: number;
  region: string;
  accountId: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The caller's IAM identity for the long-term credentials. */
  userArn: string;
  /** The virtual MFA device: serial for SerialNumber, base32 TOTP secret, current code. */
  mfa: { serialNumber: string; secret: string; code(timeMs?: number): string };
  /** AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_DEFAULT_REGION. */
  env: Record<string, string>;
  fleet: Fleet;
  /** ECS: clusters, tasks and containers (ExecuteCommand targets); `ecs.mapPort` serves a container port from loopback. */
  ecs: EcsService;
  agent: SandboxDataChannelAgent;
  dataDir: string;
  faults: FaultSpec;
  timeScale: number;
  stats: ServerStats;
  /**
   * IAM Identity Center (SSO OIDC + portal) on the same endpoint: approve a device code as
   * the user would in the browser, or GET its verificationUriComplete.
   */
  sso: SsoControl;
  /** Sessions known to the service side (StartSession order). */
  sessions(): SessionRecord[];
  close(): Promise<void>;
}

interface Identity {
  accessKeyId: string;
  secretAccessKey: string;
  totpSecret: string;
  kms?: Record<string, string>;
}

const IDENTITY_FILE = 'sandbox-identity.json';

/** A data dir keeps the same keys across restarts, so a saved profile keeps working. */
function loadIdentity(dataDir: string, persist: boolean): Identity {
  const file = path.join(dataDir, IDENTITY_FILE);
  if (persist && existsSync(file)) {
    try {
      const id = JSON.parse(readFileSync(file, 'utf8')) as Identity;
      if (id.accessKeyId && id.secretAccessKey && id.totpSecret) return id;
    } catch {
      // unreadable: make a new one
    }
  }
  return { accessKeyId: newAccessKeyId(false), secretAccessKey: newSecret(), totpSecret: newTotpSecret() };
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const faults = parseFaults(options.faults);
  if (options.denyRegions?.length) faults.deny = [...(faults.deny ?? []), ...options.denyRegions];
  const clock = createClock(options.timeScale ?? 1);
  if (options.nodes !== undefined && options.fleetFile !== undefined) throw new Error('use either nodes or fleetFile, not both');
  const fleet = options.fleetFile ? loadFleetFile(options.fleetFile) : options.nodes !== undefined ? generateFleet(options.nodes) : defaultFleet();
  const ownDataDir = !options.dataDir;
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : mkdtempSync(path.join(os.tmpdir(), 'hatch-sandbox-'));
  mkdirSync(dataDir, { recursive: true });

  const identity = loadIdentity(dataDir, !ownDataDir);
  const accountId = fleet.nodes[0]?.accountId ?? DEFAULT_ACCOUNT_ID;
  const userArn = `arn:aws:iam::${accountId}:user/hatch-sandbox`;
  const mfaSerial = `arn:aws:iam::${accountId}:mfa/hatch-sandbox`;
  const credentials = new CredentialStore();
  const root: CredentialRecord = {
    accessKeyId: identity.accessKeyId,
    secretAccessKey: identity.secretAccessKey,
    principal: { arn: userArn, userId: 'AIDAHATCHSANDBOXUSER1', accountId, mfa: false },
  };
  credentials.add(root);
  const kms = new KmsService(accountId, identity.kms);
  if (!ownDataDir) writeFileSync(path.join(dataDir, IDENTITY_FILE), JSON.stringify({ ...identity, kms: kms.materials() }, null, 2), { mode: 0o600 });

  // The agent reports ends to the SSM service, which needs the agent: tie the knot late.
  const ended: { to?: SsmService } = {};
  const services: AgentServices = {
    kmsDecrypt: async (ciphertext, encryptionContext) => kms.open(ciphertext, encryptionContext).plaintext,
    onSessionEnded: (sessionId, reason, exitCode) => ended.to?.sessionEnded(sessionId, reason, exitCode),
  };
  const agent = createDataChannelAgent({
    dataDir,
    timeScale: clock.timeScale,
    faults: dataChannelFaults(faults),
    pacing: options.agentPacing ?? true,
    services,
  });

  const ctx: SandboxContext = {
    fleet,
    agent,
    clock,
    dataDir,
    accountId,
    credentials,
    port: 0,
    startedAt: Date.now(),
    credentialLifetimeSeconds: options.credentialLifetimeSeconds,
    totpSecret: identity.totpSecret,
    mfaSerial,
    connection: (id) => {
      const info = agent.session(id);
      return info && { connected: info.connected, everConnected: info.clientId !== undefined };
    },
  };
  const ssm = new SsmService(ctx);
  ended.to = ssm;
  const sts = new StsService(ctx);
  sts.expireCapMs = faults.expireMs;
  const ec2 = new Ec2Service(ctx);
  const ecs = new EcsService(fleet.clusters, ssm);
  ssm.containers = (auth, target) => ecs.resolveTarget(auth, target);
  const sso = new SsoService(ctx, (principal, seconds) => sts.issue(principal, seconds));
  const rnd = seededRandom(faults.seed);
  const { server, stats } = createApiServer({
    routes: { json: { ssm: ssm.handlers, kms: kms.handlers, ecs: ecs.handlers }, query: { sts: sts.handlers, ec2: ec2.handlers } },
    credentials,
    agent,
    throttle: () => faults.throttle > 0 && rnd() < faults.throttle,
    // STS stays reachable (a region-denying SCP usually exempts it; roles must still be assumable).
    deny: (service, region) => service !== 'sts' && (faults.deny?.includes(region) ?? false),
    rest: sso.route,
    accountId,
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await agent.close();
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  ctx.port = port;
  const endpoint = `http://127.0.0.1:${port}`;
  sso.control.startUrl = `${endpoint}/start`;
  const region = DEFAULT_REGION;
  let closing: Promise<void> | undefined;

  return {
    endpoint,
    port,
    region,
    accountId,
    credentials: { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey },
    userArn,
    mfa: { serialNumber: mfaSerial, secret: identity.totpSecret, code: (t) => totp(identity.totpSecret, t) },
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: root.accessKeyId,
      AWS_SECRET_ACCESS_KEY: root.secretAccessKey,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
    },
    fleet,
    ecs,
    agent,
    dataDir,
    faults,
    timeScale: clock.timeScale,
    stats,
    sso: sso.control,
    sessions: () => [...ssm.sessions.values()],
    close() {
      closing ??= (async () => {
        await agent.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
