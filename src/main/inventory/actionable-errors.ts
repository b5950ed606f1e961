// Errors a person can act on. An AWS call can fail in many ways; three of them are about
// the profile rather than the request, and each has a clear next step:
//   endpoint-unreachable  the endpoint's name does not resolve, refuses or times out (VPN off, wrong endpoint_url)
//   credentials-expired   the keys or token have expired (sign in again, new MFA code)
//   access-denied         the identity lacks an IAM permission (ask for it, by name)
// They are told once, in words, where the listing failed — and the profile's dot turns to
// the error state until a call succeeds again (ProfileHealth).
import { HatchError } from '../../shared/contract';

type ProblemKind = 'endpoint-unreachable' | 'credentials-expired' | 'credentials-invalid' | 'access-denied';

const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPROTO', 'CERT_HAS_EXPIRED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT']);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const INVALID = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'IncompleteSignature', 'AuthFailure']);
const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'UnauthorizedException']);

const name = (error: unknown) => (error as { name?: string } | null)?.name ?? '';
const code = (error: unknown) => (error as { code?: string } | null)?.code ?? (error as { cause?: { code?: string } } | null)?.cause?.code ?? '';
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Which of the actionable kinds an error is, if any. */
export function problemKind(error: unknown): ProblemKind | null {
  if (error instanceof HatchError && isProblemKind(error.detail)) return error.detail;
  // A HatchError wrapping an AWS error names it in `detail` (inventory-service's rethrow).
  const n = error instanceof HatchError ? (error.detail ?? '') : name(error);
  const c = code(error);
  const text = message(error);
  if (NETWORK_CODES.has(c) || /\b(getaddrinfo|ENOTFOUND|ECONNREFUSED|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|socket hang up)\b/.test(text) || n === 'TimeoutError') return 'endpoint-unreachable';
  if (EXPIRED.has(n) || /security token included in the request is expired|token has expired|session has expired/i.test(text)) return 'credentials-expired';
  if (INVALID.has(n)) return 'credentials-invalid';
  if (DENIED.has(n) || /\bis not authorized to perform\b/.test(text)) return 'access-denied';
  return null;
}

function isProblemKind(value: unknown): value is ProblemKind {
  return value === 'endpoint-unreachable' || value === 'credentials-expired' || value === 'credentials-invalid' || value === 'access-denied';
}

/** The host an error names (getaddrinfo ENOTFOUND ssm.example.com → ssm.example.com). */
function hostOf(error: unknown): string | null {
  const hostname = (error as { hostname?: string } | null)?.hostname;
  if (hostname) return hostname;
  return /(?:ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT)\s+([^\s:]+)/.exec(message(error))?.[1] ?? null;
}

/** The permission an AccessDenied message names ("…is not authorized to perform: ssm:X on…"). */
function permissionOf(error: unknown): string | null {
  return /perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/.exec(message(error))?.[1] ?? null;
}

/**
 * The error in words with its next step (HatchError, `detail` = the kind), or null when it
 * is not one of the actionable kinds (the caller reports it as it is).
 */
export function actionableError(error: unknown, context: { profile: string; region: string; doing: string; endpoint?: string | null }): HatchError | null {
  const kind = problemKind(error);
  const where = `${context.profile} (${context.region})`;
  switch (kind) {
    case 'endpoint-unreachable': {
      const host = hostOf(error) ?? context.endpoint ?? `the AWS endpoint`;
      const how = /ENOTFOUND|EAI_AGAIN/.test(message(error)) || code(error) === 'ENOTFOUND' ? 'its name does not resolve' : /ECONNREFUSED/.test(message(error)) ? 'the connection was refused' : 'it did not answer';
      return new HatchError(
        'Unavailable',
        `Hatch could not reach ${host} for ${where}: ${how}.`,
        context.endpoint ? `Check the network (VPN) and the profile’s endpoint_url (${context.endpoint}), then try again.` : 'Check the network (VPN or proxy), then try again.',
        kind,
      );
    }
    case 'credentials-expired':
      return new HatchError('AwsError', `The credentials of ${where} have expired.`, 'Sign in again (SSO), enter a new MFA code, or refresh the keys in your AWS config — then try again.', kind);
    case 'credentials-invalid':
      return new HatchError('AwsError', `AWS did not accept the credentials of ${where} (${name(error)}).`, 'Check the access key and secret of this profile (Edit profile), then try again.', kind);
    case 'access-denied': {
      const permission = permissionOf(error);
      // AWS's own reason, when it gives one ("with an explicit deny in a service control policy").
      const reason = /\b(with an explicit deny[^.]*|because no [^.]*)/.exec(message(error))?.[1] ?? null;
      return new HatchError(
        'AwsError',
        `Access denied for ${where} while ${context.doing}${permission ? `: the identity lacks ${permission}` : ''}${reason ? ` (${reason})` : ''}.`,
        `Ask your AWS administrator for ${permission ?? 'the IAM permission named in the error'} on this account.`,
        kind,
      );
    }
    default:
      return null;
  }
}

/**
 * Profiles whose last call failed for an actionable reason, per profile AND region: their
 * dot shows the error until a call there succeeds, and the summary names each failing
 * region. An unreachable endpoint or a denied call is about one region (an SCP may deny
 * only eu-west-1; a VPC endpoint may serve one region), so a success in another region
 * leaves it alone; expired or refused credentials are about the whole profile, so any
 * success clears them everywhere. Changes are announced (the host re-sends the profile list).
 */
export class ProfileHealth {
  /** profile → region → the problem seen there. */
  private readonly problems = new Map<string, Map<string, { kind: ProblemKind; message: string }>>();

  constructor(private readonly changed: () => void) {}

  failed(profile: string, region: string, error: HatchError): void {
    if (!isProblemKind(error.detail)) return;
    const text = error.action ? `${error.message} ${error.action}` : error.message;
    const regions = this.problems.get(profile) ?? new Map<string, { kind: ProblemKind; message: string }>();
    if (regions.get(region)?.message === text) return;
    regions.set(region, { kind: error.detail, message: text });
    this.problems.set(profile, regions);
    this.changed();
  }

  succeeded(profile: string, region: string): void {
    const regions = this.problems.get(profile);
    if (!regions) return;
    let cleared = regions.delete(region);
    for (const [other, problem] of regions) {
      if (problem.kind === 'credentials-expired' || problem.kind === 'credentials-invalid') cleared = regions.delete(other) || cleared;
    }
    if (regions.size === 0) this.problems.delete(profile);
    if (cleared) this.changed();
  }

  /** The summaries with the known problems applied: each failing region's message, once. */
  apply<T extends { name: string; credentialState: string; error: string | null }>(profiles: T[]): Array<T & { regionErrors?: Record<string, string> }> {
    return profiles.map((p) => {
      const regions = this.problems.get(p.name);
      if (!regions?.size) return p;
      const regionErrors = Object.fromEntries([...regions].sort(([a], [b]) => a.localeCompare(b)).map(([region, problem]) => [region, problem.message]));
      return { ...p, credentialState: 'error', error: [...new Set(Object.values(regionErrors))].join('\n'), regionErrors };
    });
  }
}
