// Session-document validation and parameter handling.
import { describe, expect, it } from 'vitest';
import { awsSessionDocuments, resolveParameters, substitute, validateSessionDocument, type SessionDocument } from '../../../src/sandbox/documents';

const shell = { schemaVersion: '1.0', description: 'd', sessionType: 'Standard_Stream' };

describe('Session documents', () => {
  it('accepts the AWS-owned documents and a full preferences document', () => {
    const docs = awsSessionDocuments();
    expect(docs.map((d) => d.name).sort()).toEqual([
      'AWS-StartInteractiveCommand',
      'AWS-StartNonInteractiveCommand',
      'AWS-StartPortForwardingSession',
      'AWS-StartPortForwardingSessionToRemoteHost',
      'AWS-StartSSHSession',
    ]);
    for (const d of docs) expect(() => validateSessionDocument(d.versions[0].parsed)).not.toThrow();
    const prefs = {
      ...shell,
      inputs: {
        s3BucketName: 'b',
        s3KeyPrefix: 'p',
        s3EncryptionEnabled: true,
        cloudWatchLogGroupName: 'g',
        cloudWatchEncryptionEnabled: true,
        cloudWatchStreamingEnabled: false,
        kmsKeyId: 'alias/hatch-sessions',
        runAsEnabled: true,
        runAsDefaultUser: 'ec2-user',
        idleSessionTimeout: '60',
        maxSessionDuration: 1440,
        shellProfile: { linux: 'exec bash', windows: '' },
      },
    };
    expect(() => validateSessionDocument(prefs)).not.toThrow();
  });

  it.each([
    [{ ...shell, schemaVersion: '2.2' }, 'schemaVersion'],
    [{ ...shell, sessionType: 'Standard' }, 'sessionType'],
    [{ ...shell, extra: 1 }, 'Unknown field extra'],
    [{ ...shell, inputs: { idleSessionTimeout: '0' } }, 'inputs.idleSessionTimeout'],
    [{ ...shell, inputs: { idleSessionTimeout: 61 } }, 'inputs.idleSessionTimeout'],
    [{ ...shell, inputs: { maxSessionDuration: '1441' } }, 'inputs.maxSessionDuration'],
    [{ ...shell, inputs: { runAsEnabled: 'yes' } }, 'inputs.runAsEnabled'],
    [{ ...shell, inputs: { s3EncryptionEnabled: 'true' } }, 'inputs.s3EncryptionEnabled'],
    [{ ...shell, inputs: { kmsKeyId: 5 } }, 'inputs.kmsKeyId'],
    [{ ...shell, inputs: { shellProfile: 'bash' } }, 'inputs.shellProfile'],
    [{ ...shell, inputs: { idleTimeout: '5' } }, 'inputs.idleTimeout'],
    [{ ...shell, parameters: { p: { type: 'Str' } } }, 'parameters.p.type'],
    [{ ...shell, parameters: { p: { type: 'String', allowedPattern: '(' } } }, 'parameters.p.allowedPattern'],
    [{ ...shell, sessionType: 'Port' }, 'properties'],
    [{ ...shell, sessionType: 'Port', properties: { type: 'LocalPortForwarding' } }, 'properties.portNumber'],
    [{ ...shell, sessionType: 'InteractiveCommands', properties: { linux: {} } }, 'properties.linux.commands'],
    [{ ...shell, sessionType: 'NonInteractiveCommands', properties: { linux: { commands: 'ls', runAsElevated: 'no' } } }, 'properties.linux.runAsElevated'],
  ])('names the bad field (%#)', (content, field) => {
    let message = '';
    try {
      validateSessionDocument(content);
    } catch (e) {
      expect((e as Error).name).toBe('InvalidDocumentContent');
      message = (e as Error).message;
    }
    expect(message).toContain(field);
  });

  it('resolves parameters with defaults, patterns and allowed values', () => {
    const port = awsSessionDocuments().find((d) => d.name === 'AWS-StartPortForwardingSessionToRemoteHost')!.versions[0].parsed as unknown as SessionDocument;
    expect(() => resolveParameters(port, {})).toThrow(/"host" is required/);
    const p = resolveParameters(port, { host: ['db.internal'], portNumber: ['5432'] });
    expect(p).toEqual({ host: ['db.internal'], portNumber: ['5432'], localPortNumber: ['0'] });
    expect(substitute(port.properties, p, port.parameters!)).toEqual({ portNumber: '5432', type: 'LocalPortForwarding', localPortNumber: '0', host: 'db.internal' });
    expect(() => resolveParameters(port, { host: ['h'], portNumber: ['70000'] })).toThrow(/portNumber/);
    expect(() => resolveParameters(port, { host: ['h'], bogus: ['1'] })).toThrow(/"bogus" is not defined/);
    expect(() => resolveParameters(port, { host: ['a', 'b'] })).toThrow(/exactly one value/);
  });

  it('substitutes a StringList placeholder as a list', () => {
    const defs = { cmds: { type: 'StringList' }, who: { type: 'String' } };
    expect(substitute({ linux: { commands: '{{ cmds }}', greet: 'hi {{who}}!' } }, { cmds: ['a', 'b'], who: ['bo'] }, defs)).toEqual({ linux: { commands: ['a', 'b'], greet: 'hi bo!' } });
  });
});
