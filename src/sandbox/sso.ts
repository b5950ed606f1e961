// IAM Identity Center, as the SDKs and `aws sso login` use it, on the same HTTP server:
//   SSO OIDC (service sso-oauth, REST-JSON, unsigned): POST /client/register,
//     /device_authorization, /token (device_code and refresh_token grants);
//   the SSO portal (service awsssoportal, REST-JSON, bearer token in
//     x-amz-sso_bearer_token): GET /federation/credentials, /assignment/accounts,
//     /assignment/roles, POST /logout;
//   the verification page: GET /device?user_code=XXXX-XXXX approves that code (the
//     user's "Allow" in the browser), or a test calls sandbox.sso.approveDeviceCode().
// Lifetimes are sandbox time (compressed by the time scale); `expiresIn` answers are
// wall seconds, so a client's own arithmetic agrees with what the sandbox enforces.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { CredentialRecord } from './auth';
import type { SandboxContext } from './context';
import type { RestReply } from './server';

/** Roles every sandbox SSO user is assigned in the sandbox account (GetRoleCredentials accepts these). */
export const SSO_ROLES = ['AdministratorAccess', 'ReadOnlyAccess', 'SessionManagerUser'] as const;
export const SSO_USER = 'hatch-sandbox-user';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const REFRESH_GRANT = 'refresh_token';
const CLIENT_LIFETIME_S = 90 * 86400;
const DEVICE_CODE_LIFETIME_S = 600;
const ACCESS_TOKEN_LIFETIME_S = 8 * 3600;
const ROLE_SESSION_S = 3600;

interface Client {
  clientId: string;
  clientSecret: string;
  name: string;
  scopes: string[];
  grantTypes: string[];
  expiresAt: number;
}

interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  clientId: string;
  startUrl: string;
  expiresAt: number;
  state: 'pending' | 'approved' | 'denied' | 'used';
}

interface Token {
  clientId: string;
  startUrl: string;
  expiresAt: number;
  scopes: string[];
}

export interface SsoControl {
  /** A start URL the sandbox answers for (any URL is accepted; this one is the documented one). */
  startUrl: string;
  /** The user "allows" the sign-in in the browser. False when no pending code has this user code. */
  approveDeviceCode(userCode: string): boolean;
  /** The user "denies" it: the next CreateToken poll gets AccessDeniedException. */
  denyDeviceCode(userCode: string): boolean;
  /** User codes waiting for approval, oldest first. */
  pendingDeviceCodes(): string[];
  /** Make every issued SSO access token invalid now (as if the portal session ended). */
  expireAccessTokens(): void;
}

class OidcError extends Error {
  constructor(
    readonly code: string,
    readonly error: string,
    readonly status = 400,
    description?: string,
  ) {
    super(description ?? error);
  }
}

function json(status: number, body: unknown, operation: string, errorCode?: string): RestReply {
  return {
    status,
    headers: { 'Content-Type': 'application/json', ...(errorCode ? { 'x-amzn-ErrorType': errorCode } : {}) },
    body: JSON.stringify(body),
    operation,
    ...(errorCode ? { errorCode } : {}),
  };
}

const random = (bytes: number) => randomBytes(bytes).toString('base64url');

export class SsoService {
  private readonly clients = new Map<string, Client>();
  private readonly devices = new Map<string, DeviceAuthorization>();
  private readonly tokens = new Map<string, Token>();
  private readonly refreshTokens = new Map<string, Token>();

  constructor(
    private readonly ctx: SandboxContext,
    private readonly issue: (principal: CredentialRecord['principal'], seconds: number) => { AccessKeyId: string; SecretAccessKey: string; SessionToken?: string; Expiration: string },
  ) {}

  private endpoint(): string {
    return `http://127.0.0.1:${this.ctx.port}`;
  }

  /** Wall-clock instant `seconds` of sandbox time from now. */
  private after(seconds: number): number {
    return Date.now() + this.ctx.clock.wallMs(seconds * 1000);
  }

  private wallSeconds(seconds: number): number {
    return Math.max(1, Math.round(this.ctx.clock.wallMs(seconds * 1000) / 1000));
  }

  readonly control: SsoControl = {
    startUrl: '',
    approveDeviceCode: (userCode) => this.decide(userCode, 'approved'),
    denyDeviceCode: (userCode) => this.decide(userCode, 'denied'),
    pendingDeviceCodes: () => [...this.devices.values()].filter((d) => d.state === 'pending' && d.expiresAt > Date.now()).map((d) => d.userCode),
    expireAccessTokens: () => {
      for (const token of this.tokens.values()) token.expiresAt = 0;
    },
  };

