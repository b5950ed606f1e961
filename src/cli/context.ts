// What every `hatch` subcommand needs to reach a node: the AWS profile (the app's own
// profile, credential and client services, so a profile behaves here as it does in the
// app), the node (an instance id or a Name), and a data-channel session of its own on it
// (the native engine, resumed after a dropped connection like the app's sessions).
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { KMSClient } from '@aws-sdk/client-kms';
import { EC2Client } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { DataChannelClient } from '../protocol/client';
import { openSession, ssmSessionCalls, type StartedSession } from '../protocol/opener';
import { ShellSession } from '../protocol/shell-session';
import { HatchError } from '../shared/contract';
import type { ManagedNode } from '../shared/domain/inventory';
import type { SsoDeviceCode } from '../shared/domain/profiles';
import { appVersion } from '../shared/version';
import { AwsClientFactory, CredentialService, ProfileService, createBuiltinSandbox, type BuiltinSandbox, type CredentialPrompts } from '../main/aws';
import { InventoryService } from '../main/inventory';
import { describeAwsError } from '../main/sessions/aws-errors';
import { CliError, type CliIo } from './io';

/** The options every node-reaching subcommand accepts. */
export const contextOptions = {
  profile: { type: 'string' },
  region: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

interface ContextOptions {
  /** --profile; else AWS_PROFILE, else environment credentials, else [default]. */
  profile?: string;
  /** --region; else the profile's region, else AWS_REGION / AWS_DEFAULT_REGION. */
  region?: string;
  io: CliIo;
  /** Where Hatch keeps its files (the built-in Sandbox's keys and node homes). Default HATCH_DATA_DIR or ~/.hatch. */
  dataDir?: string;
  /** The built-in Sandbox profile (tests pass their own); default: started in this process on first use. */
  sandbox?: BuiltinSandbox;
}

/** A managed node as a command needs it. */
export type NodeRef = Pick<ManagedNode, 'id' | 'name' | 'platformType' | 'platformName' | 'pingStatus' | 'region'>;

export interface OpenSessionOptions {
  /** Session document (default: the account's shell, SSM-SessionManagerRunShell). */
  documentName?: string;
  parameters?: Record<string, string[]>;
  reason?: string;
}

/** The AWS clients of the chosen profile (or of the environment's credentials) and region. */
interface AwsAccess {
  readonly label: string;
  ssm(): Promise<SSMClient>;
  ec2(): Promise<EC2Client>;
  kms(): Promise<KMSClient>;
  dispose(): Promise<void>;
}

const INSTANCE_ID = /^(i-[0-9a-f]{8}([0-9a-f]{9})?|mi-[0-9a-f]{17})$/;

/** Parse a command's arguments with node's parser; a bad option is a usage error (exit 2). */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError((error as Error).message.replace(/\. To specify a positional argument.*$/s, '.'), 2);
  }
}

export class CliContext {
  private inventory: InventoryService | undefined;
  private readonly sessions = new Set<DataChannelClient>();

  private constructor(
    private readonly aws: AwsAccess,
    /** The profile in use, or null for the environment's credentials. */
    readonly profile: string | null,
    readonly region: string,
  ) {}

  /** Pick the profile and region, and check the profile can be used (credentials are asked for on first use). */
  static async open(options: ContextOptions): Promise<CliContext> {
    const { io } = options;
    const env = io.env;
    const named = options.profile ?? (env.AWS_PROFILE || undefined);
    if (!named && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
      const region = options.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION);
      if (!region) throw new CliError('no region: pass --region or set AWS_REGION.');
      return new CliContext(environmentAccess(env, region), null, region);
    }

