// Profile edits as text transformations: add, update and remove a profile in the config and
// credentials files' text. Pure: the store reads the files, calls these, and writes what
// they return (both files or neither). Every value is checked twice: by the contract's
// schema (ProfileInput) and by the INI writer (./ini.ts), which refuses anything that
// could change the file's structure.
import { HatchError } from '../../shared/contract';
import { ProfileInput } from '../../shared/domain/profiles';
import { editSection, IniWriteError, removeSection, scanIni, type IniFileKind, type SectionEdit } from './ini';
import { SANDBOX_PROFILE } from './sandbox';

/** The two files' text (undefined: the file does not exist). */
export interface AwsTexts {
  config: string | undefined;
  credentials: string | undefined;
}

/** New text for the files that change (a missing entry: that file stays as it is). */
export type AwsTextChanges = Partial<Record<IniFileKind, string>>;

const MANAGED_CONFIG_KEYS = [
  'region',
  'hatch_regions',
  'endpoint_url',
  'role_arn',
  'source_profile',
  'credential_source',
  'mfa_serial',
  'external_id',
  'role_session_name',
  'duration_seconds',
  'sso_session',
  'sso_start_url',
  'sso_region',
  'sso_account_id',
  'sso_role_name',
  'credential_process',
  'web_identity_token_file',
] as const;

/** Profiles the SDK reads in these texts (config sections and credentials sections). */
function profileNames(texts: AwsTexts): Set<string> {
  const names = new Set<string>();
  for (const kind of ['config', 'credentials'] as const) {
    const text = texts[kind];
    if (text === undefined) continue;
    for (const section of scanIni(text, kind).sections) if (section.type === 'profile') names.add(section.name);
  }
  return names;
}

/** The current value of a config key of a profile, as the SDK would read it (last wins). */
function configValue(text: string | undefined, name: string, key: string): string | undefined {
  if (text === undefined) return undefined;
  const scan = scanIni(text, 'config');
  const section = scan.sections.filter((s) => s.type === 'profile' && s.name === name && s.keyLines.has(key)).pop();
  if (!section) return undefined;
  const line = scan.lines[section.keyLines.get(key)!];
  return line.split(/(^|\s)[;#]/)[0].slice(line.indexOf('=') + 1).trim();
}

function hasCredentialsKeys(text: string | undefined, name: string): boolean {
  if (text === undefined) return false;
  return scanIni(text, 'credentials').sections.some((s) => s.type === 'profile' && s.name === name && s.keyLines.has('aws_access_key_id'));
}

export function planAdd(texts: AwsTexts, raw: ProfileInput): AwsTextChanges {
  const input = parseInput(raw);
  if (profileNames(texts).has(input.name)) {
    throw new HatchError('BadRequest', `A profile named "${input.name}" already exists.`, 'Choose another name, or edit that profile.');
  }
  if (input.kind === 'static' && !(input.accessKeyId && input.secretAccessKey)) {
    throw new HatchError('BadRequest', 'A static-keys profile needs an access key id and a secret access key.');
  }
  if (input.kind === 'credential-process' && !input.credentialProcess) throw new HatchError('BadRequest', 'A credential_process profile needs the command.');
  return applyInput(texts, input);
}

/** Replace the settings of an existing profile; keys Hatch does not manage are kept. */
export function planUpdate(texts: AwsTexts, raw: ProfileInput): AwsTextChanges {
  let input = parseInput(raw);
  if (!profileNames(texts).has(input.name)) {
    throw new HatchError('NotFound', `There is no AWS profile named "${input.name}" in your config files.`);
  }
  if (input.kind === 'static' && !input.accessKeyId && !hasCredentialsKeys(texts.credentials, input.name) && configValue(texts.config, input.name, 'aws_access_key_id') === undefined) {
    throw new HatchError('BadRequest', 'A static-keys profile needs an access key id and a secret access key.');
  }
  // An edit that leaves the command empty keeps the current one (the form never sees it).
  if (input.kind === 'credential-process' && !input.credentialProcess) {
    const current = configValue(texts.config, input.name, 'credential_process');
    if (!current) throw new HatchError('BadRequest', 'A credential_process profile needs the command.');
    input = { ...input, credentialProcess: current };
  }
  return applyInput(texts, input);
}

export function planRemove(texts: AwsTexts, name: string): AwsTextChanges {
  if (name === SANDBOX_PROFILE) throw new HatchError('BadRequest', 'The built-in Sandbox profile cannot be removed.');
  if (!profileNames(texts).has(name)) throw new HatchError('NotFound', `There is no AWS profile named "${name}" in your config files.`, 'Pick a profile from the list.');
  const changes: AwsTextChanges = {};
  for (const kind of ['config', 'credentials'] as const) {
    const text = texts[kind];
    if (text === undefined) continue;
    const next = writing(() => removeSection(scanIni(text, kind), 'profile', name));
    if (next !== text) changes[kind] = next;
  }
  return changes;
}

function applyInput(texts: AwsTexts, input: ProfileInput): AwsTextChanges {
  const { config, ssoSession, credentials } = inputToEdits(input);
  const scan = scanIni(texts.config ?? '', 'config');
  if (scan.rejected) throw new HatchError('BadRequest', `Hatch will not edit the AWS config file: ${scan.fileErrors.join(' ')}`);
  const changes: AwsTextChanges = {};
  changes.config = writing(() => {
    let next = editSection(scan, 'profile', input.name, config);
    if (ssoSession && input.ssoSession) next = editSection(scanIni(next, 'config'), 'sso-session', input.ssoSession, ssoSession);
    return next;
  });
  if (credentials) changes.credentials = writing(() => editSection(scanIni(texts.credentials ?? '', 'credentials'), 'profile', input.name, credentials));
  for (const kind of ['config', 'credentials'] as const) if (changes[kind] === (texts[kind] ?? '')) delete changes[kind];
  return changes;
}

/** The writer's refusals become BadRequest errors that name the key, never the value. */
function writing<T>(write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (error instanceof IniWriteError) throw new HatchError('BadRequest', `Hatch will not write this: ${error.message}`, 'Correct it and save again.');
    throw error;
  }
}

function parseInput(input: ProfileInput): ProfileInput {
  const result = ProfileInput.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new HatchError('BadRequest', `Invalid profile: ${where}${issue?.message ?? 'malformed'}.`);
  }
  const value = result.data;
  if (value.name === SANDBOX_PROFILE) throw new HatchError('BadRequest', `"${SANDBOX_PROFILE}" is the built-in profile's name.`);
  const need = (ok: boolean, message: string) => {
    if (!ok) throw new HatchError('BadRequest', message);
  };
  switch (value.kind) {
    case 'assume-role':
    case 'mfa':
      if (value.kind === 'mfa') need(!!value.mfaSerial, 'An MFA profile needs the MFA device serial (mfa_serial).');
      if (value.roleArn || value.kind === 'assume-role') {
        need(!!value.roleArn, 'An assume-role profile needs role_arn.');
        need(!!value.sourceProfile !== !!value.credentialSource, 'Set either a source profile or a credential source.');
      }
      break;
    case 'sso':
      need(!!value.ssoAccountId && !!value.ssoRoleName, 'An SSO profile needs an account id and a role name.');
      need(!!value.ssoSession || (!!value.ssoStartUrl && !!value.ssoRegion), 'An SSO profile needs an sso-session or a start URL and SSO region.');
      break;
    case 'web-identity':
      need(!!value.roleArn && !!value.webIdentityTokenFile, 'A web identity profile needs role_arn and web_identity_token_file.');
      break;
    default:
      break;
  }
  need(!value.accessKeyId === !value.secretAccessKey, 'Give both the access key id and the secret access key.');
  return value;
}

