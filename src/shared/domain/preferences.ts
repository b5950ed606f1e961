// Session Manager preferences (the account's SSM-SessionManagerRunShell document, one per
// region): the form model both the Preferences view and main validate with, and the
// conversion to and from the document's `inputs`. Every rule's message names the rule.
import { z } from 'zod';

/** The Session document that holds a region's Session Manager preferences. */
export const PREFERENCES_DOCUMENT = 'SSM-SessionManagerRunShell';

export const RULES = {
  idleSessionTimeout: 'Idle session timeout must be a whole number of minutes from 1 to 60.',
  maxSessionDuration: 'Maximum session duration must be a whole number of minutes from 1 to 1440, or empty for no limit.',
  kmsKeyId: 'KMS key must be a key id, key ARN, alias name (alias/…) or alias ARN.',
  kmsKeyRequired: 'Choose a KMS key when KMS encryption is on.',
  runAsDefaultUser: 'Run As user must be at most 32 characters, without spaces or colons.',
  runAsRequired: 'Enter the default Run As user when Run As support is on.',
  s3BucketName: 'S3 bucket name must be 3–63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit.',
  s3KeyPrefix: 'S3 key prefix must be at most 1024 characters.',
  s3PrefixWithoutBucket: 'An S3 key prefix needs an S3 bucket.',
  cloudWatchLogGroupName: 'CloudWatch log group name must be 1–512 letters, digits or . - _ / #.',
  shellProfile: 'A shell profile must be at most 4096 characters.',
} as const;

const KMS_KEY = /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|alias\/[A-Za-z0-9/_-]+|(mrk-)?[0-9a-fA-F-]{32,36})$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const LOG_GROUP = /^[.\-_/#A-Za-z0-9]{1,512}$/;

const minutes = (rule: string, max: number) => z.number({ error: rule }).int(rule).min(1, rule).max(max, rule);

export const SessionPreferences = z
  .object({
    idleSessionTimeout: minutes(RULES.idleSessionTimeout, 60),
    /** null: no maximum. */
    maxSessionDuration: minutes(RULES.maxSessionDuration, 1440).nullable(),
    kmsEncryption: z.boolean(),
    kmsKeyId: z.string().max(2048, RULES.kmsKeyId).refine((v) => v === '' || KMS_KEY.test(v), RULES.kmsKeyId),
    runAsEnabled: z.boolean(),
    runAsDefaultUser: z.string().max(32, RULES.runAsDefaultUser).regex(/^[^\s:]*$/, RULES.runAsDefaultUser),
    s3BucketName: z.string().refine((v) => v === '' || (BUCKET.test(v) && !/\.\./.test(v) && !/^\d+\.\d+\.\d+\.\d+$/.test(v)), RULES.s3BucketName),
    s3KeyPrefix: z.string().max(1024, RULES.s3KeyPrefix),
    s3EncryptionEnabled: z.boolean(),
    cloudWatchLogGroupName: z.string().refine((v) => v === '' || LOG_GROUP.test(v), RULES.cloudWatchLogGroupName),
    cloudWatchEncryptionEnabled: z.boolean(),
    cloudWatchStreamingEnabled: z.boolean(),
    shellProfileLinux: z.string().max(4096, RULES.shellProfile),
    shellProfileWindows: z.string().max(4096, RULES.shellProfile),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.kmsEncryption && p.kmsKeyId === '') ctx.addIssue({ code: 'custom', path: ['kmsKeyId'], message: RULES.kmsKeyRequired });
    if (p.runAsEnabled && p.runAsDefaultUser === '') ctx.addIssue({ code: 'custom', path: ['runAsDefaultUser'], message: RULES.runAsRequired });
    if (p.s3KeyPrefix !== '' && p.s3BucketName === '') ctx.addIssue({ code: 'custom', path: ['s3KeyPrefix'], message: RULES.s3PrefixWithoutBucket });
  });
export type SessionPreferences = z.infer<typeof SessionPreferences>;
export type PreferenceKey = keyof SessionPreferences;

/** Every field with its label, in the order the view and the comparison show them. */
export const PREFERENCE_FIELDS: ReadonlyArray<{ key: PreferenceKey; label: string; group: string }> = [
  { key: 'idleSessionTimeout', label: 'Idle session timeout (minutes)', group: 'Timeouts' },
  { key: 'maxSessionDuration', label: 'Maximum session duration (minutes)', group: 'Timeouts' },
  { key: 'kmsEncryption', label: 'KMS encryption', group: 'Encryption' },
  { key: 'kmsKeyId', label: 'KMS key', group: 'Encryption' },
  { key: 'runAsEnabled', label: 'Run As support (Linux and macOS)', group: 'Run As' },
  { key: 'runAsDefaultUser', label: 'Run As default user', group: 'Run As' },
  { key: 's3BucketName', label: 'S3 bucket', group: 'S3 logging' },
  { key: 's3KeyPrefix', label: 'S3 key prefix', group: 'S3 logging' },
  { key: 's3EncryptionEnabled', label: 'Require S3 bucket encryption', group: 'S3 logging' },
  { key: 'cloudWatchLogGroupName', label: 'CloudWatch log group', group: 'CloudWatch logging' },
  { key: 'cloudWatchEncryptionEnabled', label: 'Require CloudWatch log encryption', group: 'CloudWatch logging' },
  { key: 'cloudWatchStreamingEnabled', label: 'Stream session logs to CloudWatch', group: 'CloudWatch logging' },
  { key: 'shellProfileLinux', label: 'Linux shell profile', group: 'Shell profiles' },
  { key: 'shellProfileWindows', label: 'Windows shell profile', group: 'Shell profiles' },
];

