// Session documents: the catalogue (AWS-owned and the account's own), their parameters,
// and the checks the JSON editor runs before main sends a document to AWS.
import { z } from 'zod';

export const SESSION_TYPES = ['Standard_Stream', 'InteractiveCommands', 'NonInteractiveCommands', 'Port'] as const;
export const EDITABLE_SESSION_TYPES = ['InteractiveCommands', 'NonInteractiveCommands', 'Port'] as const;
const PARAMETER_TYPES = ['String', 'StringList', 'Integer', 'Boolean', 'StringMap', 'MapList'] as const;

export const DocumentName = z
  .string()
  .regex(/^[a-zA-Z0-9_\-.]{3,128}$/, 'A document name is 3–128 letters, digits, _ - or .')
  .refine((v) => !/^(aws|amazon|amzn)/i.test(v), 'Document names can’t start with aws, amazon or amzn (reserved for AWS).');

const DocParameter = z.object({
  name: z.string(),
  type: z.string(),
  description: z.string().nullable(),
  /** Default values as strings (a StringList default is several). null: required. */
  defaults: z.array(z.string()).nullable(),
  allowedValues: z.array(z.string()).nullable(),
  allowedPattern: z.string().nullable(),
});
type DocParameter = z.infer<typeof DocParameter>;

export const DocumentSummary = z.object({
  name: z.string(),
  owner: z.string(),
  /** The account owns it (it can be edited). */
  own: z.boolean(),
  documentVersion: z.string().nullable(),
  versionName: z.string().nullable(),
  createdAt: z.number().nullable(),
});
export type DocumentSummary = z.infer<typeof DocumentSummary>;

/** How a Port document forwards, when it is one of AWS's port-forwarding documents. */
const PortForwardKind = z.enum(['local', 'remote-host']).nullable();

