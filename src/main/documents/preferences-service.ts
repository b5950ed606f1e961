// Session Manager preferences of a profile and region: the SSM-SessionManagerRunShell
// document read at its latest version, validated, diffed by the view, and saved as a new
// version made default (created with AWS's defaults the first time). A save based on an
// older version than AWS now holds is a conflict, never a silent overwrite.
import {
  CreateDocumentCommand,
  GetDocumentCommand,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { DescribeKeyCommand, paginateListAliases, paginateListKeys, type KMSClient } from '@aws-sdk/client-kms';
import { HatchError } from '../../shared/contract';
import type { KmsKeyChoice, PreferencesColumn, PreferencesSaveOutcome, PreferencesState } from '../../shared/contract-documents';
import {
  defaultPreferences,
  differingKeys,
  documentFromPreferences,
  PREFERENCES_DOCUMENT,
  preferencesFromDocument,
  renderDocument,
  SessionPreferences,
} from '../../shared/domain/preferences';
import { describeAwsError } from '../sessions/aws-errors';
import { awsErrorName, isAccessDenied, missingPermission, sha256 } from './aws-access';

interface PreferencesAws {
  ssm(profile: string, region: string): Promise<SSMClient>;
  kms(profile: string, region: string): Promise<KMSClient>;
}

interface SaveRequest {
  profile: string;
  region: string;
  preferences: SessionPreferences;
  baseVersion: string | null;
  baseHash: string | null;
  overwrite: boolean;
}

export class PreferencesService {
  constructor(private readonly aws: PreferencesAws) {}

  async get(profile: string, region: string): Promise<PreferencesState> {
    const base: PreferencesState = {
      profile,
      region,
      documentName: PREFERENCES_DOCUMENT,
      exists: false,
      readable: true,
      version: null,
      hash: null,
      content: null,
      preferences: defaultPreferences(),
      denied: null,
    };
    const ssm = await this.ssm(profile, region);
    try {
      const doc = await ssm.send(new GetDocumentCommand({ Name: PREFERENCES_DOCUMENT, DocumentVersion: '$LATEST', DocumentFormat: 'JSON' }));
      const content = doc.Content ?? '';
      let parsed: unknown = {};
      try {
        parsed = JSON.parse(content);
      } catch {
        // a YAML or broken document: show defaults, keep the text for the diff
      }
      return { ...base, exists: true, version: doc.DocumentVersion ?? null, hash: sha256(content), content, preferences: preferencesFromDocument(parsed) };
    } catch (error) {
      if (awsErrorName(error) === 'InvalidDocument') return base;
      if (isAccessDenied(error)) return { ...base, readable: false, denied: missingPermission(error, 'ssm:GetDocument') };
      throw describeAwsError(error, { profile, region });
    }
  }

  async save(request: SaveRequest): Promise<PreferencesSaveOutcome> {
    const { profile, region, overwrite } = request;
    const preferences = SessionPreferences.parse(request.preferences);
    const current = await this.get(profile, region);
    if (!current.readable && current.denied) return { outcome: 'denied', denied: current.denied };
    const changed = current.exists !== (request.baseVersion !== null) || (current.exists && (current.version !== request.baseVersion || (request.baseHash !== null && current.hash !== request.baseHash)));
    if (changed && !overwrite) return { outcome: 'conflict', current };

    let loaded: unknown;
    try {
      loaded = current.content ? JSON.parse(current.content) : undefined;
    } catch {
      loaded = undefined;
    }
    const text = renderDocument(documentFromPreferences(preferences, loaded));
    if (current.exists && current.content !== null && text === current.content.replace(/\n+$/, '')) return { outcome: 'unchanged', state: current };

    const ssm = await this.ssm(profile, region);
    let calling = 'ssm:CreateDocument';
    try {
      if (!current.exists) {
        try {
          await ssm.send(new CreateDocumentCommand({ Name: PREFERENCES_DOCUMENT, DocumentType: 'Session', DocumentFormat: 'JSON', Content: text }));
        } catch (error) {
          if (awsErrorName(error) === 'DocumentAlreadyExists' && !overwrite) return { outcome: 'conflict', current: await this.get(profile, region) };
          if (awsErrorName(error) !== 'DocumentAlreadyExists') throw error;
          return this.save({ ...request, baseVersion: (await this.get(profile, region)).version, overwrite: true });
        }
        return { outcome: 'saved', created: true, state: await this.get(profile, region) };
      }
      calling = 'ssm:UpdateDocument';
      const version = await this.update(ssm, text, overwrite ? '$LATEST' : (current.version ?? '$LATEST'));
      if (version === 'conflict') return { outcome: 'conflict', current: await this.get(profile, region) };
      calling = 'ssm:UpdateDocumentDefaultVersion';
      await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: PREFERENCES_DOCUMENT, DocumentVersion: version }));
      return { outcome: 'saved', created: false, state: await this.get(profile, region) };
    } catch (error) {
      if (isAccessDenied(error)) return { outcome: 'denied', denied: missingPermission(error, calling) };
      if (awsErrorName(error) === 'InvalidDocumentContent') {
        throw new HatchError('AwsError', `AWS refused the preferences: ${(error as Error).message}`, 'Correct the field it names and save again.', 'InvalidDocumentContent');
      }
      throw describeAwsError(error, { profile, region });
    }
  }

  /** UpdateDocument based on `baseVersion`; a new version's number, or 'conflict'. */
  private async update(ssm: SSMClient, text: string, baseVersion: string): Promise<string | 'conflict'> {
    // AWS refuses content equal to any earlier version (DuplicateDocumentContent), e.g. a
    // setting changed and then changed back. The same JSON with a trailing newline is a
    // distinct content with the same meaning.
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await ssm.send(
          new UpdateDocumentCommand({ Name: PREFERENCES_DOCUMENT, Content: text + '\n'.repeat(attempt), DocumentVersion: baseVersion, DocumentFormat: 'JSON' }),
        );
        const version = out.DocumentDescription?.DocumentVersion;
        if (!version) throw new Error('UpdateDocument returned no version.');
        return version;
      } catch (error) {
        const name = awsErrorName(error);
        if (name === 'InvalidDocumentVersion') return 'conflict';
        if (name !== 'DuplicateDocumentContent' || attempt >= 5) throw error;
      }
    }
  }

  async compare(targets: Array<{ profile: string; region: string }>): Promise<{ columns: PreferencesColumn[]; differing: string[] }> {
    const columns = await Promise.all(
      targets.map(async ({ profile, region }): Promise<PreferencesColumn> => {
        try {
          const state = await this.get(profile, region);
          if (!state.readable) return { profile, region, exists: false, version: null, preferences: null, error: state.denied?.message ?? 'Not readable.' };
          return { profile, region, exists: state.exists, version: state.version, preferences: state.preferences, error: null };
        } catch (error) {
          return { profile, region, exists: false, version: null, preferences: null, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    return { columns, differing: differingKeys(columns.map((c) => c.preferences)) };
  }

  async kmsKeys(profile: string, region: string): Promise<KmsKeyChoice[]> {
    const kms = await this.aws.kms(profile, region).catch((error: unknown) => {
      throw describeAwsError(error, { profile, region });
    });
    try {
      const keys: Array<{ KeyId?: string; KeyArn?: string }> = [];
      for await (const page of paginateListKeys({ client: kms }, {})) keys.push(...(page.Keys ?? []));
      const aliases = new Map<string, string[]>();
      for await (const page of paginateListAliases({ client: kms }, {})) {
        for (const a of page.Aliases ?? []) {
          if (!a.TargetKeyId || !a.AliasName) continue;
          aliases.set(a.TargetKeyId, [...(aliases.get(a.TargetKeyId) ?? []), a.AliasName]);
        }
      }
      const described = await Promise.all(
        keys.slice(0, 100).map((k) =>
          kms.send(new DescribeKeyCommand({ KeyId: k.KeyId })).then(
            (d) => d.KeyMetadata,
            () => undefined,
          ),
        ),
      );
      return keys
        .filter((k) => k.KeyId && k.KeyArn)
        .map((k, i) => {
          const meta = described[i];
          return {
            keyId: k.KeyId!,
            arn: k.KeyArn!,
            aliases: aliases.get(k.KeyId!) ?? [],
            description: meta?.Description || null,
            enabled: meta ? meta.Enabled === true : null,
          };
        })
        // AWS-managed keys (aws/…) cannot encrypt sessions; customer keys first.
        .filter((k) => !k.aliases.some((a) => a.startsWith('alias/aws/')));
    } catch (error) {
      if (isAccessDenied(error)) {
        const denied = missingPermission(error, 'kms:ListKeys');
        throw new HatchError('AwsError', `Can't list KMS keys: ${denied.action} is not allowed.`, 'Type the key ARN or alias instead.', 'AccessDeniedException');
      }
      throw describeAwsError(error, { profile, region });
    }
  }

  private async ssm(profile: string, region: string): Promise<SSMClient> {
    try {
      return await this.aws.ssm(profile, region);
    } catch (error) {
      throw describeAwsError(error, { profile, region });
    }
  }
}