    const dataDir = options.dataDir ?? (env.HATCH_DATA_DIR || path.join(env.HOME || os.homedir(), '.hatch'));
    const sandbox = options.sandbox ?? createBuiltinSandbox({ dataDir: path.join(dataDir, 'sandbox') });
    const profiles = new ProfileService({ env, sandbox });
    const credentials = new CredentialService(profiles, terminalPrompts(io));
    const clients = new AwsClientFactory(credentials);
    const close = async () => {
      clients.dispose();
      credentials.dispose();
      profiles.dispose();
      await sandbox.close();
    };
    try {
      const records = await profiles.records();
      const name = named ?? (records.some((r) => r.name === 'default' && r.source === 'config') ? 'default' : undefined);
      if (!name) {
        const known = records.map((r) => r.name).join(', ');
        throw new CliError(`no AWS profile chosen: pass --profile NAME or set AWS_PROFILE (profiles: ${known || 'none'}).`);
      }
      const record = records.find((r) => r.name === name);
      if (!record) {
        throw new CliError(`there is no AWS profile named "${name}" in ${profiles.paths().config} (profiles: ${records.map((r) => r.name).join(', ') || 'none'}).`);
      }
      if (record.errors.length > 0) throw new CliError(`profile "${name}" cannot be used: ${record.errors.join(' ')}`);
      const config = await credentials.getClientConfig(name, { region: options.region, service: 'ssm' }).catch((error: unknown) => {
        throw asCliError(error);
      });
      const region = config.region;
      const access: AwsAccess = {
        label: `profile "${name}"`,
        ssm: () => clients.ssm(name, region),
        ec2: () => clients.ec2(name, region),
        kms: () => clients.kms(name, region),
        dispose: close,
      };
      return new CliContext(access, name, region);
    } catch (error) {
      await close();
      throw asCliError(error);
    }
  }

  /** Where this context reaches AWS, for messages: `profile "prod" in eu-west-1`. */
  get where(): string {
    return `${this.aws.label} in ${this.region}`;
  }

  ssm(): Promise<SSMClient> {
    return this.aws.ssm();
  }

  ec2(): Promise<EC2Client> {
    return this.aws.ec2();
  }

  /**
   * NODE as an instance id (i-…, mi-…) or a node name (the Name tag, else the name SSM
   * knows). An unknown node, an ambiguous name or a node whose agent is not connected is a
   * CliError that says which.
   */
  async resolveNode(spec: string): Promise<NodeRef> {
    if (!spec) throw new CliError('no node given: use an instance id (i-…) or a node name.', 2);
    if (INSTANCE_ID.test(spec)) return this.checkOnline(await this.nodeById(spec));
    const nodes = await this.listNodes();
    const exact = nodes.filter((node) => node.name === spec || node.tags.Name === spec);
    if (exact.length === 1) return this.checkOnline(exact[0]);
    if (exact.length > 1) {
      const list = exact.map((node) => `${node.id} (${node.pingStatus})`).join(', ');
      throw new CliError(`"${spec}" names ${exact.length} nodes in ${this.where}: ${list}. Use the instance id.`);
    }
    const folded = nodes.filter((node) => node.name.toLowerCase() === spec.toLowerCase());
    const hint = folded.length > 0 ? ` Did you mean ${folded.map((node) => `"${node.name}"`).join(' or ')}?` : '';
    throw new CliError(`no managed node named "${spec}" in ${this.where}.${hint}`);
  }

  /**
   * StartSession on the node and the data channel of that session (KMS when the account's
   * preferences ask for it; resumed through ResumeSession when the connection drops).
   */
  async openSession(node: Pick<NodeRef, 'id' | 'name'>, options: OpenSessionOptions = {}): Promise<DataChannelClient> {
    const calls = ssmSessionCalls(await this.ssm());
    let started: StartedSession;
    try {
      started = await calls.start({ Target: node.id, DocumentName: options.documentName, Parameters: options.parameters, Reason: options.reason });
    } catch (error) {
      throw asCliError(describeAwsError(error, { target: node.name === node.id ? node.id : `${node.name} (${node.id})`, profile: this.profile ?? undefined, region: this.region }));
    }
    try {
      const { client } = await openSession({ calls, target: node.id, start: started, kms: await this.aws.kms() });
      this.sessions.add(client);
      void client.ended.then(() => this.sessions.delete(client));
      return client;
    } catch (error) {
      throw new CliError(`could not open the session's data channel to ${node.name}: ${(error as Error).message}`);
    }
  }

  /** A shell session on the node (the account's shell document), ready for input. */
  async openShell(node: Pick<NodeRef, 'id' | 'name'>, size: { cols: number; rows: number } = { cols: 200, rows: 50 }): Promise<ShellSession> {
    const client = await this.openSession(node);
    const shell = new ShellSession(client, size);
    try {
      await shell.whenReady();
    } catch (error) {
      client.close();
      throw new CliError(`the session on ${node.name} ended before it started: ${(error as Error).message}`);
    }
    return shell;
  }

  /** Terminate the sessions still open and release the clients (and the sandbox, if started here). */
  async dispose(): Promise<void> {
    await Promise.all([...this.sessions].map((client) => client.terminate(3000).catch(() => undefined)));
    this.inventory?.dispose();
    await this.aws.dispose();
  }

  private async nodeById(id: string): Promise<NodeRef> {
    const ssm = await this.ssm();
    let info;
    try {
      const response = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [id] }] }));
      info = response.InstanceInformationList?.find((candidate) => candidate.InstanceId === id);
    } catch (error) {
      if ((error as { name?: string }).name !== 'InvalidInstanceId') throw asCliError(describeAwsError(error, { profile: this.profile ?? undefined, region: this.region }));
    }
    if (!info) throw new CliError(`${id} is not a managed node in ${this.where}.`);
    return {
      id,
      name: info.ComputerName || id,
      platformType: info.PlatformType ?? null,
      platformName: info.PlatformName ?? null,
      pingStatus: info.PingStatus === 'Online' || info.PingStatus === 'ConnectionLost' ? info.PingStatus : 'Inactive',
      region: this.region,
    };
  }

  private async listNodes(): Promise<ManagedNode[]> {
    this.inventory ??= new InventoryService({ ssm: () => this.ssm(), ec2: () => this.ec2() });
    try {
      return (await this.inventory.list(this.profile ?? 'environment', this.region)).nodes;
    } catch (error) {
      throw asCliError(error);
    }
  }

  private checkOnline(node: NodeRef): NodeRef {
    if (node.pingStatus !== 'Online') {
      const label = node.name === node.id ? node.id : `${node.name} (${node.id})`;
      throw new CliError(`${label} is ${node.pingStatus}: its SSM agent is not connected, so no session can reach it.`);
    }
    return node;
  }
}

