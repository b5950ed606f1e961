// A profile's settings as the edit form shows them: everything the user may change, but no
// key and no credential_process command (those stay in main; leaving them empty on save
// keeps the current ones).
import type { EditableProfile } from '../../shared/domain/profiles';
import type { ProfileRecord } from './profiles';

export function editableProfile(record: ProfileRecord): EditableProfile {
  const d = record.data;
  const sso = record.ssoSession ?? {};
  const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
  const kind = record.kind === 'builtin-sandbox' ? 'unknown' : record.kind;
  const profile: EditableProfile = {
    name: record.name,
    kind,
    region: d.region,
    regions: record.regions.length ? record.regions : undefined,
    endpointUrl: d.endpoint_url,
    roleArn: d.role_arn,
    sourceProfile: d.source_profile,
    credentialSource: d.credential_source,
    mfaSerial: d.mfa_serial,
    externalId: d.external_id,
    roleSessionName: d.role_session_name,
    durationSeconds: num(d.duration_seconds),
    ssoSession: d.sso_session,
    ssoStartUrl: d.sso_start_url ?? sso.sso_start_url,
    ssoRegion: d.sso_region ?? sso.sso_region,
    ssoAccountId: d.sso_account_id,
    ssoRoleName: d.sso_role_name,
    webIdentityTokenFile: d.web_identity_token_file,
    hasStaticKeys: Boolean(d.aws_access_key_id),
    hasCommand: Boolean(d.credential_process),
  };
  // Drop absent fields so the schema's optional fields stay absent.
  return Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== undefined)) as EditableProfile;
}
