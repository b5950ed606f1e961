// SSM documents: the AWS-owned Session documents, the account's own documents (with
// versions), and Session-document validation that names the offending field the way
// AWS's InvalidDocumentContent errors do.
import { createHash } from 'node:crypto';
import type { SessionType } from './agent-api';
import { ApiError } from './errors';

export const RUN_SHELL = 'SSM-SessionManagerRunShell';
const SESSION_TYPES: SessionType[] = ['Standard_Stream', 'Port', 'InteractiveCommands', 'NonInteractiveCommands'];
const PARAM_TYPES = ['String', 'StringList', 'Integer', 'Boolean', 'StringMap', 'MapList'];
const PORT_PATTERN = '^([1-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$';
const LOCAL_PORT_PATTERN = '^([0-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$';

interface ParameterDef {
  type: string;
  description?: string;
  default?: unknown;
  allowedValues?: string[];
  allowedPattern?: string;
}

export interface SessionInputs {
  s3BucketName?: string;
  s3KeyPrefix?: string;
  s3EncryptionEnabled?: boolean;
  cloudWatchLogGroupName?: string;
  cloudWatchEncryptionEnabled?: boolean;
  cloudWatchStreamingEnabled?: boolean;
  kmsKeyId?: string;
  runAsEnabled?: boolean;
  runAsDefaultUser?: string;
  idleSessionTimeout?: string | number;
  maxSessionDuration?: string | number;
  shellProfile?: { linux?: string; windows?: string };
}

export interface SessionDocument {
  schemaVersion: '1.0';
  description?: string;
  sessionType: SessionType;
  inputs?: SessionInputs;
  parameters?: Record<string, ParameterDef>;
  properties?: unknown;
}

const invalid = (msg: string) => new ApiError('InvalidDocumentContent', msg, 400);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkInt(field: string, v: unknown, min: number, max: number): void {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(`Invalid value for ${field}: "${String(v)}". It must be an integer from ${min} to ${max}.`);
}

const INPUT_CHECKS: Record<string, (field: string, v: unknown) => void> = {
  s3BucketName: str,
  s3KeyPrefix: str,
  s3EncryptionEnabled: bool,
  cloudWatchLogGroupName: str,
  cloudWatchEncryptionEnabled: bool,
  cloudWatchStreamingEnabled: bool,
  kmsKeyId: str,
  runAsEnabled: bool,
  runAsDefaultUser: (f, v) => {
    str(f, v);
    if ((v as string).length > 32 || /[\s:]/.test(v as string)) throw invalid(`Invalid value for ${f}: "${String(v)}" is not a valid user name.`);
  },
  idleSessionTimeout: (f, v) => checkInt(f, v, 1, 60),
  maxSessionDuration: (f, v) => checkInt(f, v, 1, 1440),
  shellProfile: (f, v) => {
    if (!isObj(v)) throw invalid(`Invalid value for ${f}: expected an object with "linux" and/or "windows".`);
    for (const [k, s] of Object.entries(v)) {
      if (k !== 'linux' && k !== 'windows') throw invalid(`Unknown field ${f}.${k}. Allowed: linux, windows.`);
      str(`${f}.${k}`, s);
    }
  },
};

