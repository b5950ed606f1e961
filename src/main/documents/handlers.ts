// Handlers of the documents/ and audit/ contract entries (src/shared/contract-documents.ts).
import type { documentsCalls } from '../../shared/contract-documents';
import type { EventName, EventPayload } from '../../shared/contract';
import type { AwsClientFactory, CredentialService, ProfileService } from '../aws';
import type { Handlers } from '../host';

export interface DocumentsDeps {
  clients: AwsClientFactory;
  credentials: CredentialService;
  profiles: ProfileService;
  /** Hatch's data folder (recordings live in <dataDir>/recordings). */
  dataDir: string;
  emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
}

export function documentsHandlers(_deps: DocumentsDeps): Pick<Handlers, keyof typeof documentsCalls> {
  return {};
}
