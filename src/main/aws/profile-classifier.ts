// From the parsed AWS files to profiles: what kind each is (following the SDK's resolution
// order), its regions, and what makes it unusable. Pure: no files, no clock.
//
// Error texts name the file, the line and the key, never a value that could be a secret:
// nothing from the credentials file, nothing of a key called like a secret
// (docs/security.md). A value from the config file is quoted only when its key is harmless.
import { createHash } from 'node:crypto';
import type { ProfileKind } from '../../shared/domain/profiles';
import type { IniFileKind, IniScan } from './ini';

/** A profile as main knows it. Holds raw config values (keys included): never send it out. */
export interface ProfileRecord {
  name: string;
  kind: ProfileKind;
  source: 'config' | 'builtin';
  /** The merged config + credentials values the SDK sees for this profile. */
  data: Readonly<Record<string, string>>;
  /** The [sso-session] this profile refers to, if any. */
  ssoSession?: Readonly<Record<string, string>>;
  /** The [services] section this profile refers to, if any. */
  services?: Readonly<Record<string, string>>;
  /** Its region when that is a region name, else null. */
  region: string | null;
  regions: string[];
  errors: string[];
  /** Changes whenever anything this profile's credentials depend on changes. */
  fingerprint: string;
}

type ParsedIni = Record<string, Record<string, string | undefined>>;

export interface AwsFilePaths {
  config: string;
  credentials: string;
}

export interface ParsedAwsFiles {
  /** What the SDK's parser read (loadSharedConfigFiles). */
  configFile: ParsedIni;
  credentialsFile: ParsedIni;
  /** The same files, line by line (undefined: no such file). */
  scans: { config: IniScan | undefined; credentials: IniScan | undefined };
  paths: AwsFilePaths;
}

const CREDENTIAL_SOURCES = new Set(['Environment', 'Ec2InstanceMetadata', 'EcsContainer']);
export const REGION = /^[a-z]{2}(-[a-z0-9]+)+-\d+$/;
const SECRET_LIKE = /secret|token|passw|private|credential|access_key|key_id|session_key/i;

/** Where a key of a section is, for messages: "<file>: Line N: ". */
type Where = (key: string) => { prefix: string; quote: (value: string | undefined) => string };

function locator(files: ParsedAwsFiles, type: 'profile' | 'sso-session' | 'services', name: string): Where {
  return (key) => {
    // Credentials override config for profiles (the SDK merges them in that order).
    const kinds: IniFileKind[] = type === 'profile' ? ['credentials', 'config'] : ['config'];
    for (const kind of kinds) {
      const scan = files.scans[kind];
      const section = scan?.sections.filter((s) => s.type === type && s.name === name && s.keyLines.has(key)).pop();
      if (!section) continue;
      const line = section.keyLines.get(key)! + 1;
      const showable = kind === 'config' && !SECRET_LIKE.test(key);
      return {
        prefix: `${files.paths[kind]}: Line ${line}: `,
        quote: (value) => (showable && value !== undefined && /^[\x20-\x7e]{1,80}$/.test(value) ? ` "${value}"` : ''),
      };
    }
    return { prefix: '', quote: () => '' };
  };
}

