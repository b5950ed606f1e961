// Which endpoint a profile's client calls for each service, following the AWS SDKs'
// precedence: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's [services]
// section, its endpoint_url — unless configured endpoints are switched off.
import type { ProfileRecord } from './profile-classifier';

export type ServiceId = 'ssm' | 'ec2' | 'sts' | 'kms' | 'ecs' | 'sso' | 'sso_oidc';

// Key of each service in a [services] section and in AWS_ENDPOINT_URL_<KEY>.
const SERVICE_KEYS: Record<ServiceId, { config: string; env: string }> = {
  ssm: { config: 'ssm', env: 'SSM' },
  ec2: { config: 'ec2', env: 'EC2' },
  sts: { config: 'sts', env: 'STS' },
  kms: { config: 'kms', env: 'KMS' },
  ecs: { config: 'ecs', env: 'ECS' },
  sso: { config: 'sso', env: 'SSO' },
  sso_oidc: { config: 'sso_oidc', env: 'SSO_OIDC' },
};

/** The endpoint URL of `service` for a profile from the files (the built-in Sandbox is the caller's). */
export function configuredEndpoint(record: ProfileRecord, service: ServiceId, env: NodeJS.ProcessEnv): string | undefined {
  if (isTrue(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) || isTrue(record.data.ignore_configured_endpoint_urls)) return undefined;
  const keys = SERVICE_KEYS[service];
  return env[`AWS_ENDPOINT_URL_${keys.env}`] || env.AWS_ENDPOINT_URL || record.services?.[`${keys.config}.endpoint_url`] || record.data.endpoint_url || undefined;
}

/** An endpoint as the renderer may see it: http(s) only, without user:password. */
export function displayableEndpoint(value: string | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    url.username = '';
    url.password = '';
    return value.includes('@') ? url.toString() : value;
  } catch {
    return null;
  }
}

function isTrue(value: string | undefined): boolean {
  return value?.toLowerCase() === 'true';
}
