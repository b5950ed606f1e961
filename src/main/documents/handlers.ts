// Handlers of the documents/ and audit/ contract entries (src/shared/contract-documents.ts).
import path from 'node:path';
import type { documentsCalls } from '../../shared/contract-documents';
import type { EventName, EventPayload } from '../../shared/contract';
import type { AwsClientFactory, CredentialService, ProfileService } from '../aws';
import type { Handlers } from '../host';
import { AuditService } from '../audit/audit-service';
import { Recordings } from '../audit/recordings';
import { locatePlugin, usualPluginPaths, type PluginInfo } from '../sessions/plugin-locator';
import { DocumentsService } from './documents-service';
import { PreferencesService } from './preferences-service';
import { runPreflight } from './preflight';

export interface DocumentsDeps {
  clients: AwsClientFactory;
  credentials: CredentialService;
  profiles: ProfileService;
  /** Hatch's data folder (recordings live in <dataDir>/recordings). */
  dataDir: string;
  emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  /** How sessions.engines finds the plugin (default: PATH and the usual install places). */
  plugin?: () => Promise<PluginInfo>;
}

export function documentsHandlers(deps: DocumentsDeps): Pick<Handlers, keyof typeof documentsCalls> {
  const { clients } = deps;
  const ssm = (profile: string, region: string) => clients.ssm(profile, region);
  const kms = (profile: string, region: string) => clients.kms(profile, region);
  const preferences = new PreferencesService({ ssm, kms });
  const documents = new DocumentsService({ ssm, sts: (profile, region) => clients.sts(profile, region) });
  const recordings = new Recordings(path.join(deps.dataDir, 'recordings'));
  const audit = new AuditService(ssm, recordings);
  let plugin: Promise<PluginInfo> | null = null;
  const pluginInfo = deps.plugin ?? (() => (plugin ??= locatePlugin(usualPluginPaths())));

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
    'preflight.run': (request) => runPreflight({ ssm, kms, plugin: pluginInfo }, request),
  };
}
