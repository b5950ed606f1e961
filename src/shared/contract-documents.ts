// Contract entries of the documents/ and audit/ services (Session Manager preferences,
// session documents, session history, preflight). Spread into `calls` and `events` in
// contract.ts, so the contract is still declared once.
import { z } from 'zod';
import { SessionPreferences } from './domain/preferences';
import { DocumentDetail, DocumentName, DocumentSummary } from './domain/documents';
import { AuditFilters, AuditSession, ExportFormat, Recording, RecordingId, RecordingSummary, SessionHistoryState } from './domain/audit';
import { CheckStatus, PreflightCheck } from './domain/preflight';

const Profile = z.string().min(1).max(200);
const Region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'a region such as us-east-1');
const Where = { profile: Profile, region: Region };
const Version = z.string().min(1).max(20).nullable();

/** An IAM permission the caller lacks: the view turns read-only and names it. */
export const MissingPermission = z.object({ action: z.string(), message: z.string() });
export type MissingPermission = z.infer<typeof MissingPermission>;

/** A region's preferences as loaded (or AWS's defaults when the document does not exist). */
export const PreferencesState = z.object({
  profile: z.string(),
  region: z.string(),
  documentName: z.string(),
  /** false: no preferences document yet; `preferences` are AWS's defaults. */
  exists: z.boolean(),
  /** false: the document could not be read (see `denied`). */
  readable: z.boolean(),
  /** The latest version and its content hash when loaded: saving compares them. */
  version: Version,
  hash: z.string().nullable(),
  content: z.string().nullable(),
  preferences: SessionPreferences,
  denied: MissingPermission.nullable(),
});
export type PreferencesState = z.infer<typeof PreferencesState>;

export const PreferencesSaveOutcome = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('saved'), state: PreferencesState, created: z.boolean() }),
  z.object({ outcome: z.literal('unchanged'), state: PreferencesState }),
  /** Someone changed the document since it was loaded: reload, or save again with overwrite. */
  z.object({ outcome: z.literal('conflict'), current: PreferencesState }),
  z.object({ outcome: z.literal('denied'), denied: MissingPermission }),
]);
export type PreferencesSaveOutcome = z.infer<typeof PreferencesSaveOutcome>;

export const KmsKeyChoice = z.object({
  keyId: z.string(),
  arn: z.string(),
  aliases: z.array(z.string()),
  description: z.string().nullable(),
  enabled: z.boolean().nullable(),
});
export type KmsKeyChoice = z.infer<typeof KmsKeyChoice>;

export const PreferencesColumn = z.object({
  profile: z.string(),
  region: z.string(),
  exists: z.boolean(),
  version: z.string().nullable(),
  preferences: SessionPreferences.nullable(),
  error: z.string().nullable(),
});
export type PreferencesColumn = z.infer<typeof PreferencesColumn>;

const AuditQuery = z.object({ ...Where, state: SessionHistoryState, filters: AuditFilters.default({}) }).strict();

export const documentsCalls = {
  'preferences.get': { request: z.object(Where).strict(), response: PreferencesState },
  /** Create (first time) or update the preferences document and make it the default version. */
  'preferences.save': {
    request: z
      .object({ ...Where, preferences: SessionPreferences, baseVersion: Version, baseHash: z.string().max(128).nullable(), overwrite: z.boolean().default(false) })
      .strict(),
    response: PreferencesSaveOutcome,
  },
  'preferences.compare': {
    request: z.object({ targets: z.array(z.object(Where).strict()).min(2).max(8) }).strict(),
    response: z.object({ columns: z.array(PreferencesColumn), differing: z.array(z.string()) }),
  },
  /** The account's KMS keys with their aliases, to pick the session encryption key. */
  'preferences.kmsKeys': { request: z.object(Where).strict(), response: z.object({ keys: z.array(KmsKeyChoice) }) },
  /** Session documents: AWS-owned and the account's own. */
  'documents.list': { request: z.object(Where).strict(), response: z.object({ documents: z.array(DocumentSummary) }) },
  'documents.get': { request: z.object({ ...Where, name: z.string().min(1).max(200) }).strict(), response: DocumentDetail },
  /** Create an own Session document (baseVersion null) or add a version and make it the default. */
  'documents.save': {
    request: z.object({ ...Where, name: DocumentName, content: z.string().min(2).max(64 * 1024), baseVersion: Version }).strict(),
    response: DocumentDetail,
  },
  'documents.delete': { request: z.object({ ...Where, name: DocumentName }).strict(), response: z.object({}) },
  /** Sessions of the account (DescribeSessions Active or History, every page up to `limit`). */
  'audit.sessions': {
    request: AuditQuery.extend({ limit: z.number().int().min(1).max(5000).default(1000) }).strict(),
    response: z.object({ sessions: z.array(AuditSession), truncated: z.boolean() }),
  },
  'audit.terminate': { request: z.object({ ...Where, sessionId: z.string().min(1).max(96) }).strict(), response: z.object({}) },
  /** The same list as CSV or JSON text; the renderer saves it. */
  'audit.export': {
    request: AuditQuery.extend({ format: ExportFormat }).strict(),
    response: z.object({ filename: z.string(), mimeType: z.string(), text: z.string(), count: z.number().int() }),
  },
  /** Local recordings (asciicast v2 files under <dataDir>/recordings). */
  'recordings.list': { request: z.object({}).strict(), response: z.object({ recordings: z.array(RecordingSummary) }) },
  'recordings.read': { request: z.object({ id: RecordingId }).strict(), response: Recording },
  /** Why a session on this node would fail, before starting it. */
  'preflight.run': {
    request: z
      .object({
        ...Where,
        target: z.string().regex(/^(i|mi)-[0-9a-f]{8,17}$/, 'a managed node id such as i-0123456789abcdef0'),
        documentName: z.string().min(1).max(200).optional(),
      })
      .strict(),
    response: z.object({ checks: z.array(PreflightCheck), status: CheckStatus }),
  },
} as const satisfies Record<string, { request: z.ZodType; response: z.ZodType }>;

export const documentsEvents = {} as const satisfies Record<string, z.ZodType>;