function inputToEdits(input: ProfileInput): { config: SectionEdit; ssoSession?: SectionEdit; credentials?: SectionEdit } {
  const config: SectionEdit = Object.fromEntries(MANAGED_CONFIG_KEYS.map((key) => [key, null]));
  const set = (key: (typeof MANAGED_CONFIG_KEYS)[number], value: string | number | undefined) => {
    if (value !== undefined) config[key] = String(value);
  };
  set('region', input.region);
  const extra = (input.regions ?? []).filter((r) => r !== input.region);
  if (extra.length > 0) set('hatch_regions', extra.join(','));
  set('endpoint_url', input.endpointUrl);
  let ssoSession: SectionEdit | undefined;
  switch (input.kind) {
    case 'assume-role':
    case 'mfa':
      set('role_arn', input.roleArn);
      set('source_profile', input.sourceProfile);
      set('credential_source', input.credentialSource);
      set('mfa_serial', input.mfaSerial);
      set('external_id', input.externalId);
      set('role_session_name', input.roleSessionName);
      set('duration_seconds', input.durationSeconds);
      break;
    case 'sso':
      set('sso_account_id', input.ssoAccountId);
      set('sso_role_name', input.ssoRoleName);
      if (input.ssoSession) {
        set('sso_session', input.ssoSession);
        if (input.ssoStartUrl || input.ssoRegion) {
          ssoSession = {};
          if (input.ssoStartUrl) ssoSession.sso_start_url = input.ssoStartUrl;
          if (input.ssoRegion) ssoSession.sso_region = input.ssoRegion;
          ssoSession.sso_registration_scopes = 'sso:account:access';
        }
      } else {
        set('sso_start_url', input.ssoStartUrl);
        set('sso_region', input.ssoRegion);
      }
      break;
    case 'credential-process':
      set('credential_process', input.credentialProcess);
      break;
    case 'web-identity':
      set('role_arn', input.roleArn);
      set('web_identity_token_file', input.webIdentityTokenFile);
      set('role_session_name', input.roleSessionName);
      break;
    case 'static':
      set('mfa_serial', input.mfaSerial);
      break;
    default:
      break;
  }
  const credentials: SectionEdit | undefined =
    input.accessKeyId && input.secretAccessKey
      ? { aws_access_key_id: input.accessKeyId, aws_secret_access_key: input.secretAccessKey, aws_session_token: null }
      : undefined;
  return { config, ssoSession, credentials };
}