/** A HatchError (or anything) as one CliError line: what happened, then what to do. */
export function asCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof HatchError) return new CliError(error.action ? `${error.message} ${error.action}` : error.message);
  return new CliError(error instanceof Error ? error.message : String(error));
}

/** Environment credentials (AWS_ACCESS_KEY_ID…) and AWS_ENDPOINT_URL[_SERVICE], as the AWS CLI uses them with no profile. */
function environmentAccess(env: NodeJS.ProcessEnv, region: string): AwsAccess {
  // From io.env (not process.env), so a command run in-process sees the environment it was given.
  const credentials = async () => ({
    accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  });
  const endpoint = (service: string) => env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
  const config = (service: string) => {
    const url = endpoint(service);
    return { region, credentials, customUserAgent: [['hatch', appVersion]] as [string, string][], maxAttempts: 5, ...(url ? { endpoint: url } : {}) };
  };
  const made: Array<{ destroy(): void }> = [];
  const once = <C extends { destroy(): void }>(make: () => C): (() => Promise<C>) => {
    let client: C | undefined;
    return async () => {
      if (!client) {
        client = make();
        made.push(client);
      }
      return client;
    };
  };
  return {
    label: 'the environment’s credentials',
    ssm: once(() => new SSMClient(config('SSM'))),
    ec2: once(() => new EC2Client(config('EC2'))),
    kms: once(() => new KMSClient(config('KMS'))),
    dispose: async () => made.forEach((client) => client.destroy()),
  };
}

/** MFA codes are asked on the terminal; SSO sign-in shows its page and code there. */
function terminalPrompts(io: CliIo): CredentialPrompts {
  return {
    askMfaCode: (profile, serial) => {
      if (!io.stdin.isTTY) {
        return Promise.reject(new HatchError('BadRequest', `Profile "${profile}" needs an MFA code and there is no terminal to ask for it.`, 'Run the command in a terminal.'));
      }
      return new Promise<string>((resolve, reject) => {
        const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
        let answered = false;
        io.stderr.write(`MFA code for profile "${profile}" (${serial}): `);
        rl.once('line', (line) => {
          answered = true;
          rl.close();
          resolve(line.trim());
        });
        rl.once('close', () => {
          if (!answered) reject(new HatchError('BadRequest', 'No MFA code was entered.', 'Run the command again and type the code.'));
        });
      });
    },
    showSsoDeviceCode: (code: SsoDeviceCode) => {
      io.stderr.write(`Sign in to IAM Identity Center for profile "${code.profile}": open ${code.verificationUriComplete ?? code.verificationUri} and confirm the code ${code.userCode}.\n`);
    },
  };
}
