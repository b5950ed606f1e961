// PreferencesService with a fake SSM client: denials turn the view read-only and name the
// IAM action; conflicts are reported, not overwritten.
import { describe, expect, it } from 'vitest';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { KMSClient } from '@aws-sdk/client-kms';
import { PreferencesService } from '../../../src/main/documents/preferences-service';
import { missingPermission } from '../../../src/main/documents/aws-access';
import { defaultPreferences, documentFromPreferences, renderDocument } from '../../../src/shared/domain/preferences';

function awsError(name: string, message: string) {
  return Object.assign(new Error(message), { name });
}

function fakeSsm(handlers: Record<string, (input: Record<string, unknown>) => unknown>) {
  const calls: string[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      calls.push(name);
      const handler = handlers[name];
      if (!handler) throw new Error(`unexpected ${name}`);
      return handler(command.input);
    },
  };
  return { client: client as unknown as SSMClient, calls };
}

const service = (ssm: SSMClient) => new PreferencesService({ ssm: async () => ssm, kms: async () => ({}) as KMSClient });
const content = renderDocument(documentFromPreferences(defaultPreferences()));

describe('PreferencesService', () => {
  it('names the missing IAM action from AWS’s message', () => {
    expect(missingPermission(awsError('AccessDeniedException', 'User: arn:aws:iam::1:user/x is not authorized to perform: ssm:UpdateDocument on resource: arn'), 'ssm:X').action).toBe(
      'ssm:UpdateDocument',
    );
    expect(missingPermission(awsError('AccessDeniedException', 'denied'), 'ssm:GetDocument').action).toBe('ssm:GetDocument');
  });

  it('is read-only when the document cannot be read', async () => {
    const { client } = fakeSsm({
      GetDocument: () => {
        throw awsError('AccessDeniedException', 'User: u is not authorized to perform: ssm:GetDocument on resource: d');
      },
    });
    const state = await service(client).get('p', 'us-east-1');
    expect(state.readable).toBe(false);
    expect(state.denied?.action).toBe('ssm:GetDocument');
    const out = await service(client).save({ profile: 'p', region: 'us-east-1', preferences: defaultPreferences(), baseVersion: null, baseHash: null, overwrite: false });
    expect(out).toMatchObject({ outcome: 'denied', denied: { action: 'ssm:GetDocument' } });
  });

  it('reports a denied save with the action, without touching the default version', async () => {
    const { client, calls } = fakeSsm({
      GetDocument: () => ({ Content: content, DocumentVersion: '3' }),
      UpdateDocument: () => {
        throw awsError('AccessDeniedException', 'User: u is not authorized to perform: ssm:UpdateDocument on resource: d because no identity-based policy allows it');
      },
    });
    const s = service(client);
    const state = await s.get('p', 'us-east-1');
    const out = await s.save({ profile: 'p', region: 'us-east-1', preferences: { ...defaultPreferences(), idleSessionTimeout: 5 }, baseVersion: state.version, baseHash: state.hash, overwrite: false });
    expect(out.outcome).toBe('denied');
    if (out.outcome === 'denied') expect(out.denied.message).toContain('ssm:UpdateDocument');
    expect(calls).not.toContain('UpdateDocumentDefaultVersion');
  });

  it('treats AWS refusing the base version as a conflict', async () => {
    let version = '3';
    const { client } = fakeSsm({
      GetDocument: () => ({ Content: content, DocumentVersion: version }),
      UpdateDocument: () => {
        version = '4';
        throw awsError('InvalidDocumentVersion', 'Updates must be based on the latest version');
      },
    });
    const out = await service(client).save({ profile: 'p', region: 'us-east-1', preferences: { ...defaultPreferences(), idleSessionTimeout: 5 }, baseVersion: '3', baseHash: null, overwrite: false });
    expect(out.outcome).toBe('conflict');
    if (out.outcome === 'conflict') expect(out.current.version).toBe('4');
  });
});