  private decide(userCode: string, state: 'approved' | 'denied'): boolean {
    const wanted = userCode.trim().toUpperCase();
    for (const device of this.devices.values()) {
      if (device.userCode === wanted && device.state === 'pending' && device.expiresAt > Date.now()) {
        device.state = state;
        return true;
      }
    }
    return false;
  }

  /** The REST route for server.ts: answers SSO OIDC, portal and device-page requests. */
  readonly route = async (req: IncomingMessage, url: URL, body: Buffer): Promise<RestReply | undefined> => {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (method === 'POST' && (path === '/client/register' || path === '/device_authorization' || path === '/token')) {
      return this.oidc(path, body);
    }
    if (path === '/federation/credentials' || path === '/assignment/accounts' || path === '/assignment/roles' || path === '/logout') {
      return this.portal(method, path, url, req);
    }
    if (method === 'GET' && (path === '/device' || path === '/start')) return this.devicePage(url);
    return undefined;
  };

  // ---- SSO OIDC ------------------------------------------------------------------

  private oidc(path: string, raw: Buffer): RestReply {
    const operation = path === '/client/register' ? 'RegisterClient' : path === '/device_authorization' ? 'StartDeviceAuthorization' : 'CreateToken';
    const op = `sso-oauth:${operation}`;
    try {
      let input: Record<string, unknown>;
      try {
        const parsed = raw.length ? (JSON.parse(raw.toString('utf8')) as unknown) : {};
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        input = parsed as Record<string, unknown>;
      } catch {
        throw new OidcError('InvalidRequestException', 'invalid_request', 400, 'The request body is not a JSON object.');
      }
      if (operation === 'RegisterClient') return json(200, this.registerClient(input), op);
      if (operation === 'StartDeviceAuthorization') return json(200, this.startDeviceAuthorization(input), op);
      return json(200, this.createToken(input), op);
    } catch (e) {
      if (!(e instanceof OidcError)) throw e;
      return json(e.status, { error: e.error, error_description: e.message }, op, e.code);
    }
  }

  private str(input: Record<string, unknown>, name: string): string {
    const v = input[name];
    if (typeof v !== 'string' || v === '') throw new OidcError('InvalidRequestException', 'invalid_request', 400, `${name} is required.`);
    return v;
  }

  private strings(input: Record<string, unknown>, name: string): string[] {
    const v = input[name];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new OidcError('InvalidRequestException', 'invalid_request', 400, `${name} must be a list of strings.`);
    return v as string[];
  }

  private client(input: Record<string, unknown>): Client {
    const clientId = this.str(input, 'clientId');
    const clientSecret = this.str(input, 'clientSecret');
    const client = this.clients.get(clientId);
    if (!client || client.clientSecret !== clientSecret) throw new OidcError('InvalidClientException', 'invalid_client', 401, 'Invalid client credentials.');
    if (client.expiresAt <= Date.now()) throw new OidcError('InvalidClientException', 'invalid_client', 401, 'The client registration has expired.');
    return client;
  }

  private registerClient(input: Record<string, unknown>) {
    const name = this.str(input, 'clientName');
    const type = this.str(input, 'clientType');
    if (type !== 'public') throw new OidcError('InvalidClientMetadataException', 'invalid_client_metadata', 400, 'clientType must be public.');
    const scopes = this.strings(input, 'scopes');
    const grantTypes = this.strings(input, 'grantTypes');
    const unknownGrant = grantTypes.find((g) => g !== DEVICE_GRANT && g !== REFRESH_GRANT && g !== 'authorization_code');
    if (unknownGrant) throw new OidcError('InvalidClientMetadataException', 'invalid_client_metadata', 400, `Unsupported grant type ${unknownGrant}.`);
    const unknownScope = scopes.find((s) => !/^sso:account:access$|^codewhisperer:|^openid$/.test(s));
    if (unknownScope) throw new OidcError('InvalidScopeException', 'invalid_scope', 400, `Invalid scope: ${unknownScope}`);
    const now = Date.now();
    const client: Client = { clientId: random(24), clientSecret: `sandbox-client-secret.${random(48)}`, name, scopes, grantTypes, expiresAt: this.after(CLIENT_LIFETIME_S) };
    this.clients.set(client.clientId, client);
    return {
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      clientIdIssuedAt: Math.floor(now / 1000),
      clientSecretExpiresAt: Math.floor(client.expiresAt / 1000),
    };
  }

