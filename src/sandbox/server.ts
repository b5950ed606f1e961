// One HTTP server for every API: JSON 1.1 calls are routed by X-Amz-Target, query calls
// by the SigV4 scope's service (ec2 / sts). WebSocket upgrades on /v1/data-channel/<id>
// go to the agent.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { verifyRequest, scopeService, type CredentialStore } from './auth';
import type { DataChannelAgent } from './agent-api';
import type { Handler, QueryHandler } from './context';
import { accessDeniedError, ApiError, serviceProtocol, throttleError, type ServiceName } from './errors';
import { parseQueryParams, sendEc2Result, sendError, sendJson, sendQueryResult, type XmlValue } from './protocol';

export interface ServerStats {
  requests: number;
  throttled: number;
  errors: number;
  byOperation: Record<string, number>;
  /** Error answers by AWS error code (e.g. ExpiredTokenException), whatever the service. */
  errorsByCode: Record<string, number>;
}

/** A REST-JSON answer (IAM Identity Center's SSO OIDC and portal APIs, the device page). */
export interface RestReply {
  status: number;
  headers?: Record<string, string>;
  body: string;
  /** "service:Operation" for stats.byOperation. */
  operation?: string;
  /** The AWS error code when status ≥ 400, for stats.errorsByCode. */
  errorCode?: string;
}

/** Answers the request when its method and path are one of its APIs; undefined otherwise. */
type RestRoute = (req: IncomingMessage, url: URL, body: Buffer) => Promise<RestReply | undefined> | RestReply | undefined;

interface ApiRoutes {
  json: Partial<Record<ServiceName, Record<string, Handler>>>;
  query: Partial<Record<ServiceName, Record<string, QueryHandler>>>;
}

const JSON_PREFIX: Record<string, ServiceName> = { AmazonSSM: 'ssm', TrentService: 'kms', AmazonEC2ContainerServiceV20141113: 'ecs' };
const STS_ACTIONS = new Set(['GetCallerIdentity', 'AssumeRole', 'GetSessionToken', 'AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML', 'GetFederationToken', 'DecodeAuthorizationMessage', 'GetAccessKeyInfo']);
const MAX_BODY = 1024 * 1024;