export function buildRecords(files: ParsedAwsFiles): Map<string, ProfileRecord> {
  const { configFile, credentialsFile, scans, paths } = files;
  const profiles = new Map<string, Record<string, string>>();
  const ssoSessions = new Map<string, Record<string, string>>();
  const services = new Map<string, Record<string, string>>();
  for (const [key, values] of Object.entries(configFile)) {
    const clean = defined(values);
    if (key.startsWith('sso-session.')) ssoSessions.set(key.slice('sso-session.'.length), clean);
    else if (key.startsWith('services.')) services.set(key.slice('services.'.length), clean);
    else profiles.set(key, clean);
  }
  for (const [key, values] of Object.entries(credentialsFile)) {
    // "[profile x]" in the credentials file is keyed "profile.x" by the SDK: not a profile.
    if (/^(profile|sso-session|services)\./.test(key)) continue;
    profiles.set(key, { ...(profiles.get(key) ?? {}), ...defined(values) });
  }

  // Errors from the line scan, per profile / sso-session / services name.
  const sectionErrors = { profile: new Map<string, string[]>(), 'sso-session': new Map<string, string[]>(), services: new Map<string, string[]>() };
  const orphanNames = new Map<string, string[]>();
  for (const kind of ['config', 'credentials'] as const) {
    const scan = scans[kind];
    if (!scan) continue;
    for (const section of scan.sections) {
      const where = `${paths[kind]}:`;
      if (section.type === 'ignored') {
        if (!section.name) continue;
        const reason = section.ignoredReason === 'missing ]' ? section.errors.join(' ') : `[${section.header}] is ignored (${section.ignoredReason}).`;
        push(orphanNames, section.name, `${where} ${reason}`);
        continue;
      }
      for (const error of section.errors) push(sectionErrors[section.type], section.name, `${where} ${error}`);
      // Sections the SDK reads must exist in its view even when empty.
      if (section.type === 'profile' && !profiles.has(section.name)) profiles.set(section.name, {});
    }
  }
  for (const [name] of orphanNames) if (!profiles.has(name)) profiles.set(name, {});

  // Each profile's own problems first, so a profile can name a broken source profile.
  const own = new Map<string, { kind: ProfileKind; errors: string[] }>();
  for (const name of profiles.keys()) {
    const { kind, errors } = classifyProfile(name, profiles, ssoSessions, services, files);
    own.set(name, { kind, errors: [...rejectedFileErrors(name, files), ...(sectionErrors.profile.get(name) ?? []), ...errors] });
  }

  const records = new Map<string, ProfileRecord>();
  for (const [name, data] of profiles) {
    const { kind, errors } = own.get(name)!;
    const allErrors = [...errors];
    if (Object.keys(data).length === 0 && orphanNames.has(name)) allErrors.unshift(...orphanNames.get(name)!);
    const sessionName = data.sso_session;
    if (sessionName) allErrors.push(...(sectionErrors['sso-session'].get(sessionName) ?? []));
    if (data.services) allErrors.push(...(sectionErrors.services.get(data.services) ?? []));
    // A broken source profile breaks this one too; say which.
    const chain = sourceChain(name, profiles);
    for (const source of chain.slice(1)) {
      if (own.get(source)?.errors.length) allErrors.push(`Its source profile "${source}" has errors.`);
    }
    // Only region names reach the summary: a mistyped secret in `region` must not.
    const region = data.region !== undefined && REGION.test(data.region) ? data.region : null;
    const regions = unique([...(region ? [region] : []), ...splitList(data.hatch_regions).filter((r) => REGION.test(r))]);
    records.set(name, {
      name,
      kind,
      source: 'config',
      data,
      ssoSession: sessionName ? ssoSessions.get(sessionName) : undefined,
      services: data.services ? services.get(data.services) : undefined,
      region,
      regions,
      errors: unique(allErrors),
      fingerprint: fingerprint(chain.map((n) => [n, profiles.get(n), profiles.get(n)?.sso_session ? ssoSessions.get(profiles.get(n)!.sso_session) : undefined])),
    });
  }
  return records;
}

// A file the SDK rejects as a whole breaks every profile with a section in it.
function rejectedFileErrors(name: string, files: ParsedAwsFiles): string[] {
  return (['config', 'credentials'] as const)
    .filter((kind) => files.scans[kind]?.rejected && files.scans[kind]!.sections.some((s) => s.type === 'profile' && s.name === name))
    .map((kind) => `The AWS SDK cannot read ${files.paths[kind]}: ${files.scans[kind]!.fileErrors.join(' ')}`);
}

const NO_FILES: ParsedAwsFiles = { configFile: {}, credentialsFile: {}, scans: { config: undefined, credentials: undefined }, paths: { config: 'config', credentials: 'credentials' } };

