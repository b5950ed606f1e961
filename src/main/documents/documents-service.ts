// The Session document catalogue of a profile and region: AWS-owned and the account's
// own (ListDocuments, DocumentType=Session, every page), a document's content and
// parameters, and creating or editing the account's own documents.
import {
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeDocumentCommand,
  GetDocumentCommand,
  paginateListDocuments,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { HatchError } from '../../shared/contract';
import { parametersOf, sessionDocumentProblem, type DocumentDetail, type DocumentSummary } from '../../shared/domain/documents';
import { describeAwsError } from '../sessions/aws-errors';
import { awsErrorMessage, awsErrorName, isAccessDenied, missingPermission, toMs } from './aws-access';

interface DocumentsAws {
  ssm(profile: string, region: string): Promise<SSMClient>;
  sts(profile: string, region: string): Promise<STSClient>;
}

const PORT_FORWARD: Record<string, 'local' | 'remote-host'> = {
  'AWS-StartPortForwardingSession': 'local',
  'AWS-StartPortForwardingSessionToRemoteHost': 'remote-host',
};

export class DocumentsService {
  private readonly accounts = new Map<string, Promise<string | null>>();

  constructor(private readonly aws: DocumentsAws) {}

  async list(profile: string, region: string): Promise<DocumentSummary[]> {
    const account = await this.account(profile, region);
    return this.run(profile, region, 'ssm:ListDocuments', async (ssm) => {
      const out: DocumentSummary[] = [];
      for await (const page of paginateListDocuments({ client: ssm, pageSize: 50 }, { Filters: [{ Key: 'DocumentType', Values: ['Session'] }] })) {
        for (const d of page.DocumentIdentifiers ?? []) {
          if (!d.Name) continue;
          out.push({
            name: d.Name,
            owner: d.Owner ?? '',
            own: isOwn(d.Owner, account),
            documentVersion: d.DocumentVersion ?? null,
            versionName: d.VersionName ?? null,
            createdAt: toMs(d.CreatedDate),
          });
        }
      }
      return out.sort((a, b) => Number(b.own) - Number(a.own) || a.name.localeCompare(b.name));
    });
  }

  async get(profile: string, region: string, name: string): Promise<DocumentDetail> {
    const account = await this.account(profile, region);
    return this.run(profile, region, 'ssm:DescribeDocument', async (ssm) => {
      const { Document: d } = await ssm.send(new DescribeDocumentCommand({ Name: name }));
      const doc = await ssm.send(new GetDocumentCommand({ Name: name, DocumentFormat: 'JSON' }));
      if (doc.DocumentType && doc.DocumentType !== 'Session') throw new HatchError('BadRequest', `${name} is a ${doc.DocumentType} document, not a Session document.`);
      const content = doc.Content ?? '';
      let parsed: unknown = {};
      try {
        parsed = JSON.parse(content);
      } catch {
        // YAML or broken: shown as text, no parameters
      }
      const p = parsed as { sessionType?: unknown; description?: unknown };
      return {
        name,
        owner: d?.Owner ?? '',
        own: isOwn(d?.Owner, account),
        documentVersion: doc.DocumentVersion ?? null,
        versionName: doc.VersionName ?? null,
        createdAt: toMs(doc.CreatedDate),
        sessionType: typeof p.sessionType === 'string' ? p.sessionType : null,
        description: typeof p.description === 'string' ? p.description : (d?.Description ?? null),
        parameters: parametersOf(parsed),
        content,
        latestVersion: d?.LatestVersion ?? null,
        defaultVersion: d?.DefaultVersion ?? null,
        portForward: PORT_FORWARD[name] ?? null,
      };
    });
  }

  /** Create (baseVersion null) or add a version based on `baseVersion`, then make it the default. */
  async save(profile: string, region: string, name: string, content: string, baseVersion: string | null): Promise<DocumentDetail> {
    const problem = sessionDocumentProblem(content);
    if (problem) throw new HatchError('BadRequest', `The document is not valid: ${problem}`, 'Fix it in the editor and save again.');
    await this.run(profile, region, baseVersion === null ? 'ssm:CreateDocument' : 'ssm:UpdateDocument', async (ssm) => {
      if (baseVersion === null) {
        try {
          await ssm.send(new CreateDocumentCommand({ Name: name, DocumentType: 'Session', DocumentFormat: 'JSON', Content: content }));
        } catch (error) {
          if (awsErrorName(error) === 'DocumentAlreadyExists') throw new HatchError('AwsError', `A document named ${name} already exists.`, 'Pick another name, or open that document to edit it.', 'DocumentAlreadyExists');
          throw error;
        }
        return;
      }
      let version: string | undefined;
      try {
        const out = await ssm.send(new UpdateDocumentCommand({ Name: name, Content: content, DocumentVersion: baseVersion, DocumentFormat: 'JSON' }));
        version = out.DocumentDescription?.DocumentVersion;
      } catch (error) {
        const code = awsErrorName(error);
        if (code === 'InvalidDocumentVersion') {
          throw new HatchError('AwsError', `${name} changed since you opened it (it is no longer at version ${baseVersion}).`, 'Reload the document, then apply your edit again.', code);
        }
        if (code === 'DuplicateDocumentContent') throw new HatchError('AwsError', 'This content is the same as an existing version of the document.', 'Change something, or keep the current version.', code);
        throw error;
      }
      if (version) await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: name, DocumentVersion: version }));
    });
    return this.get(profile, region, name);
  }

  async remove(profile: string, region: string, name: string): Promise<void> {
    await this.run(profile, region, 'ssm:DeleteDocument', (ssm) => ssm.send(new DeleteDocumentCommand({ Name: name })));
  }

  /** The caller's account id, to tell the account's own documents from shared ones. */
  private account(profile: string, region: string): Promise<string | null> {
    let account = this.accounts.get(profile);
    if (!account) {
      account = this.aws
        .sts(profile, region)
        .then((sts) => sts.send(new GetCallerIdentityCommand({})))
        .then((id) => id.Account ?? null)
        .catch(() => null);
      this.accounts.set(profile, account);
      void account.then((a) => a === null && this.accounts.delete(profile));
    }
    return account;
  }

  private async run<T>(profile: string, region: string, action: string, fn: (ssm: SSMClient) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.aws.ssm(profile, region));
    } catch (error) {
      if (error instanceof HatchError) throw error;
      if (isAccessDenied(error)) {
        const denied = missingPermission(error, action);
        throw new HatchError('AwsError', `${denied.action} is not allowed for this profile.`, `Ask for ${denied.action}.`, 'AccessDeniedException');
      }
      const code = awsErrorName(error);
      if (code === 'InvalidDocumentContent') throw new HatchError('AwsError', `AWS refused the document: ${awsErrorMessage(error)}`, 'Fix it in the editor and save again.', code);
      if (code === 'InvalidDocumentOperation') throw new HatchError('AwsError', awsErrorMessage(error), null, code);
      if (code === 'InvalidDocument') throw new HatchError('NotFound', awsErrorMessage(error), 'Refresh the document list.', code);
      throw describeAwsError(error, { profile, region });
    }
  }
}

function isOwn(owner: string | undefined, account: string | null): boolean {
  if (!owner || owner === 'Amazon') return false;
  return account === null ? true : owner === account;
}
