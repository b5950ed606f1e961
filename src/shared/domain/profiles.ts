// What the renderer may know about AWS profiles, and what it may send to create or edit
// one. Nothing here carries a secret outward: summaries and prompt events have no keys,
// tokens or StreamUrls. ProfileInput is the only inbound shape that may carry a secret
// (static keys typed into the app); it flows renderer → main only.
import { z } from 'zod';

export const ProfileKind = z.enum([
  'builtin-sandbox',
  'static',
  'assume-role',
  'mfa',
  'sso',
  'credential-process',
  'web-identity',
  'unknown',
]);
export type ProfileKind = z.infer<typeof ProfileKind>;

export const CredentialState = z.enum(['ready', 'needs-mfa', 'needs-sso', 'error', 'unknown']);
export type CredentialState = z.infer<typeof CredentialState>;

export const ProfileSummary = z.object({
  name: z.string(),
  kind: ProfileKind,
  region: z.string().nullable(),
  /** Regions the user works in for this profile (hatch_regions), region first. */
  regions: z.array(z.string()).optional(),
  /** The SSM endpoint the app will call when it is not AWS's own (sandbox, VPC endpoint). */
  endpointUrl: z.string().nullable(),
  credentialState: CredentialState,
  error: z.string().nullable(),
  /** Regions whose last listing failed for a reason the person can act on, with that reason. */
  regionErrors: z.record(z.string(), z.string()).optional(),
  source: z.enum(['config', 'builtin']),
});
export type ProfileSummary = z.infer<typeof ProfileSummary>;

// Every string that may reach a file is checked here, per field, with the shapes AWS
// defines; the INI writer (src/main/aws/ini.ts) checks again that nothing could change the
// file's structure. No field may hold a control character or a Unicode line separator.
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;
const NO_CONTROL_MESSAGE = 'must not contain line breaks or other control characters';
/** Text on one line: printable characters only, no spaces at either end. */
const line = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(NO_CONTROL, NO_CONTROL_MESSAGE)
    .refine((value) => value.trim() === value, 'must not start or end with spaces');

const name = z
  .string()
  .min(1)
  .max(128)
  // The SDK's section-name grammar ([\w-@+.%:/]), without '__proto__'.
  .regex(/^[\w\-@+.%:/]+$/, 'Profile names may use letters, digits and _-@+.%:/')
  .refine((value) => value !== '__proto__', 'This profile name is reserved');

const region = z.string().regex(/^[a-z]{2}(-[a-z0-9]+)+-\d+$/, 'Not a region name (e.g. eu-west-1)');
// An http(s) URL as written (the WHATWG parser would silently drop tabs and line breaks: refuse them first).
const url = line(2048)
  .regex(/^\S+$/, 'must not contain spaces')
  .pipe(z.url({ protocol: /^https?$/ }));
// IAM: role paths and names use [\w+=,.@-]; STS: SerialNumber [\w+=/:,.@-]{9,256}, ExternalId [\w+=,.@:/-]{2,1224}.
const roleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'Not a role ARN (arn:aws:iam::123456789012:role/Name)');
const mfaSerial = z.string().regex(/^[\w+=/:,.@-]{9,256}$/, 'Not an MFA device ARN or serial number');
const externalId = z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, 'An external id uses letters, digits and +=,.@:/- (2 to 1224)');
const roleName = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'A role name uses letters, digits and +=,.@- (at most 64)');
const secretKey = z.string().regex(/^(?![;#])[\x21-\x7e]{1,256}$/, 'A secret access key is printable characters without spaces');
// A file path as the SDK opens it: absolute, or from the home directory.
const filePath = line(4096).regex(/^(\/|~[\\/]|[A-Za-z]:[\\/]|\\\\)/, 'Give an absolute path (or one starting with ~/)');

/** A profile as the user edits it. Absent fields are removed from the file on update. */
export const ProfileInput = z
  .object({
    name,
    kind: z.enum(['static', 'assume-role', 'mfa', 'sso', 'credential-process', 'web-identity', 'unknown']),
    region: region.optional(),
    regions: z.array(region).max(40).optional(),
    endpointUrl: url.optional(),
    // static (written to the credentials file; inbound only)
    accessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/).optional(),
    secretAccessKey: secretKey.optional(),
    // assume-role / mfa
    roleArn: roleArn.optional(),
    sourceProfile: name.optional(),
    credentialSource: z.enum(['Environment', 'Ec2InstanceMetadata', 'EcsContainer']).optional(),
    mfaSerial: mfaSerial.optional(),
    externalId: externalId.optional(),
    roleSessionName: z.string().regex(/^[\w+=,.@-]{2,64}$/).optional(),
    durationSeconds: z.number().int().min(900).max(43200).optional(),
    // sso
    ssoSession: name.optional(),
    ssoStartUrl: url.optional(),
    ssoRegion: region.optional(),
    ssoAccountId: z.string().regex(/^\d{12}$/).optional(),
    ssoRoleName: roleName.optional(),
    // credential_process / web identity
    credentialProcess: line(4096).optional(),
    webIdentityTokenFile: filePath.optional(),
  })
  .strict();
export type ProfileInput = z.infer<typeof ProfileInput>;

/**
 * What the edit form is given: the profile's settings as they are in the file, without keys
 * or the process command. Lenient on purpose (a file may hold anything); saving goes
 * through ProfileInput again.
 */
const fileText = z.string().max(4096).optional();
export const EditableProfile = z
  .object({
    name: z.string().max(128),
    kind: ProfileInput.shape.kind,
    region: fileText,
    regions: z.array(z.string().max(64)).max(40).optional(),
    endpointUrl: fileText,
    roleArn: fileText,
    sourceProfile: fileText,
    credentialSource: fileText,
    mfaSerial: fileText,
    externalId: fileText,
    roleSessionName: fileText,
    durationSeconds: z.number().optional(),
    ssoSession: fileText,
    ssoStartUrl: fileText,
    ssoRegion: fileText,
    ssoAccountId: fileText,
    ssoRoleName: fileText,
    webIdentityTokenFile: fileText,
    /** The profile has static keys (in the credentials file); an edit without new keys keeps them. */
    hasStaticKeys: z.boolean(),
    /** The profile has a credential_process command; an edit without a new one keeps it. */
    hasCommand: z.boolean(),
  })
  .strict();
export type EditableProfile = z.infer<typeof EditableProfile>;

/** Main asks the renderer for an MFA code; the renderer answers with the requestId. */
export const MfaPrompt = z.object({
  requestId: z.string(),
  profile: z.string(),
  /** The MFA device ARN or serial (not a secret: it names the device). */
  serial: z.string(),
});
export type MfaPrompt = z.infer<typeof MfaPrompt>;

export const MfaAnswer = z.object({
  requestId: z.string(),
  /** null = the user cancelled. */
  code: z.string().regex(/^\d{6}$/).nullable(),
});
export type MfaAnswer = z.infer<typeof MfaAnswer>;

/** IAM Identity Center device authorization: what the user must open and confirm. */
export const SsoDeviceCode = z.object({
  profile: z.string(),
  verificationUri: z.string(),
  verificationUriComplete: z.string().nullable(),
  userCode: z.string(),
  /** epoch ms */
  expiresAt: z.number(),
});
export type SsoDeviceCode = z.infer<typeof SsoDeviceCode>;