/** What AWS uses when a region has no preferences document (the console's defaults). */
export function defaultPreferences(): SessionPreferences {
  return {
    idleSessionTimeout: 20,
    maxSessionDuration: null,
    kmsEncryption: false,
    kmsKeyId: '',
    runAsEnabled: false,
    runAsDefaultUser: '',
    s3BucketName: '',
    s3KeyPrefix: '',
    s3EncryptionEnabled: true,
    cloudWatchLogGroupName: '',
    cloudWatchEncryptionEnabled: true,
    cloudWatchStreamingEnabled: true,
    shellProfileLinux: '',
    shellProfileWindows: '',
  };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fallback);
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : fallback);
const int = (v: unknown): number | null => {
  const text = str(v).trim();
  return /^\d+$/.test(text) ? Number(text) : null;
};

/** Reads the form model from a preferences document (lenient: what AWS stored may be odd). */
export function preferencesFromDocument(content: unknown): SessionPreferences {
  const d = defaultPreferences();
  const inputs = isObj(content) && isObj(content.inputs) ? content.inputs : {};
  const shell = isObj(inputs.shellProfile) ? inputs.shellProfile : {};
  const kmsKeyId = str(inputs.kmsKeyId);
  return {
    idleSessionTimeout: int(inputs.idleSessionTimeout) ?? d.idleSessionTimeout,
    maxSessionDuration: int(inputs.maxSessionDuration),
    kmsEncryption: kmsKeyId !== '',
    kmsKeyId,
    runAsEnabled: bool(inputs.runAsEnabled, d.runAsEnabled),
    runAsDefaultUser: str(inputs.runAsDefaultUser),
    s3BucketName: str(inputs.s3BucketName),
    s3KeyPrefix: str(inputs.s3KeyPrefix),
    s3EncryptionEnabled: bool(inputs.s3EncryptionEnabled, d.s3EncryptionEnabled),
    cloudWatchLogGroupName: str(inputs.cloudWatchLogGroupName),
    cloudWatchEncryptionEnabled: bool(inputs.cloudWatchEncryptionEnabled, d.cloudWatchEncryptionEnabled),
    cloudWatchStreamingEnabled: bool(inputs.cloudWatchStreamingEnabled, d.cloudWatchStreamingEnabled),
    shellProfileLinux: str(shell.linux),
    shellProfileWindows: str(shell.windows),
  };
}

/**
 * The preferences document for these preferences. Fields of `base` (the document as
 * loaded) that the form does not manage are kept. An unlimited maximum duration is
 * written by leaving the field out.
 */
export function documentFromPreferences(p: SessionPreferences, base?: unknown): Record<string, unknown> {
  const b = isObj(base) ? base : {};
  const baseInputs = isObj(b.inputs) ? b.inputs : {};
  const inputs: Record<string, unknown> = {
    ...baseInputs,
    s3BucketName: p.s3BucketName,
    s3KeyPrefix: p.s3KeyPrefix,
    s3EncryptionEnabled: p.s3EncryptionEnabled,
    cloudWatchLogGroupName: p.cloudWatchLogGroupName,
    cloudWatchEncryptionEnabled: p.cloudWatchEncryptionEnabled,
    cloudWatchStreamingEnabled: p.cloudWatchStreamingEnabled,
    idleSessionTimeout: String(p.idleSessionTimeout),
    maxSessionDuration: p.maxSessionDuration === null ? undefined : String(p.maxSessionDuration),
    kmsKeyId: p.kmsEncryption ? p.kmsKeyId : '',
    runAsEnabled: p.runAsEnabled,
    runAsDefaultUser: p.runAsDefaultUser,
    shellProfile: { windows: p.shellProfileWindows, linux: p.shellProfileLinux },
  };
  if (inputs.maxSessionDuration === undefined) delete inputs.maxSessionDuration;
  return {
    schemaVersion: '1.0',
    description: typeof b.description === 'string' ? b.description : 'Document to hold regional settings for Session Manager',
    sessionType: 'Standard_Stream',
    ...b,
    inputs,
  };
}

/** The document text Hatch writes (stable key order, two-space indent). */
export function renderDocument(doc: Record<string, unknown>): string {
  return JSON.stringify(doc, null, 2);
}

/** Field errors keyed by field, first message of each: for the view's inline messages. */
export function preferenceErrors(candidate: unknown): Partial<Record<PreferenceKey, string>> {
  const parsed = SessionPreferences.safeParse(candidate);
  if (parsed.success) return {};
  const out: Partial<Record<PreferenceKey, string>> = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path[0] as PreferenceKey | undefined;
    if (key && !out[key]) out[key] = issue.message;
  }
  return out;
}

/** Shows a value in a table cell (comparison) the same way for every field. */
export function formatPreference(key: PreferenceKey, p: SessionPreferences): string {
  const v = p[key];
  if (typeof v === 'boolean') return v ? 'On' : 'Off';
  if (v === null) return key === 'maxSessionDuration' ? 'No limit' : '—';
  if (v === '') return '—';
  return String(v);
}

/** Keys whose value differs between any two of these preferences (missing ones ignored). */
export function differingKeys(list: Array<SessionPreferences | null>): PreferenceKey[] {
  const present = list.filter((p): p is SessionPreferences => p !== null);
  if (present.length < 2) return [];
  return PREFERENCE_FIELDS.map((f) => f.key).filter((key) => present.some((p) => formatPreference(key, p) !== formatPreference(key, present[0])));
}
