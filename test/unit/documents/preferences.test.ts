// The shared preferences schema, the document conversion, the diff and comparison.
import { describe, expect, it } from 'vitest';
import {
  defaultPreferences,
  differingKeys,
  documentFromPreferences,
  preferenceErrors,
  preferencesFromDocument,
  renderDocument,
  RULES,
  SessionPreferences,
} from '../../../src/shared/domain/preferences';
import { lineDiff } from '../../../src/shared/domain/text-diff';
import { validateSessionDocument } from '../../../src/sandbox/documents';

describe('preferences schema', () => {
  it('accepts AWS’s defaults', () => {
    expect(SessionPreferences.safeParse(defaultPreferences()).success).toBe(true);
  });

  it.each([
    ['idleSessionTimeout', 0, RULES.idleSessionTimeout],
    ['idleSessionTimeout', 61, RULES.idleSessionTimeout],
    ['idleSessionTimeout', 2.5, RULES.idleSessionTimeout],
    ['idleSessionTimeout', Number.NaN, RULES.idleSessionTimeout],
    ['maxSessionDuration', 1441, RULES.maxSessionDuration],
    ['maxSessionDuration', 0, RULES.maxSessionDuration],
    ['kmsKeyId', 'not a key', RULES.kmsKeyId],
    ['runAsDefaultUser', 'two words', RULES.runAsDefaultUser],
    ['runAsDefaultUser', 'x'.repeat(33), RULES.runAsDefaultUser],
    ['s3BucketName', 'Upper', RULES.s3BucketName],
    ['s3BucketName', '192.168.0.1', RULES.s3BucketName],
    ['cloudWatchLogGroupName', 'bad group!', RULES.cloudWatchLogGroupName],
  ] as const)('%s = %s breaks “%s”', (key, value, rule) => {
    expect(preferenceErrors({ ...defaultPreferences(), [key]: value })[key]).toBe(rule);
  });

  it('names the rules that tie fields together', () => {
    expect(preferenceErrors({ ...defaultPreferences(), kmsEncryption: true }).kmsKeyId).toBe(RULES.kmsKeyRequired);
    expect(preferenceErrors({ ...defaultPreferences(), runAsEnabled: true }).runAsDefaultUser).toBe(RULES.runAsRequired);
    expect(preferenceErrors({ ...defaultPreferences(), s3KeyPrefix: 'logs/' }).s3KeyPrefix).toBe(RULES.s3PrefixWithoutBucket);
  });

  it('accepts the KMS key forms AWS takes', () => {
    for (const kmsKeyId of ['alias/hatch', '6f1c9a52-3b7e-4d8a-9c21-5e0f4b7a8d13', 'arn:aws:kms:us-east-1:123456789012:key/6f1c9a52-3b7e-4d8a-9c21-5e0f4b7a8d13', 'arn:aws:kms:eu-west-1:123456789012:alias/x']) {
      expect(preferenceErrors({ ...defaultPreferences(), kmsEncryption: true, kmsKeyId })).toEqual({});
    }
  });
});

describe('preferences document', () => {
  const full: SessionPreferences = {
    ...defaultPreferences(),
    idleSessionTimeout: 9,
    maxSessionDuration: 120,
    kmsEncryption: true,
    kmsKeyId: 'alias/k',
    runAsEnabled: true,
    runAsDefaultUser: 'ops',
    s3BucketName: 'b-1',
    shellProfileLinux: 'exec bash',
  };

  it('round-trips through the document, and AWS’s validator accepts it', () => {
    const doc = documentFromPreferences(full);
    expect(() => validateSessionDocument(doc)).not.toThrow();
    expect(preferencesFromDocument(JSON.parse(renderDocument(doc)))).toEqual(full);
    expect(() => validateSessionDocument(documentFromPreferences(defaultPreferences()))).not.toThrow();
  });

  it('writes "no maximum" by leaving the field out and KMS off as an empty key', () => {
    const doc = documentFromPreferences({ ...full, maxSessionDuration: null, kmsEncryption: false });
    const inputs = doc.inputs as Record<string, unknown>;
    expect('maxSessionDuration' in inputs).toBe(false);
    expect(inputs.kmsKeyId).toBe('');
  });

  it('keeps what the form does not manage', () => {
    const base = { schemaVersion: '1.0', description: 'ours', sessionType: 'Standard_Stream', inputs: { maxSessionDuration: '30', futureSetting: 'x' } };
    const doc = documentFromPreferences({ ...defaultPreferences(), maxSessionDuration: null }, base);
    expect(doc.description).toBe('ours');
    expect((doc.inputs as Record<string, unknown>).futureSetting).toBe('x');
    expect('maxSessionDuration' in (doc.inputs as object)).toBe(false);
  });

  it('reads what AWS stored leniently (AWS’s own default document has empty strings)', () => {
    const p = preferencesFromDocument({ inputs: { idleSessionTimeout: '', maxSessionDuration: '', kmsKeyId: '', runAsEnabled: 'true', s3EncryptionEnabled: false } });
    expect(p.idleSessionTimeout).toBe(20);
    expect(p.maxSessionDuration).toBeNull();
    expect(p.runAsEnabled).toBe(true);
    expect(p.s3EncryptionEnabled).toBe(false);
  });

  it('compares preferences and names the keys that differ', () => {
    expect(differingKeys([defaultPreferences(), { ...defaultPreferences(), idleSessionTimeout: 5, s3BucketName: 'abc' }, null])).toEqual(['idleSessionTimeout', 's3BucketName']);
    expect(differingKeys([defaultPreferences(), null])).toEqual([]);
  });
});

describe('line diff', () => {
  it('marks removed and added lines in order', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc\nd')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'del', text: 'b' },
      { kind: 'add', text: 'B' },
      { kind: 'same', text: 'c' },
      { kind: 'add', text: 'd' },
    ]);
    expect(lineDiff('', 'x')).toEqual([{ kind: 'add', text: 'x' }]);
  });
});
