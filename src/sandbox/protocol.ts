// Wire formats: AWS JSON 1.1 (SSM, KMS), AWS query (STS) and EC2 query. Only what the
// sandbox answers with; request parsing for query bodies lives here too.
import type { ServerResponse } from 'node:http';
import { ApiError, type Protocol } from './errors';

export type XmlValue = string | number | boolean | Date | null | undefined | XmlValue[] | { [key: string]: XmlValue };

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** Renders children of an element; arrays become <item> (EC2) or <member> (query) lists. */
function toXml(value: XmlValue, listItem: 'item' | 'member'): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<${listItem}>${toXml(v, listItem)}</${listItem}>`).join('');
  if (typeof value === 'object') {
    let out = '';
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out += `<${k}>${toXml(v, listItem)}</${k}>`;
    }
    return out;
  }
  return escapeXml(String(value));
}

/** JSON 1.1 timestamps are epoch seconds; a replacer would be called for every key, so walk once. */
function epochDates(v: unknown): unknown {
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map(epochDates);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k in v) out[k] = epochDates((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export function sendJson(res: ServerResponse, requestId: string, body: unknown): void {
  const text = JSON.stringify(epochDates(body));
  res.writeHead(200, {
    'Content-Type': 'application/x-amz-json-1.1',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': requestId,
  });
  res.end(text);
}

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export function sendQueryResult(res: ServerResponse, requestId: string, action: string, result: XmlValue): void {
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${STS_NS}"><${action}Result>${toXml(result, 'member')}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  sendXml(res, 200, requestId, xml);
}

export function sendEc2Result(res: ServerResponse, requestId: string, action: string, result: XmlValue): void {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NS}"><requestId>${requestId}</requestId>${toXml(result, 'item')}</${action}Response>`;
  sendXml(res, 200, requestId, xml);
}

function sendXml(res: ServerResponse, status: number, requestId: string, xml: string): void {
  res.writeHead(status, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(xml), 'x-amzn-RequestId': requestId });
  res.end(xml);
}

export function sendError(res: ServerResponse, protocol: Protocol, requestId: string, err: ApiError): void {
  if (protocol === 'json') {
    const text = JSON.stringify({ __type: err.code, message: err.message });
    res.writeHead(err.status, {
      'Content-Type': 'application/x-amz-json-1.1',
      'Content-Length': Buffer.byteLength(text),
      'x-amzn-RequestId': requestId,
      'x-amzn-ErrorType': err.code,
    });
    res.end(text);
  } else if (protocol === 'ec2') {
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error></Errors>` +
      `<RequestID>${requestId}</RequestID></Response>`;
    sendXml(res, err.status, requestId, xml);
  } else {
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${STS_NS}"><Error><Type>${err.fault}</Type><Code>${escapeXml(err.code)}</Code>` +
      `<Message>${escapeXml(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    sendXml(res, err.status, requestId, xml);
  }
}

/** Query-protocol parameters: flat "Filter.1.Value.2"-style keys from the form body and URL. */
type QueryParams = Record<string, string>;

export function parseQueryParams(body: string, search: string): QueryParams {
  const out: QueryParams = {};
  for (const src of [search, body]) {
    for (const [k, v] of new URLSearchParams(src)) out[k] = v;
  }
  return out;
}

/** Collects "Prefix.1", "Prefix.2"… (1-based, as the SDKs serialise lists). */
export function queryList(params: QueryParams, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; params[`${prefix}.${i}`] !== undefined; i++) out.push(params[`${prefix}.${i}`]);
  return out;
}

/** "Filter.N.Name" / "Filter.N.Value.M" → [{ name, values }]. */
export function queryFilters(params: QueryParams, prefix = 'Filter'): { name: string; values: string[] }[] {
  const out: { name: string; values: string[] }[] = [];
  for (let i = 1; params[`${prefix}.${i}.Name`] !== undefined; i++) {
    out.push({ name: params[`${prefix}.${i}.Name`], values: queryList(params, `${prefix}.${i}.Value`) });
  }
  return out;
}

/** Opaque paging tokens: base64 of a small JSON state, rejected when tampered with. */
export function encodeToken(state: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(state)).toString('base64');
}

export function decodeToken(token: string | undefined, code = 'InvalidNextToken'): Record<string, unknown> | undefined {
  if (token === undefined || token === '') return undefined;
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ApiError(code, 'The specified token is not valid.', 400);
}

/** Glob used by EC2 filters: * matches any run, ? one character. */
export function globToRegExp(glob: string): RegExp {
  const src = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${src}$`, 's');
}