  private startDeviceAuthorization(input: Record<string, unknown>) {
    const client = this.client(input);
    const startUrl = this.str(input, 'startUrl');
    if (!/^https?:\/\//.test(startUrl)) throw new OidcError('InvalidRequestException', 'invalid_request', 400, 'startUrl must be a URL.');
    const letters = 'BCDFGHJKLMNPQRSTVWXZ';
    const bytes = randomBytes(8);
    const userCode = Array.from(bytes, (b) => letters[b % letters.length]).join('').replace(/^(.{4})/, '$1-');
    const device: DeviceAuthorization = { deviceCode: random(48), userCode, clientId: client.clientId, startUrl, expiresAt: this.after(DEVICE_CODE_LIFETIME_S), state: 'pending' };
    this.devices.set(device.deviceCode, device);
    for (const [code, d] of this.devices) if (d.expiresAt < Date.now() - 60_000) this.devices.delete(code);
    const verificationUri = `${this.endpoint()}/device`;
    return {
      deviceCode: device.deviceCode,
      userCode,
      verificationUri,
      verificationUriComplete: `${verificationUri}?user_code=${userCode}`,
      expiresIn: this.wallSeconds(DEVICE_CODE_LIFETIME_S),
      interval: 1,
    };
  }

  private createToken(input: Record<string, unknown>) {
    const client = this.client(input);
    const grantType = this.str(input, 'grantType');
    if (grantType === DEVICE_GRANT) {
      const device = this.devices.get(this.str(input, 'deviceCode'));
      if (!device || device.clientId !== client.clientId || device.state === 'used') throw new OidcError('InvalidGrantException', 'invalid_grant', 400, 'Invalid device code provided');
      if (device.expiresAt <= Date.now()) throw new OidcError('ExpiredTokenException', 'expired_token', 400, 'Device code has expired');
      if (device.state === 'pending') throw new OidcError('AuthorizationPendingException', 'authorization_pending', 400, 'Authorization is still pending');
      if (device.state === 'denied') throw new OidcError('AccessDeniedException', 'access_denied', 400, 'The user denied the authorization request');
      device.state = 'used';
      return this.grant(client, device.startUrl);
    }
    if (grantType === REFRESH_GRANT) {
      if (!client.grantTypes.includes(REFRESH_GRANT)) throw new OidcError('UnauthorizedClientException', 'unauthorized_client', 400, 'The client is not registered for the refresh_token grant.');
      const refreshToken = this.str(input, 'refreshToken');
      const previous = this.refreshTokens.get(refreshToken);
      if (!previous || previous.clientId !== client.clientId) throw new OidcError('InvalidGrantException', 'invalid_grant', 400, 'Invalid refresh token provided');
      this.refreshTokens.delete(refreshToken); // refresh tokens rotate
      return this.grant(client, previous.startUrl);
    }
    throw new OidcError('UnsupportedGrantTypeException', 'unsupported_grant_type', 400, `Unsupported grant type ${grantType}.`);
  }

  private grant(client: Client, startUrl: string) {
    const token: Token = { clientId: client.clientId, startUrl, expiresAt: this.after(ACCESS_TOKEN_LIFETIME_S), scopes: client.scopes };
    const accessToken = `aoa${random(96)}`;
    this.tokens.set(accessToken, token);
    // Like Identity Center: refresh tokens only for registrations with scopes and the grant.
    const refreshable = client.scopes.length > 0 && client.grantTypes.includes(REFRESH_GRANT);
    let refreshToken: string | undefined;
    if (refreshable) {
      refreshToken = `aor${random(96)}`;
      this.refreshTokens.set(refreshToken, { ...token });
    }
    return { accessToken, tokenType: 'Bearer', expiresIn: this.wallSeconds(ACCESS_TOKEN_LIFETIME_S), ...(refreshToken ? { refreshToken } : {}) };
  }

  // ---- SSO portal ----------------------------------------------------------------

  private portal(method: string, path: string, url: URL, req: IncomingMessage): RestReply {
    const operation = { '/federation/credentials': 'GetRoleCredentials', '/assignment/accounts': 'ListAccounts', '/assignment/roles': 'ListAccountRoles', '/logout': 'Logout' }[path] as string;
    const op = `awsssoportal:${operation}`;
    const fail = (status: number, code: string, message: string) => json(status, { message }, op, code);
    if (method !== (operation === 'Logout' ? 'POST' : 'GET')) return fail(405, 'InvalidRequestException', `${method} is not allowed here.`);
    const header = req.headers['x-amz-sso_bearer_token'];
    const bearer = typeof header === 'string' ? header : undefined;
    if (!bearer) return fail(401, 'UnauthorizedException', 'Session token not found or invalid');
    const token = this.tokens.get(bearer);
    if (!token || token.expiresAt <= Date.now()) return fail(401, 'UnauthorizedException', 'Session token not found or invalid');
    const q = url.searchParams;
    const page = <T>(items: T[]): { items: T[]; nextToken?: string } => {
      const max = Number(q.get('max_result') ?? 20);
      if (!Number.isInteger(max) || max < 1 || max > 100) throw new Error('max_result');
      const start = Number(q.get('next_token') ? Buffer.from(q.get('next_token')!, 'base64url').toString() : 0) || 0;
      const slice = items.slice(start, start + max);
      return { items: slice, ...(start + max < items.length ? { nextToken: Buffer.from(String(start + max)).toString('base64url') } : {}) };
    };
    const accountId = this.ctx.accountId;
    switch (operation) {
      case 'Logout':
        this.tokens.delete(bearer);
        return { status: 200, body: '', operation: op };
      case 'ListAccounts': {
        let p;
        try {
          p = page([{ accountId, accountName: 'hatch-sandbox', emailAddress: 'sandbox@hatch.invalid' }]);
        } catch {
          return fail(400, 'InvalidRequestException', 'max_result must be between 1 and 100.');
        }
        return json(200, { accountList: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) }, op);
      }
      case 'ListAccountRoles': {
        const account = q.get('account_id');
        if (!account) return fail(400, 'InvalidRequestException', 'account_id is required.');
        if (account !== accountId) return fail(403, 'ForbiddenException', 'No access');
        let p;
        try {
          p = page(SSO_ROLES.map((roleName) => ({ roleName, accountId })));
        } catch {
          return fail(400, 'InvalidRequestException', 'max_result must be between 1 and 100.');
        }
        return json(200, { roleList: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) }, op);
      }
      default: {
        const roleName = q.get('role_name');
        const account = q.get('account_id');
        if (!roleName || !account) return fail(400, 'InvalidRequestException', 'role_name and account_id are required.');
        if (account !== accountId || !(SSO_ROLES as readonly string[]).includes(roleName)) return fail(403, 'ForbiddenException', 'No access');
        const suffix = createHash('sha256').update(roleName).digest('hex').slice(0, 16);
        const arn = `arn:aws:sts::${accountId}:assumed-role/AWSReservedSSO_${roleName}_${suffix}/${SSO_USER}`;
        const roleId = `AROA${createHash('sha256').update(arn).digest('hex').toUpperCase().slice(0, 17)}`;
        const creds = this.issue({ arn, userId: `${roleId}:${SSO_USER}`, accountId, mfa: true }, ROLE_SESSION_S);
        return json(
          200,
          {
            roleCredentials: {
              accessKeyId: creds.AccessKeyId,
              secretAccessKey: creds.SecretAccessKey,
              sessionToken: creds.SessionToken,
              expiration: Date.parse(creds.Expiration),
            },
          },
          op,
        );
      }
    }
  }

  // ---- the browser's side --------------------------------------------------------

  private devicePage(url: URL): RestReply {
    const code = url.searchParams.get('user_code');
    const page = (status: number, title: string, text: string): RestReply => ({
      status,
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' },
      body: `<!doctype html><meta charset="utf-8"><title>${title}</title><h1>${title}</h1><p>${text}</p>`,
      operation: 'sso-device:Approve',
    });
    if (url.pathname === '/start' || !code) {
      return page(200, 'Hatch sandbox sign-in', 'Open the verification link Hatch shows (it carries <code>?user_code=</code>) to allow the sign-in.');
    }
    if (!/^[A-Z]{4}-[A-Z]{4}$/i.test(code)) return page(400, 'Invalid code', 'That is not a sign-in code.');
    if (!this.control.approveDeviceCode(code)) return page(404, 'Code not found', 'This code has expired, was already used, or was never issued.');
    return page(200, 'Request approved', `The sign-in with code ${code.toUpperCase()} is allowed (as ${SSO_USER}). You can close this window.`);
  }
}