/** The kind of a profile and what makes it unusable, following the SDK's resolution order. */
export function classifyProfile(
  name: string,
  profiles: Map<string, Record<string, string>>,
  ssoSessions: Map<string, Record<string, string>>,
  services: Map<string, Record<string, string>>,
  files: ParsedAwsFiles = NO_FILES,
): { kind: ProfileKind; errors: string[] } {
  const data = profiles.get(name) ?? {};
  const errors: string[] = [];
  const at = locator(files, 'profile', name);
  const say = (key: string, text: (quoted: string) => string) => {
    const { prefix, quote } = at(key);
    errors.push(prefix + text(quote(data[key])));
  };
  let kind: ProfileKind = 'unknown';

  if (data.region !== undefined && !REGION.test(data.region)) say('region', (q) => `region${q} is not a region name (e.g. eu-west-1).`);
  const badRegions = splitList(data.hatch_regions).filter((region) => !REGION.test(region));
  if (badRegions.length > 0) say('hatch_regions', () => `hatch_regions: ${badRegions.length === 1 ? 'one entry is' : `${badRegions.length} entries are`} not a region name.`);
  if (data.endpoint_url !== undefined && !isHttpUrl(data.endpoint_url)) say('endpoint_url', (q) => `endpoint_url${q} is not an http(s) URL.`);
  if (data.services !== undefined) {
    const section = services.get(data.services);
    if (!section) say('services', (q) => `services${q}: there is no such [services] section.`);
    const inServices = locator(files, 'services', data.services);
    for (const [key, value] of Object.entries(section ?? {})) {
      if (key.endsWith('.endpoint_url') && !isHttpUrl(value)) {
        const { prefix, quote } = inServices(key);
        errors.push(`${prefix}[services ${data.services}] ${key}${quote(value)} is not an http(s) URL.`);
      }
    }
  }
  if (data.duration_seconds !== undefined && !/^\d+$/.test(data.duration_seconds)) say('duration_seconds', () => 'duration_seconds must be a whole number of seconds.');

  const hasKeyId = data.aws_access_key_id !== undefined;
  const hasSecret = data.aws_secret_access_key !== undefined;
  const isSso = ['sso_start_url', 'sso_account_id', 'sso_session', 'sso_region', 'sso_role_name'].some((k) => data[k] !== undefined);

  if (data.role_arn !== undefined && data.web_identity_token_file === undefined) {
    kind = data.mfa_serial ? 'mfa' : 'assume-role';
    if (!/^arn:[\w-]+:iam::\d{12}:role\/.+$/.test(data.role_arn)) say('role_arn', (q) => `role_arn${q} is not a role ARN.`);
    if (data.source_profile !== undefined && data.credential_source !== undefined) {
      errors.push('Set either source_profile or credential_source, not both.');
    } else if (data.source_profile === undefined && data.credential_source === undefined) {
      errors.push('role_arn needs source_profile or credential_source to say which credentials assume the role.');
    } else if (data.credential_source !== undefined && !CREDENTIAL_SOURCES.has(data.credential_source)) {
      say('credential_source', () => 'credential_source must be Environment, Ec2InstanceMetadata or EcsContainer.');
    } else if (data.source_profile !== undefined) {
      const problem = sourceProfileError(name, profiles);
      if (problem) say('source_profile', (q) => (problem === 'missing' ? `source_profile${q} does not exist.` : `source_profile forms a cycle: ${problem}.`));
    }
  } else if (hasKeyId || hasSecret) {
    kind = data.mfa_serial ? 'mfa' : 'static';
    if (!hasKeyId) errors.push('aws_secret_access_key is set but aws_access_key_id is missing.');
    if (!hasSecret) errors.push('aws_access_key_id is set but aws_secret_access_key is missing.');
  } else if (data.web_identity_token_file !== undefined) {
    kind = 'web-identity';
    if (data.role_arn === undefined) errors.push('web_identity_token_file needs role_arn.');
  } else if (data.credential_process !== undefined) {
    kind = 'credential-process';
  } else if (isSso) {
    kind = 'sso';
    if (data.sso_session !== undefined) {
      const session = ssoSessions.get(data.sso_session);
      if (!session) {
        say('sso_session', (q) => `sso_session${q}: there is no such [sso-session] section.`);
      } else {
        const label = `[sso-session ${data.sso_session}]`;
        if (!session.sso_start_url) errors.push(`${label} has no sso_start_url.`);
        if (!session.sso_region) errors.push(`${label} has no sso_region.`);
        if (data.sso_start_url && session.sso_start_url && data.sso_start_url !== session.sso_start_url) {
          say('sso_start_url', () => `sso_start_url differs from the one in ${label}.`);
        }
      }
    } else {
      for (const key of ['sso_start_url', 'sso_region'] as const) if (!data[key]) errors.push(`${key} is missing.`);
    }
    for (const key of ['sso_account_id', 'sso_role_name'] as const) if (!data[key]) errors.push(`${key} is missing.`);
  } else if (data.credential_source !== undefined || data.login_session !== undefined) {
    kind = 'unknown';
  } else if (Object.keys(data).length > 0) {
    errors.push('This profile has no credentials: add access keys, a role, SSO or credential_process.');
  }
  return { kind, errors };
}

/** 'missing', a cycle as "a → b → a", or null when the chain of source profiles is sound. */
function sourceProfileError(name: string, profiles: Map<string, Record<string, string>>): string | null {
  const seen = [name];
  let current = profiles.get(name)?.source_profile;
  while (current !== undefined) {
    if (!profiles.has(current)) return 'missing';
    if (seen.includes(current)) {
      // A profile that names itself with static keys is the SDK's documented pattern.
      const data = profiles.get(current)!;
      if (current === seen[seen.length - 1] && data.aws_access_key_id) return null;
      return [...seen, current].join(' → ');
    }
    seen.push(current);
    const data = profiles.get(current)!;
    if (data.aws_access_key_id && data.aws_secret_access_key) return null;
    current = data.role_arn ? data.source_profile : undefined;
  }
  return null;
}

function sourceChain(name: string, profiles: Map<string, Record<string, string>>): string[] {
  const chain = [name];
  let current = profiles.get(name)?.source_profile;
  while (current !== undefined && !chain.includes(current) && profiles.has(current)) {
    chain.push(current);
    current = profiles.get(current)?.source_profile;
  }
  return chain;
}

// ── Small helpers ─────────────────────────────────────────────────────────────────

function defined(values: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) out[key] = value;
  return out;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function splitList(value: string | undefined): string[] {
  return value ? value.split(/[\s,]+/).filter(Boolean) : [];
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
