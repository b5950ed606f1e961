// STS (query protocol, XML): caller identity and temporary credentials. Temporary
// keys live in the credential store until they expire; their lifetime can be capped
// (credentialLifetimeSeconds, --faults expire=…) and is compressed by the time scale.
import { randomBytes } from 'node:crypto';
import type { AuthContext } from './auth';
import { newAccessKeyId, newSecret, type CredentialRecord } from './auth';
import type { QueryHandler, SandboxContext } from './context';
import { ApiError } from './errors';
import { verifyTotp } from './totp';

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

function intParam(params: Record<string, string>, name: string, min: number, max: number, message?: string): number | undefined {
  const raw = params[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ApiError('ValidationError', `1 validation error detected: Value '${raw}' at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`, 400);
  if (n > max) throw new ApiError('ValidationError', message ?? `1 validation error detected: Value '${raw}' at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must have value less than or equal to ${max}`, 400);
  return n;
}

export class StsService {
  /** Extra lifetime cap in sandbox ms (from --faults expire=…). */
  expireCapMs = 0;

  constructor(private readonly ctx: SandboxContext) {}

  readonly handlers: Record<string, QueryHandler> = {
    GetCallerIdentity: (_p, a) => ({ UserId: a.credential.principal.userId, Account: a.credential.principal.accountId, Arn: a.credential.principal.arn }),
    AssumeRole: (p, a) => this.assumeRole(p, a),
    GetSessionToken: (p, a) => this.getSessionToken(p, a),
  };

  private checkMfa(params: Record<string, string>): boolean {
    const serial = params.SerialNumber;
    const code = params.TokenCode;
    if (serial === undefined && code === undefined) return false;
    if (serial === undefined || code === undefined) throw new ApiError('ValidationError', 'SerialNumber and TokenCode must be given together.', 400);
    if (serial !== this.ctx.mfaSerial || !verifyTotp(this.ctx.totpSecret, code)) {
      throw new ApiError('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code. ', 403);
    }
    return true;
  }

  /** Wall-clock expiry for a credential asked to live `seconds` (sandbox time). */
  private expiry(seconds: number): number {
    let ms = seconds * 1000;
    if (this.ctx.credentialLifetimeSeconds !== undefined) ms = Math.min(ms, this.ctx.credentialLifetimeSeconds * 1000);
    if (this.expireCapMs > 0) ms = Math.min(ms, this.expireCapMs);
    return Date.now() + this.ctx.clock.wallMs(ms);
  }

  /** Temporary credentials for `principal`, living `seconds` (capped and time-scaled like every other). */
  issue(principal: CredentialRecord['principal'], seconds: number) {
    const rec: CredentialRecord = {
      accessKeyId: newAccessKeyId(true),
      secretAccessKey: newSecret(),
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(120).toString('base64')}`,
      expiresAt: this.expiry(seconds),
      principal,
    };
    this.ctx.credentials.prune(Date.now());
    this.ctx.credentials.add(rec);
    return {
      AccessKeyId: rec.accessKeyId,
      SecretAccessKey: rec.secretAccessKey,
      SessionToken: rec.sessionToken,
      // With milliseconds (valid ISO 8601, which the SDKs parse): the caller is told exactly
      // the instant the sandbox starts refusing them, even for sub-second test lifetimes.
      Expiration: new Date(rec.expiresAt as number).toISOString(),
    };
  }

  private assumeRole(params: Record<string, string>, auth: AuthContext) {
    const roleArn = params.RoleArn;
    const sessionName = params.RoleSessionName;
    if (!roleArn) throw new ApiError('ValidationError', "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null", 400);
    if (!sessionName) throw new ApiError('ValidationError', "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null", 400);
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new ApiError('ValidationError', `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`, 400);
    }
    const m = ROLE_ARN.exec(roleArn);
    if (!m) throw new ApiError('ValidationError', `${roleArn} is invalid`, 400);
    const caller = auth.credential.principal;
    if (m[1] !== this.ctx.accountId) {
      throw new ApiError('AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
    }
    // Role chaining is limited to one hour, like AWS; roles are created with the default 1 h maximum.
    const duration = intParam(params, 'DurationSeconds', 900, 43200) ?? 3600;
    if (duration > 3600) {
      throw new ApiError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.', 400);
    }
    const mfa = this.checkMfa(params) || (caller.mfa && auth.credential.sessionToken !== undefined);
    // Roles whose name mentions MFA trust only MFA-authenticated callers (for testing MFA prompts).
    if (/mfa/i.test(m[2]) && !mfa) {
      throw new ApiError('AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn} (MultiFactorAuthPresent is required)`, 403);
    }
    const roleId = `AROA${Buffer.from(m[2]).toString('hex').toUpperCase().slice(0, 17).padEnd(17, 'X')}`;
    const arn = `arn:aws:sts::${this.ctx.accountId}:assumed-role/${m[2]}/${sessionName}`;
    const creds = this.issue({ arn, userId: `${roleId}:${sessionName}`, accountId: this.ctx.accountId, mfa }, duration);
    return { Credentials: creds, AssumedRoleUser: { AssumedRoleId: `${roleId}:${sessionName}`, Arn: arn } };
  }

  private getSessionToken(params: Record<string, string>, auth: AuthContext) {
    if (auth.credential.sessionToken !== undefined) throw new ApiError('AccessDenied', 'Cannot call GetSessionToken with session credentials', 403);
    const duration = intParam(params, 'DurationSeconds', 900, 129600) ?? 43200;
    const mfa = this.checkMfa(params);
    const p = auth.credential.principal;
    return { Credentials: this.issue({ ...p, mfa }, duration) };
  }
}