interface ApiServerOptions {
  routes: ApiRoutes;
  credentials: CredentialStore;
  agent: DataChannelAgent;
  /** Returns true when this call should be throttled (fault injection). */
  throttle: () => boolean;
  /** Returns true when calls to this service in this region are denied (fault injection). */
  deny?: (service: ServiceName, region: string) => boolean;
  /** REST-JSON APIs routed by path (SSO OIDC, SSO portal), tried before the AWS JSON / query routes. */
  rest?: RestRoute;
  /** For denial messages. */
  accountId?: string;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError('SerializationException', 'Request body too large', 413));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function createApiServer(opts: ApiServerOptions): { server: Server; stats: ServerStats } {
  const stats: ServerStats = { requests: 0, throttled: 0, errors: 0, byOperation: {}, errorsByCode: {} };
  const denied = (service: ServiceName, action: string, auth: { region: string; credential: { principal: { arn: string; accountId: string } } }): void => {
    if (opts.deny?.(service, auth.region)) {
      throw accessDeniedError(service, action, auth.credential.principal.arn, auth.region, opts.accountId ?? auth.credential.principal.accountId);
    }
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    stats.requests++;
    let service: ServiceName = 'ssm';
    try {
      const raw = await readBody(req);
      const body = raw.toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const target = req.headers['x-amz-target'];
      if (typeof target !== 'string' && opts.rest) {
        const reply = await opts.rest(req, url, raw);
        if (reply) {
          if (reply.operation) stats.byOperation[reply.operation] = (stats.byOperation[reply.operation] ?? 0) + 1;
          if (reply.status >= 400) {
            stats.errors++;
            if (reply.errorCode) stats.errorsByCode[reply.errorCode] = (stats.errorsByCode[reply.errorCode] ?? 0) + 1;
          }
          res.writeHead(reply.status, { 'Content-Length': Buffer.byteLength(reply.body), 'x-amzn-RequestId': requestId, ...reply.headers });
          res.end(reply.body);
          return;
        }
      }
      if (typeof target === 'string') {
        const dot = target.indexOf('.');
        const prefix = target.slice(0, dot);
        const op = target.slice(dot + 1);
        const svc = JSON_PREFIX[prefix];
        if (!svc) throw new ApiError('UnknownOperationException', `Unknown target ${target}`, 400);
        service = svc;
        const auth = await verifyRequest(req, raw, service, opts.credentials);
        const handler = opts.routes.json[service]?.[op];
        if (!handler) throw new ApiError('UnknownOperationException', `The sandbox does not implement ${target}.`, 400);
        denied(service, op, auth);
        if (opts.throttle()) {
          stats.throttled++;
          throw throttleError(service);
        }
        let input: unknown = {};
        if (body.trim() !== '') {
          try {
            input = JSON.parse(body);
          } catch {
            throw new ApiError('SerializationException', 'Start of structure or map found where not expected.', 400);
          }
        }
        if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ApiError('SerializationException', 'Expected a JSON object.', 400);
        stats.byOperation[`${service}:${op}`] = (stats.byOperation[`${service}:${op}`] ?? 0) + 1;
        const out = await handler(input as Record<string, unknown>, auth);
        sendJson(res, requestId, out ?? {});
        return;
      }
      const params = parseQueryParams(body, url.search);
      const scoped = scopeService(req);
      service = scoped === 'ec2' || scoped === 'sts' ? scoped : STS_ACTIONS.has(params.Action ?? '') ? 'sts' : 'ec2';
      const auth = await verifyRequest(req, raw, service, opts.credentials);
      const action = params.Action ?? '';
      const handler = opts.routes.query[service]?.[action];
      if (!handler) {
        throw service === 'ec2'
          ? new ApiError('InvalidAction', `The action ${action} is not valid for this web service.`, 400)
          : new ApiError('InvalidAction', `Could not find operation ${action} for version 2011-06-15`, 400);
      }
      if (service === 'ec2') denied(service, action, auth);
      if (opts.throttle()) {
        stats.throttled++;
        throw throttleError(service);
      }
      stats.byOperation[`${service}:${action}`] = (stats.byOperation[`${service}:${action}`] ?? 0) + 1;
      const out = (await handler(params, auth)) as XmlValue;
      if (service === 'ec2') sendEc2Result(res, requestId, action, out);
      else sendQueryResult(res, requestId, action, out);
    } catch (e) {
      stats.errors++;
      let err: ApiError;
      if (e instanceof ApiError) err = e;
      else {
        process.stderr.write(`hatch-sandbox: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
        const code = service === 'ec2' ? 'InternalError' : service === 'sts' ? 'InternalFailure' : service === 'kms' ? 'KMSInternalException' : service === 'ecs' ? 'ServerException' : 'InternalServerError';
        err = new ApiError(code, 'An internal error occurred in the sandbox.', 500);
      }
      stats.errorsByCode[err.code] = (stats.errorsByCode[err.code] ?? 0) + 1;
      if (!res.headersSent) sendError(res, serviceProtocol[service], requestId, err);
      else res.end();
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  server.on('upgrade', (req, socket, head) => {
    const m = /^\/v1\/data-channel\/([^/?]+)(?:\?.*)?$/.exec(req.url ?? '');
    if (!m) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    opts.agent.handleUpgrade(decodeURIComponent(m[1]), req, socket, head);
  });
  // SDKs keep connections alive; a short server timeout races their reuse (ECONNRESET).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // Clients that vanish mid-request must not take the server down.
  server.on('clientError', (_err, socket) => socket.destroy());
  return { server, stats };
}
