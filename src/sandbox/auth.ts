// SigV4 verification: recompute the signature of the incoming request with
// @smithy/signature-v4 and compare. Long-term keys are the sandbox's own; temporary
// keys come from STS AssumeRole / GetSessionToken and stop working when they expire.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { authError, type ServiceName } from './errors';

interface Principal {
  arn: string;
  userId: string;
  accountId: string;
  /** MFA was presented when these credentials were issued. */
  mfa: boolean;
}

export interface CredentialRecord {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Wall-clock ms; undefined for long-term keys. */
  expiresAt?: number;
  principal: Principal;
}

export interface AuthContext {
  service: ServiceName;
  region: string;
  credential: CredentialRecord;
}

const KNOWN_SERVICES = new Set<ServiceName>(['ssm', 'kms', 'ec2', 'sts', 'ecs']);
const MAX_SKEW_MS = 15 * 60_000;

function randomId(prefix: string, len: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let s = prefix;
  for (const b of randomBytes(len)) s += alphabet[b % 32];
  return s;
}

export function newAccessKeyId(temporary: boolean): string {
  return randomId(temporary ? 'ASIA' : 'AKIA', 16);
}

export function newSecret(): string {
  return randomBytes(30).toString('base64').replace(/[+/=]/g, 'x');
}

export class CredentialStore {
  private readonly byKey = new Map<string, CredentialRecord>();

  add(rec: CredentialRecord): void {
    this.byKey.set(rec.accessKeyId, rec);
  }

  get(accessKeyId: string): CredentialRecord | undefined {
    return this.byKey.get(accessKeyId);
  }

  /** Forget expired temporary keys (they still answer ExpiredToken for a while, like AWS). */
  prune(now: number, graceMs = 3_600_000): void {
    for (const [k, v] of this.byKey) if (v.expiresAt !== undefined && v.expiresAt + graceMs < now) this.byKey.delete(k);
  }
}

interface ParsedAuth {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(header: string | undefined): ParsedAuth | undefined {
  if (!header) return undefined;
  const m = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/.exec(header);
  if (!m) return undefined;
  return { accessKeyId: m[1], date: m[2], region: m[3], service: m[4], signedHeaders: m[5].split(';'), signature: m[6] };
}

/** Signing service from the credential scope, before verification (decides error shapes). */
export function scopeService(req: IncomingMessage): string | undefined {
  return parseAuthorization(req.headers.authorization)?.service;
}

function parseAmzDate(s: string | undefined): Date | undefined {
  const m = s && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

/**
 * Verifies the request's SigV4 signature. `expectedService` is what the request is
 * addressed to (from X-Amz-Target, or the scope for query APIs).
 */
export async function verifyRequest(
  req: IncomingMessage,
  body: Buffer,
  expectedService: ServiceName,
  store: CredentialStore,
  now = Date.now(),
): Promise<AuthContext> {
  const auth = parseAuthorization(req.headers.authorization);
  if (!auth) {
    if (req.headers.authorization) throw authError(expectedService, 'bad-signature', 'Authorization header requires \'Credential\', \'Signature\' and \'SignedHeaders\' parameters (AWS4-HMAC-SHA256 only).');
    throw authError(expectedService, 'missing');
  }
  if (!KNOWN_SERVICES.has(auth.service as ServiceName) || auth.service !== expectedService) {
    throw authError(expectedService, 'bad-signature', `Credential should be scoped to correct service: '${expectedService}'.`);
  }
  const cred = store.get(auth.accessKeyId);
  if (!cred) throw authError(expectedService, 'unknown-key');

  const headers = req.headers;
  const token = typeof headers['x-amz-security-token'] === 'string' ? headers['x-amz-security-token'] : undefined;
  if (cred.sessionToken !== undefined) {
    if (token !== cred.sessionToken) throw authError(expectedService, 'unknown-key');
    if (cred.expiresAt !== undefined && now >= cred.expiresAt) throw authError(expectedService, 'expired');
  } else if (token !== undefined) {
    throw authError(expectedService, 'unknown-key');
  }

  const signingDate = parseAmzDate(typeof headers['x-amz-date'] === 'string' ? headers['x-amz-date'] : undefined);
  if (!signingDate || !auth.signedHeaders.includes('x-amz-date')) {
    throw authError(expectedService, 'bad-signature', 'Authorization header requires existence of either a \'X-Amz-Date\' or a \'Date\' header.');
  }
  if (!auth.signedHeaders.includes('host')) throw authError(expectedService, 'bad-signature', "'Host' must be a signed header.");
  if (Math.abs(now - signingDate.getTime()) > MAX_SKEW_MS) {
    const fmt = (d: Date) => d.toISOString().replace(/[-:]|\.\d{3}/g, '');
    throw authError(expectedService, 'skew', `Signature expired: ${fmt(signingDate)} is now earlier than ${fmt(new Date(now - MAX_SKEW_MS))} (${fmt(new Date(now))} - 15 min.)`);
  }

  // A client-supplied payload hash is trusted by the signer, so it must be the body's.
  const claimed = headers['x-amz-content-sha256'];
  if (claimed !== undefined && claimed !== createHash('sha256').update(body).digest('hex')) {
    throw authError(expectedService, 'bad-signature', 'The provided x-amz-content-sha256 header does not match what was computed.');
  }

  // Rebuild the request exactly as signed: only the signed headers, the raw path and query.
  const url = new URL(req.url ?? '/', 'http://localhost');
  const signedHeaderValues: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const v = headers[name];
    if (v === undefined) throw authError(expectedService, 'bad-signature');
    signedHeaderValues[name] = Array.isArray(v) ? v.join(',') : v;
  }
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const request = new HttpRequest({
    method: req.method ?? 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: decodeURIComponent(url.pathname),
    query,
    headers: signedHeaderValues,
    body,
  });
  const signer = new SignatureV4({
    service: auth.service,
    region: auth.region,
    sha256: Sha256,
    applyChecksum: false,
    credentials: {
      accessKeyId: cred.accessKeyId,
      secretAccessKey: cred.secretAccessKey,
      // Only sign the token if the client did (smithy adds and signs it when present).
      ...(token !== undefined && auth.signedHeaders.includes('x-amz-security-token') ? { sessionToken: token } : {}),
    },
  });
  const signed = await signer.sign(request, {
    signingDate,
    signingRegion: auth.region,
    signingService: auth.service,
    signableHeaders: new Set(auth.signedHeaders),
  });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? signed.headers.Authorization))?.[1] ?? '';
  if (expected.length !== 64 || !timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature))) {
    throw authError(expectedService, 'bad-signature');
  }
  return { service: auth.service as ServiceName, region: auth.region, credential: cred };
}