function str(field: string, v: unknown): void {
  if (typeof v !== 'string') throw invalid(`Invalid value for ${field}: expected a string.`);
}
function bool(field: string, v: unknown): void {
  if (typeof v !== 'boolean') throw invalid(`Invalid value for ${field}: expected true or false.`);
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

function placeholders(v: unknown, out = new Set<string>()): Set<string> {
  if (typeof v === 'string') for (const m of v.matchAll(PLACEHOLDER)) out.add(m[1]);
  else if (Array.isArray(v)) v.forEach((x) => placeholders(x, out));
  else if (isObj(v)) Object.values(v).forEach((x) => placeholders(x, out));
  return out;
}

/** Validates the content of a Session document; returns it typed. */
export function validateSessionDocument(content: unknown): SessionDocument {
  if (!isObj(content)) throw invalid('The document content must be a JSON object.');
  const allowed = ['schemaVersion', 'description', 'sessionType', 'inputs', 'parameters', 'properties'];
  for (const k of Object.keys(content)) if (!allowed.includes(k)) throw invalid(`Unknown field ${k}. Allowed top-level fields: ${allowed.join(', ')}.`);
  if (content.schemaVersion !== '1.0') throw invalid(`Invalid value for schemaVersion: "${String(content.schemaVersion)}". Session documents use schemaVersion "1.0".`);
  if (content.description !== undefined) str('description', content.description);
  if (!SESSION_TYPES.includes(content.sessionType as SessionType)) {
    throw invalid(`Invalid value for sessionType: "${String(content.sessionType)}". Allowed: ${SESSION_TYPES.join(', ')}.`);
  }
  const sessionType = content.sessionType as SessionType;
  if (content.inputs !== undefined) {
    if (!isObj(content.inputs)) throw invalid('Invalid value for inputs: expected an object.');
    for (const [k, v] of Object.entries(content.inputs)) {
      const check = INPUT_CHECKS[k];
      if (!check) throw invalid(`Unknown field inputs.${k}. Allowed: ${Object.keys(INPUT_CHECKS).join(', ')}.`);
      check(`inputs.${k}`, v);
    }
    if (content.inputs.runAsEnabled === true && !content.inputs.runAsDefaultUser) {
      throw invalid('inputs.runAsDefaultUser is required when inputs.runAsEnabled is true.');
    }
  }
  const params = content.parameters;
  if (params !== undefined) {
    if (!isObj(params)) throw invalid('Invalid value for parameters: expected an object.');
    for (const [name, def] of Object.entries(params)) {
      const f = `parameters.${name}`;
      if (!/^[A-Za-z0-9_]+$/.test(name)) throw invalid(`Invalid parameter name ${f}: use letters, digits and underscores.`);
      if (!isObj(def)) throw invalid(`Invalid value for ${f}: expected an object.`);
      if (!PARAM_TYPES.includes(def.type as string)) throw invalid(`Invalid value for ${f}.type: "${String(def.type)}". Allowed: ${PARAM_TYPES.join(', ')}.`);
      const attrs = ['type', 'description', 'default', 'allowedValues', 'allowedPattern', 'displayType', 'minItems', 'maxItems', 'minChars', 'maxChars'];
      for (const k of Object.keys(def)) if (!attrs.includes(k)) throw invalid(`Unknown field ${f}.${k}.`);
      if (def.allowedPattern !== undefined) {
        str(`${f}.allowedPattern`, def.allowedPattern);
        try {
          new RegExp(def.allowedPattern as string);
        } catch {
          throw invalid(`Invalid value for ${f}.allowedPattern: not a valid regular expression.`);
        }
      }
      if (def.allowedValues !== undefined && (!Array.isArray(def.allowedValues) || def.allowedValues.some((x) => typeof x !== 'string'))) {
        throw invalid(`Invalid value for ${f}.allowedValues: expected a list of strings.`);
      }
    }
  }
  const props = content.properties;
  if (sessionType === 'Port') {
    if (!isObj(props)) throw invalid('properties is required for sessionType Port and must be an object.');
    for (const k of ['portNumber', 'localPortNumber', 'host', 'type', 'localUnixSocket', 'localConnectionType']) {
      if (props[k] !== undefined) str(`properties.${k}`, props[k]);
    }
    if (props.portNumber === undefined) throw invalid('properties.portNumber is required for sessionType Port.');
  } else if (sessionType === 'InteractiveCommands' || sessionType === 'NonInteractiveCommands') {
    if (!isObj(props)) throw invalid(`properties is required for sessionType ${sessionType} and must be an object.`);
    const oses = ['linux', 'windows', 'macos'].filter((os) => props[os] !== undefined);
    if (oses.length === 0) throw invalid('properties must define commands for at least one of linux, windows, macos.');
    for (const os of oses) {
      const p = props[os];
      if (!isObj(p) || (typeof p.commands !== 'string' && !Array.isArray(p.commands))) throw invalid(`properties.${os}.commands is required (a string or a list of strings).`);
      if (p.runAsElevated !== undefined) bool(`properties.${os}.runAsElevated`, p.runAsElevated);
    }
  }
  for (const name of placeholders(props)) {
    if (!params || !isObj(params) || !(name in params)) throw invalid(`properties references the parameter {{ ${name} }}, which is not declared under parameters.`);
  }
  return content as unknown as SessionDocument;
}

/** Lighter checks for non-Session documents the app might store (Command etc.). */
export function validateOtherDocument(content: unknown): void {
  if (!isObj(content)) throw invalid('The document content must be a JSON object.');
  if (typeof content.schemaVersion !== 'string') throw invalid('schemaVersion is required.');
}

export interface DocumentVersion {
  documentVersion: string;
  versionName?: string;
  content: string;
  parsed: Record<string, unknown>;
  createdDate: Date;
  hash: string;
}

export interface StoredDocument {
  name: string;
  owner: string; // 'Amazon' or the account id
  documentType: string;
  targetType?: string;
  displayName?: string;
  tags: { Key: string; Value: string }[];
  createdDate: Date;
  versions: DocumentVersion[];
  defaultVersion: string;
}

export function makeVersion(documentVersion: string, content: string, parsed: Record<string, unknown>, versionName?: string): DocumentVersion {
  return { documentVersion, versionName, content, parsed, createdDate: new Date(), hash: createHash('sha256').update(content).digest('hex') };
}

function awsDoc(name: string, content: Record<string, unknown>): StoredDocument {
  const text = JSON.stringify(content, null, 2);
  const created = new Date('2019-08-29T00:00:00Z');
  const v = { ...makeVersion('1', text, content), createdDate: created };
  return { name, owner: 'Amazon', documentType: 'Session', tags: [], createdDate: created, versions: [v], defaultVersion: '1' };
}

const os3 = (commands: string, extra: Record<string, unknown> = {}) =>
  Object.fromEntries(['windows', 'linux', 'macos'].map((os) => [os, { commands, runAsElevated: false, ...extra }]));

/** AWS-owned Session documents (contents as published, spec 2.4). */
export function awsSessionDocuments(): StoredDocument[] {
  return [
    awsDoc('AWS-StartPortForwardingSession', {
      schemaVersion: '1.0',
      description: 'Document to start port forwarding session over Session Manager',
      sessionType: 'Port',
      parameters: {
        portNumber: { type: 'String', description: '(Optional) Port number of the server on the instance', allowedPattern: PORT_PATTERN, default: '80' },
        localPortNumber: {
          type: 'String',
          description: '(Optional) Port number on local machine to forward traffic to. An open port is chosen at run-time if not provided',
          allowedPattern: LOCAL_PORT_PATTERN,
          default: '0',
        },
      },
      properties: { portNumber: '{{ portNumber }}', type: 'LocalPortForwarding', localPortNumber: '{{ localPortNumber }}' },
    }),
    awsDoc('AWS-StartPortForwardingSessionToRemoteHost', {
      schemaVersion: '1.0',
      description: 'Document to start port forwarding session over Session Manager to a remote host',
      sessionType: 'Port',
      parameters: {
        portNumber: { type: 'String', description: '(Optional) Port number of the server on the remote host', allowedPattern: PORT_PATTERN, default: '80' },
        localPortNumber: {
          type: 'String',
          description: '(Optional) Port number on local machine to forward traffic to. An open port is chosen at run-time if not provided',
          allowedPattern: LOCAL_PORT_PATTERN,
          default: '0',
        },
        host: { type: 'String', description: '(Required) The IPv4 address or DNS name of the remote host', allowedPattern: '^[a-zA-Z0-9.:_-]{1,253}$' },
      },
      properties: { portNumber: '{{ portNumber }}', type: 'LocalPortForwarding', localPortNumber: '{{ localPortNumber }}', host: '{{ host }}' },
    }),
    awsDoc('AWS-StartInteractiveCommand', {
      schemaVersion: '1.0',
      description: 'Document to run single interactive command on an instance',
      sessionType: 'InteractiveCommands',
      parameters: { command: { type: 'String', description: 'The command to run on the instance' } },
      properties: os3('{{command}}'),
    }),
    awsDoc('AWS-StartNonInteractiveCommand', {
      schemaVersion: '1.0',
      description: 'Document to run single non-interactive command on an instance',
      sessionType: 'NonInteractiveCommands',
      parameters: { command: { type: 'String', description: 'The command to run on the instance' } },
      properties: os3('{{command}}'),
    }),
    awsDoc('AWS-StartSSHSession', {
      schemaVersion: '1.0',
      description: 'Document to start SSH session over Session Manager',
      sessionType: 'Port',
      parameters: { portNumber: { type: 'String', description: '(Optional) Port number of SSH server on the instance', allowedPattern: PORT_PATTERN, default: '22' } },
      properties: { portNumber: '{{ portNumber }}' },
    }),
  ];
}

/** Resolves StartSession Parameters against a document's declarations (string lists, as on the wire). */
export function resolveParameters(doc: SessionDocument, given: Record<string, string[]> | undefined): Record<string, string[]> {
  const defs = doc.parameters ?? {};
  const out: Record<string, string[]> = {};
  for (const name of Object.keys(given ?? {})) {
    if (!(name in defs)) throw new ApiError('InvalidParameters', `Parameter "${name}" is not defined in the document. Defined: ${Object.keys(defs).join(', ') || 'none'}.`, 400);
  }
  for (const [name, def] of Object.entries(defs)) {
    let values = given?.[name];
    if (values !== undefined && (!Array.isArray(values) || values.some((v) => typeof v !== 'string'))) {
      throw new ApiError('InvalidParameters', `Parameter "${name}" must be a list of strings.`, 400);
    }
    if (values === undefined) {
      if (def.default === undefined) throw new ApiError('InvalidParameters', `Parameter "${name}" is required.`, 400);
      values = Array.isArray(def.default) ? def.default.map(String) : [String(def.default)];
    }
    if (def.type !== 'StringList' && values.length !== 1) throw new ApiError('InvalidParameters', `Parameter "${name}" takes exactly one value.`, 400);
    for (const v of values) {
      if (def.allowedPattern && !new RegExp(def.allowedPattern).test(v)) {
        throw new ApiError('InvalidParameters', `Parameter "${name}" value "${v}" does not match the allowed pattern ${def.allowedPattern}.`, 400);
      }
      if (def.allowedValues && !def.allowedValues.includes(v)) {
        throw new ApiError('InvalidParameters', `Parameter "${name}" value "${v}" is not one of the allowed values: ${def.allowedValues.join(', ')}.`, 400);
      }
    }
    out[name] = values;
  }
  return out;
}

/** Replaces {{ name }} in properties; a whole-string StringList placeholder becomes the list. */
export function substitute(value: unknown, params: Record<string, string[]>, defs: Record<string, ParameterDef>): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([A-Za-z0-9_]+)\s*\}\}$/.exec(value);
    if (whole && defs[whole[1]]?.type === 'StringList') return params[whole[1]] ?? [];
    return value.replace(PLACEHOLDER, (_m, name: string) => (params[name] ?? []).join(','));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, params, defs));
  if (isObj(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, params, defs)]));
  return value;
}
