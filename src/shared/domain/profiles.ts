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
  source: z.enum(['config', 'builtin']),
});
export type ProfileSummary = z.infer<typeof ProfileSummary>;

const name = z
  .string()
  .min(1)
  .max(128)
  // The SDK's section-name grammar ([\w-@+.%:/]), without '__proto__'.
  .regex(/^[\w\-@+.%:/]+$/, 'Profile names may use letters, digits and _-@+.%:/')
  .refine((value) => value !== '__proto__', 'This profile name is reserved');

const region = z.string().regex(/^[a-z]{2}(-[a-z0-9]+)+-\d+$/, 'Not a region name (e.g. eu-west-1)');
const url = z.url({ protocol: /^https?$/ });

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
    secretAccessKey: z.string().min(1).max(256).optional(),
    // assume-role / mfa
    roleArn: z.string().regex(/^arn:[\w-]+:iam::\d{12}:role\/.+$/, 'Not a role ARN').optional(),
    sourceProfile: name.optional(),
    credentialSource: z.enum(['Environment', 'Ec2InstanceMetadata', 'EcsContainer']).optional(),
    mfaSerial: z.string().min(1).max(256).optional(),
    externalId: z.string().min(2).max(1224).optional(),
    roleSessionName: z.string().regex(/^[\w+=,.@-]{2,64}$/).optional(),
    durationSeconds: z.number().int().min(900).max(43200).optional(),
    // sso
    ssoSession: name.optional(),
    ssoStartUrl: url.optional(),
    ssoRegion: region.optional(),
    ssoAccountId: z.string().regex(/^\d{12}$/).optional(),
    ssoRoleName: z.string().min(1).max(64).optional(),
    // credential_process / web identity
    credentialProcess: z.string().min(1).max(4096).optional(),
    webIdentityTokenFile: z.string().min(1).max(4096).optional(),
  })
  .strict();
export type ProfileInput = z.infer<typeof ProfileInput>;

/** What the edit form is given: the profile's settings without keys or the process command. */
export const EditableProfile = ProfileInput.omit({ accessKeyId: true, secretAccessKey: true, credentialProcess: true }).extend({
  /** The profile has static keys (in the credentials file); an edit without new keys keeps them. */
  hasStaticKeys: z.boolean(),
  /** The profile has a credential_process command; an edit without a new one keeps it. */
  hasCommand: z.boolean(),
});
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
