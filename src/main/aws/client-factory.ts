// AwsClientFactory: one SDK v3 client per service, profile, region and endpoint, built
// from CredentialService's config (endpoint_url honoured the same way for AWS and the
// sandbox), with Hatch's user agent and the SDK's own retry strategy.
import { SSMClient } from '@aws-sdk/client-ssm';
import { EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { STSClient } from '@aws-sdk/client-sts';
import { ECSClient } from '@aws-sdk/client-ecs';
import { appVersion } from '../../shared/version';
import type { CredentialService } from './credentials';
import type { ServiceId } from './profiles';

export interface AwsClientFactoryOptions {
  /** SDK retry attempts (standard/adaptive strategy, with backoff and throttling handling). Default 5. */
  maxAttempts?: number;
  retryMode?: 'standard' | 'adaptive';
  /** Extra client settings (tests inject a request handler or logger). */
  overrides?: Record<string, unknown>;
}

type Client = SSMClient | EC2Client | KMSClient | STSClient | ECSClient;

export class AwsClientFactory {
  private readonly clients = new Map<string, Promise<Client>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly credentials: CredentialService,
    private readonly options: AwsClientFactoryOptions = {},
  ) {
    this.unsubscribe = credentials.onInvalidate((profile) => this.invalidate(profile));
  }

  ssm(profile: string, region?: string): Promise<SSMClient> {
    return this.get('ssm', profile, region, (config) => new SSMClient(config));
  }

  ec2(profile: string, region?: string): Promise<EC2Client> {
    return this.get('ec2', profile, region, (config) => new EC2Client(config));
  }

  kms(profile: string, region?: string): Promise<KMSClient> {
    return this.get('kms', profile, region, (config) => new KMSClient(config));
  }

  ecs(profile: string, region?: string): Promise<ECSClient> {
    return this.get('ecs', profile, region, (config) => new ECSClient(config));
  }

  sts(profile: string, region?: string): Promise<STSClient> {
    return this.get('sts', profile, region, (config) => new STSClient(config));
  }

  /** Drop (and destroy) the clients of one profile, or of all. */
  invalidate(profile?: string): void {
    for (const [key, client] of this.clients) {
      if (profile !== undefined && !key.startsWith(`${profile}\u0000`)) continue;
      this.clients.delete(key);
      void client.then((c) => c.destroy(), () => undefined);
    }
  }

  dispose(): void {
    this.unsubscribe();
    this.invalidate();
  }

  private get<C extends Client>(service: ServiceId, profile: string, region: string | undefined, make: (config: Record<string, unknown>) => C): Promise<C> {
    const key = `${profile}\u0000${service}\u0000${region ?? ''}`;
    let client = this.clients.get(key) as Promise<C> | undefined;
    if (!client) {
      client = this.credentials.getClientConfig(profile, { region, service }).then((config) =>
        make({
          region: config.region,
          ...(config.endpoint ? { endpoint: config.endpoint } : {}),
          credentials: config.credentials,
          customUserAgent: [['hatch', appVersion]],
          maxAttempts: this.options.maxAttempts ?? 5,
          retryMode: this.options.retryMode ?? 'standard',
          ...this.options.overrides,
        }),
      );
      this.clients.set(key, client);
      // A failed build (no region, sandbox down) must not stick.
      client.catch(() => {
        if (this.clients.get(key) === client) this.clients.delete(key);
      });
    }
    return client;
  }
}
