// Handlers of the documents/ and audit/ contract entries (src/shared/contract-documents.ts):
// a mapping onto services HatchHost builds (it is the one composition root).
import type { documentsCalls } from '../../shared/contract-documents';
import type { Handlers } from '../handlers';
import type { AuditService } from '../audit/audit-service';
import type { Recordings } from '../audit/recordings';
import type { DocumentsService } from './documents-service';
import type { PreferencesService } from './preferences-service';
import { runPreflight, type PreflightDeps } from './preflight';

interface DocumentsServices {
  preferences: PreferencesService;
  documents: DocumentsService;
  recordings: Recordings;
  audit: AuditService;
  /** What preflight checks reach: SSM, KMS and the plugin's lookup. */
  preflight: PreflightDeps;
}

export function documentsHandlers({ preferences, documents, recordings, audit, preflight }: DocumentsServices): Pick<Handlers, keyof typeof documentsCalls> {
  return {
    'preferences.get': ({ profile, region }) => preferences.get(profile, region),
    'preferences.save': (request) => preferences.save(request),
    'preferences.compare': ({ targets }) => preferences.compare(targets),
    'preferences.kmsKeys': async ({ profile, region }) => ({ keys: await preferences.kmsKeys(profile, region) }),
    'documents.list': async ({ profile, region }) => ({ documents: await documents.list(profile, region) }),
    'documents.get': ({ profile, region, name }) => documents.get(profile, region, name),
    'documents.save': ({ profile, region, name, content, baseVersion }) => documents.save(profile, region, name, content, baseVersion),
    'documents.delete': async ({ profile, region, name }) => {
      await documents.remove(profile, region, name);
      return {};
    },
    'audit.sessions': (query) => audit.sessions(query),
    'audit.terminate': async ({ profile, region, sessionId }) => {
      await audit.terminate(profile, region, sessionId);
      return {};
    },
    'audit.export': (query) => audit.export(query),
    'recordings.list': async () => ({ recordings: await recordings.list() }),
    'recordings.read': ({ id }) => recordings.read(id),
    'preflight.run': (request) => runPreflight(preflight, request),
  };
}