export const DocumentDetail = DocumentSummary.extend({
  sessionType: z.string().nullable(),
  description: z.string().nullable(),
  parameters: z.array(DocParameter),
  content: z.string(),
  /** Latest version (what edits are based on); the catalogue runs the default. */
  latestVersion: z.string().nullable(),
  defaultVersion: z.string().nullable(),
  portForward: PortForwardKind,
});
export type DocumentDetail = z.infer<typeof DocumentDetail>;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parameters declared in a document's content, in declaration order. */
export function parametersOf(content: unknown): DocParameter[] {
  const params = isObj(content) && isObj(content.parameters) ? content.parameters : {};
  return Object.entries(params).map(([name, def]) => {
    const d = isObj(def) ? def : {};
    const dflt = d.default;
    return {
      name,
      type: typeof d.type === 'string' ? d.type : 'String',
      description: typeof d.description === 'string' ? d.description : null,
      defaults: dflt === undefined ? null : Array.isArray(dflt) ? dflt.map(String) : [typeof dflt === 'string' ? dflt : JSON.stringify(dflt)],
      allowedValues: Array.isArray(d.allowedValues) ? d.allowedValues.map(String) : null,
      allowedPattern: typeof d.allowedPattern === 'string' ? d.allowedPattern : null,
    };
  });
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
function placeholders(v: unknown, out = new Set<string>()): Set<string> {
  if (typeof v === 'string') for (const m of v.matchAll(PLACEHOLDER)) out.add(m[1]);
  else if (Array.isArray(v)) v.forEach((x) => placeholders(x, out));
  else if (isObj(v)) Object.values(v).forEach((x) => placeholders(x, out));
  return out;
}

/**
 * Checks an own Session document's JSON the way AWS does (the rules that matter for
 * InteractiveCommands, NonInteractiveCommands and Port). Returns the first problem, or null.
 */
export function sessionDocumentProblem(text: string): string | null {
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (e) {
    return `Not valid JSON: ${(e as Error).message}`;
  }
  if (!isObj(content)) return 'The document must be a JSON object.';
  const allowed = ['schemaVersion', 'description', 'sessionType', 'inputs', 'parameters', 'properties'];
  const unknown = Object.keys(content).find((k) => !allowed.includes(k));
  if (unknown) return `Unknown field ${unknown}. Allowed top-level fields: ${allowed.join(', ')}.`;
  if (content.schemaVersion !== '1.0') return 'schemaVersion must be "1.0" for Session documents.';
  if (content.description !== undefined && typeof content.description !== 'string') return 'description must be a string.';
  if (!(EDITABLE_SESSION_TYPES as readonly unknown[]).includes(content.sessionType)) return `sessionType must be one of ${EDITABLE_SESSION_TYPES.join(', ')}.`;
  const params = content.parameters;
  if (params !== undefined) {
    if (!isObj(params)) return 'parameters must be an object.';
    for (const [name, def] of Object.entries(params)) {
      if (!/^[A-Za-z0-9_]+$/.test(name)) return `Parameter name ${name} may only use letters, digits and underscores.`;
      if (!isObj(def)) return `parameters.${name} must be an object.`;
      if (!(PARAMETER_TYPES as readonly unknown[]).includes(def.type)) return `parameters.${name}.type must be one of ${PARAMETER_TYPES.join(', ')}.`;
      if (def.allowedPattern !== undefined) {
        if (typeof def.allowedPattern !== 'string') return `parameters.${name}.allowedPattern must be a string.`;
        try {
          new RegExp(def.allowedPattern);
        } catch {
          return `parameters.${name}.allowedPattern is not a valid regular expression.`;
        }
      }
      if (def.allowedValues !== undefined && (!Array.isArray(def.allowedValues) || def.allowedValues.some((v) => typeof v !== 'string'))) {
        return `parameters.${name}.allowedValues must be a list of strings.`;
      }
    }
  }
  const props = content.properties;
  if (content.sessionType === 'Port') {
    if (!isObj(props)) return 'properties is required for a Port document and must be an object.';
    if (props.portNumber === undefined) return 'properties.portNumber is required for a Port document.';
  } else {
    if (!isObj(props)) return `properties is required for ${String(content.sessionType)} and must be an object.`;
    const oses = ['linux', 'windows', 'macos'].filter((os) => props[os] !== undefined);
    if (oses.length === 0) return 'properties must define commands for at least one of linux, windows, macos.';
    for (const os of oses) {
      const p = props[os];
      if (!isObj(p) || (typeof p.commands !== 'string' && !Array.isArray(p.commands))) return `properties.${os}.commands is required (a string or a list of strings).`;
    }
  }
  for (const name of placeholders(props)) {
    if (!isObj(params) || !(name in params)) return `properties uses {{ ${name} }}, which is not declared under parameters.`;
  }
  return null;
}

/** Problems with the values a user typed for a document's parameters, by parameter name. */
export function parameterValueProblems(params: DocParameter[], values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of params) {
    const raw = values[p.name] ?? '';
    if (raw === '') {
      if (p.defaults === null) out[p.name] = `${p.name} is required.`;
      continue;
    }
    const list = p.type === 'StringList' ? raw.split(',').map((s) => s.trim()) : [raw];
    for (const v of list) {
      if (p.type === 'Integer' && !/^-?\d+$/.test(v)) out[p.name] = `${p.name} must be a whole number.`;
      else if (p.type === 'Boolean' && v !== 'true' && v !== 'false') out[p.name] = `${p.name} must be true or false.`;
      else if (p.allowedValues && !p.allowedValues.includes(v)) out[p.name] = `${p.name} must be one of: ${p.allowedValues.join(', ')}.`;
      else if (p.allowedPattern && !new RegExp(p.allowedPattern).test(v)) out[p.name] = `${p.name} must match ${p.allowedPattern}.`;
    }
  }
  return out;
}

/** StartSession Parameters for the values typed (empty ones left to the document's defaults). */
export function parametersForStart(params: DocParameter[], values: Record<string, string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of params) {
    const raw = values[p.name] ?? '';
    if (raw === '') continue;
    out[p.name] = p.type === 'StringList' ? raw.split(',').map((s) => s.trim()) : [raw];
  }
  return out;
}

/** A starting point for a new own document of each editable type. */
export function documentTemplate(type: (typeof EDITABLE_SESSION_TYPES)[number]): string {
  const doc =
    type === 'Port'
      ? {
          schemaVersion: '1.0',
          description: 'Forward a local port to a port on the node',
          sessionType: 'Port',
          parameters: { portNumber: { type: 'String', description: 'Port on the node', allowedPattern: '^[0-9]{1,5}$', default: '8080' } },
          properties: { portNumber: '{{ portNumber }}', type: 'LocalPortForwarding' },
        }
      : {
          schemaVersion: '1.0',
          description: type === 'InteractiveCommands' ? 'Run an interactive command' : 'Run a command and show its output',
          sessionType: type,
          parameters: { logfile: { type: 'String', description: 'Log file to follow', allowedPattern: '^[A-Za-z0-9/._-]+$', default: '/var/log/syslog' } },
          properties: { linux: { commands: 'tail -n 50 {{ logfile }}', runAsElevated: false } },
        };
  return JSON.stringify(doc, null, 2);
}
