// SSM (AWS JSON 1.1, X-Amz-Target: AmazonSSM.*): managed-node inventory, sessions and
// Session documents.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AgentSessionSpec, FleetNode, SessionEndReason, SessionPreferences } from './agent-api';
import type { AuthContext } from './auth';
import { principalName, type Handler, type SandboxContext } from './context';
import {
  awsSessionDocuments,
  makeVersion,
  resolveParameters,
  RUN_SHELL,
  substitute,
  validateOtherDocument,
  validateSessionDocument,
  type SessionDocument,
  type SessionInputs,
  type StoredDocument,
} from './documents';
import { ApiError } from './errors';
import { LATEST_AGENT_VERSION } from './fleet';
import { decodeToken, encodeToken, globToRegExp } from './protocol';
import { optArray, optInt, optString, reqString, validation } from './validate';

type SessionStatus = 'Connected' | 'Connecting' | 'Disconnected' | 'Terminated' | 'Terminating' | 'Failed';

export interface SessionRecord {
  sessionId: string;
  region: string;
  target: string;
  documentName: string;
  owner: string;
  reason?: string;
  startDate: Date;
  endDate?: Date;
  status: SessionStatus;
  endReason?: SessionEndReason;
  exitCode?: number;
  streamUrl: string;
  preferences: SessionPreferences;
  s3Logging: boolean;
  cloudWatchLogging: boolean;
}

const INSTANCE_ID = /^(i-[0-9a-f]{8}([0-9a-f]{9})?|mi-[0-9a-f]{17})$/;
const infoFilterKeys = ['InstanceIds', 'AgentVersion', 'PingStatus', 'PlatformTypes', 'ActivationIds', 'IamRole', 'ResourceType', 'AssociationStatus'];

function nodeMatches(n: FleetNode, key: string, values: string[]): boolean {
  switch (key) {
    case 'InstanceIds':
      return values.includes(n.instanceId);
    case 'AgentVersion':
      return values.includes(n.agentVersion);
    case 'PingStatus':
      return values.includes(n.pingStatus);
    case 'PlatformTypes':
      return values.includes(n.platformType);
    case 'ResourceType':
      return values.includes(n.resourceType);
    case 'ActivationIds':
      return n.resourceType === 'ManagedInstance' && values.includes(activationId(n));
    case 'IamRole':
      return values.includes(iamRole(n));
    case 'AssociationStatus':
      return values.includes('Success');
    case 'tag-key':
      return values.some((k) => k in n.tags);
    default:
      if (key.startsWith('tag:')) {
        const v = n.tags[key.slice(4)];
        return v !== undefined && values.includes(v);
      }
      return false;
  }
}

const activationId = (n: FleetNode) => `${n.instanceId.slice(3, 11)}-0000-4000-8000-${n.instanceId.slice(8, 20).padEnd(12, '0')}`;
const iamRole = (n: FleetNode) => (n.resourceType === 'ManagedInstance' ? 'SSMServiceRole' : '');

export class SsmService {
  readonly sessions = new Map<string, SessionRecord>();
  /** Account documents by "region/name"; AWS-owned ones are shared by every region. */
  private readonly documents = new Map<string, StoredDocument>();
  private readonly awsDocuments = new Map(awsSessionDocuments().map((d) => [d.name, d]));

  /** Resolves `ecs:` targets to their container (set by startSandbox; throws the API's error when it cannot be reached). */
  containers?: (auth: AuthContext, target: string) => FleetNode;

  constructor(private readonly ctx: SandboxContext) {}

  readonly handlers: Record<string, Handler> = {
    DescribeInstanceInformation: (i, a) => this.describeInstanceInformation(i, a),
    StartSession: (i, a) => this.startSession(i, a),
    ResumeSession: (i, a) => this.resumeSession(i, a),
    TerminateSession: (i, a) => this.terminateSession(i, a),
    DescribeSessions: (i, a) => this.describeSessions(i, a),
    GetConnectionStatus: (i, a) => this.getConnectionStatus(i, a),
    ListTagsForResource: (i, a) => this.listTagsForResource(i, a),
    CreateDocument: (i, a) => this.createDocument(i, a),
    GetDocument: (i, a) => this.getDocument(i, a),
    DescribeDocument: (i, a) => this.describeDocument(i, a),
    UpdateDocument: (i, a) => this.updateDocument(i, a),
    UpdateDocumentDefaultVersion: (i, a) => this.updateDocumentDefaultVersion(i, a),
    DeleteDocument: (i, a) => this.deleteDocument(i, a),
    ListDocuments: (i, a) => this.listDocuments(i, a),
    ListDocumentVersions: (i, a) => this.listDocumentVersions(i, a),
  };

  // ---- inventory -------------------------------------------------------------------

  private describeInstanceInformation(input: Record<string, unknown>, auth: AuthContext) {
    const legacy = optArray<{ key?: string; valueSet?: unknown }>(input, 'InstanceInformationFilterList');
    const filters = optArray<{ Key?: string; Values?: unknown }>(input, 'Filters');
    if (legacy && filters) throw new ApiError('ValidationException', 'InstanceInformationFilterList and Filters cannot be used in the same request. Use Filters.', 400);
    const maxResults = optInt(input, 'MaxResults', 5, 50) ?? 10;
    const checks: { key: string; values: string[] }[] = [];
    for (const f of legacy ?? []) {
      if (!f || !infoFilterKeys.includes(f.key ?? '')) throw new ApiError('InvalidInstanceInformationFilterValue', `The filter key ${String(f?.key)} is not valid. Valid keys: ${infoFilterKeys.join(', ')}.`, 400);
      checks.push({ key: f.key as string, values: this.filterValues(f.valueSet, f.key as string) });
    }
    for (const f of filters ?? []) {
      const key = f?.Key ?? '';
      if (!infoFilterKeys.includes(key) && key !== 'tag-key' && !/^tag:.{1,128}$/.test(key)) {
        throw new ApiError('InvalidFilterKey', `The filter key ${key} is not valid. Valid keys: ${infoFilterKeys.join(', ')}, tag-key, tag:<key>.`, 400);
      }
      checks.push({ key, values: this.filterValues(f.Values, key) });
    }
    const isTag = (k: string) => k === 'tag-key' || k.startsWith('tag:');
    if (checks.some((c) => isTag(c.key)) && checks.some((c) => !isTag(c.key))) {
      throw new ApiError('ValidationException', 'Cannot mix tag or inventory filter with any other filter.', 400);
    }
    for (const c of checks) {
      if (c.key !== 'InstanceIds') continue;
      // AWS fails the call for ids that are malformed or not this account's in this region.
      const bad = c.values.filter((v) => !INSTANCE_ID.test(v) || !this.node(auth, v));
      if (bad.length) throw new ApiError('InvalidInstanceId', `Instances [[${bad.join(', ')}]] not in a valid state for account ${this.ctx.accountId}`, 400);
    }
    const regional = this.ctx.fleet.inRegion(auth.region);
    const all = checks.length === 0 ? regional : regional.filter((n) => checks.every((c) => nodeMatches(n, c.key, c.values)));
    const start = this.offsetFromToken(input.NextToken);
    const page = all.slice(start, start + maxResults);
    const next = start + maxResults < all.length ? encodeToken({ o: start + maxResults }) : undefined;
    return { InstanceInformationList: page.map((n) => this.instanceInfo(n)), ...(next ? { NextToken: next } : {}) };
  }

  private filterValues(v: unknown, key: string): string[] {
    if (!Array.isArray(v) || v.length === 0 || v.length > 100 || v.some((x) => typeof x !== 'string')) {
      throw new ApiError('InvalidInstanceInformationFilterValue', `The filter ${key} needs 1 to 100 string values.`, 400);
    }
    return v as string[];
  }

  private offsetFromToken(token: unknown): number {
    if (token !== undefined && typeof token !== 'string') throw validation('NextToken', token, 'Member must be a string');
    const state = decodeToken(token as string | undefined);
    if (!state) return 0;
    const o = state.o;
    if (typeof o !== 'number' || !Number.isInteger(o) || o < 0) throw new ApiError('InvalidNextToken', 'The specified token is not valid.', 400);
    return o;
  }

  private lastPing(n: FleetNode): Date {
    // Online nodes pinged within the last 5 minutes; lost/inactive ones long ago.
    const jitter = parseInt(n.instanceId.slice(-4), 16) % 300;
    const ago = n.pingStatus === 'Online' ? jitter : n.pingStatus === 'ConnectionLost' ? 3 * 3600 + jitter : 40 * 86400 + jitter;
    return new Date(Math.floor(Date.now() / 1000 - ago) * 1000);
  }

  private instanceInfo(n: FleetNode) {
    const managed = n.resourceType === 'ManagedInstance';
    return {
      InstanceId: n.instanceId,
      PingStatus: n.pingStatus,
      LastPingDateTime: this.lastPing(n),
      AgentVersion: n.agentVersion,
      IsLatestVersion: n.agentVersion === LATEST_AGENT_VERSION,
      PlatformType: n.platformType,
      PlatformName: n.platformName,
      PlatformVersion: n.platformVersion,
      ResourceType: n.resourceType,
      IPAddress: n.ipAddress,
      ComputerName: n.computerName,
      AssociationStatus: 'Success',
      SourceId: n.instanceId,
      SourceType: managed ? 'AWS::SSM::ManagedInstance' : 'AWS::EC2::Instance',
      ...(managed
        ? { Name: n.name, ActivationId: activationId(n), IamRole: iamRole(n), RegistrationDate: new Date(this.ctx.startedAt - 90 * 86400_000) }
        : {}),
    };
  }

  private node(auth: AuthContext, id: string): FleetNode | undefined {
    const n = this.ctx.fleet.get(id);
    return n && n.region === auth.region ? n : undefined;
  }

  private getConnectionStatus(input: Record<string, unknown>, auth: AuthContext) {
    const target = reqString(input, 'Target', 400);
    const n = this.node(auth, target);
    return { Target: target, Status: n?.pingStatus === 'Online' ? 'connected' : 'notconnected' };
  }

  private listTagsForResource(input: Record<string, unknown>, auth: AuthContext) {
    const type = reqString(input, 'ResourceType');
    const id = reqString(input, 'ResourceId');
    if (type === 'ManagedInstance') {
      const n = this.node(auth, id);
      if (!n || n.resourceType !== 'ManagedInstance') throw new ApiError('InvalidResourceId', `The resource ID "${id}" is not valid. Verify the ID and try again.`, 400);
      return { TagList: Object.entries(n.tags).map(([Key, Value]) => ({ Key, Value })) };
    }
    if (type === 'Document') return { TagList: this.findDocument(auth, id).tags };
    throw new ApiError('InvalidResourceType', `The resource type ${type} is not supported by the sandbox (ManagedInstance, Document).`, 400);
  }

  // ---- sessions --------------------------------------------------------------------

  private startSession(input: Record<string, unknown>, auth: AuthContext) {
    const target = reqString(input, 'Target', 400);
    const documentName = optString(input, 'DocumentName') ?? RUN_SHELL;
    const reason = optString(input, 'Reason', 256);
    if (reason !== undefined && reason.length === 0) throw validation('Reason', reason, 'Member must have length greater than or equal to 1');
    const given = input.Parameters;
    if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) throw validation('Parameters', given, 'Member must be a map');

    // ECS containers are targets too (`ecs:<cluster>_<taskId>_<runtimeId>`): port sessions to a container.
    const node = target.startsWith('ecs:') && this.containers ? this.containers(auth, target) : this.node(auth, target);
    if (!node || node.pingStatus !== 'Online') throw new ApiError('TargetNotConnected', `${target} is not connected.`, 400);

    const doc = this.sessionDocument(auth, documentName);
    const parameters = resolveParameters(doc, given as Record<string, string[]> | undefined);
    const properties = doc.properties === undefined ? null : substitute(doc.properties, parameters, doc.parameters ?? {});
    return this.open(auth, { target, node, documentName, doc, parameters, properties, reason });
  }

  /**
   * ECS ExecuteCommand: a Session Manager session into a container, running `command`
   * interactively (what AmazonECS-ExecuteInteractiveCommand does), on the same data channel.
   */
  startExecuteCommand(auth: AuthContext, target: string, node: FleetNode, command: string): { SessionId: string; TokenValue: string; StreamUrl: string } {
    const doc: SessionDocument = { schemaVersion: '1.0', sessionType: 'InteractiveCommands' };
    const properties = { linux: { commands: command, runAsElevated: true } };
    return this.open(auth, { target, node, documentName: 'AmazonECS-ExecuteInteractiveCommand', doc, parameters: {}, properties, sessionIdPrefix: 'ecs-execute-command' });
  }

  private open(
    auth: AuthContext,
    o: { target: string; node: FleetNode; documentName: string; doc: SessionDocument; parameters: Record<string, string[]>; properties: unknown; reason?: string; sessionIdPrefix?: string },
  ): { SessionId: string; TokenValue: string; StreamUrl: string } {
    const { target, node, documentName, doc, parameters, properties, reason } = o;
    // Preferences: the account's RunShell document, overridden by a custom shell document's own inputs.
    const runShell = this.documents.get(`${auth.region}/${RUN_SHELL}`);
    const runShellInputs = (runShell ? latest(runShell).parsed.inputs : undefined) as SessionInputs | undefined;
    const inputs: SessionInputs = { ...(runShellInputs ?? {}), ...(doc.sessionType === 'Standard_Stream' && documentName !== RUN_SHELL ? (doc.inputs ?? {}) : {}) };

    const owner = auth.credential.principal.arn;
    const prefix = o.sessionIdPrefix ?? principalName(owner).replace(/[^A-Za-z0-9_.@-]/g, '-').slice(0, 64);
    const sessionId = `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;
    const s3Logging = !!inputs.s3BucketName;
    const cloudWatchLogging = !!inputs.cloudWatchLogGroupName;
    const preferences: SessionPreferences = {
      idleSessionTimeoutMinutes: inputs.idleSessionTimeout !== undefined ? Number(inputs.idleSessionTimeout) : 20,
      runAsEnabled: inputs.runAsEnabled === true,
      ...(inputs.maxSessionDuration !== undefined ? { maxSessionDurationMinutes: Number(inputs.maxSessionDuration) } : {}),
      // Port sessions are never KMS-encrypted (spec 2.4).
      ...(inputs.kmsKeyId && doc.sessionType !== 'Port' ? { kmsKeyId: inputs.kmsKeyId } : {}),
      ...(inputs.runAsDefaultUser ? { runAsDefaultUser: inputs.runAsDefaultUser } : {}),
      ...(inputs.shellProfile?.linux ? { shellProfileLinux: inputs.shellProfile.linux } : {}),
    };
    if (s3Logging || cloudWatchLogging) {
      const dir = path.join(this.ctx.dataDir, 'transcripts');
      mkdirSync(dir, { recursive: true });
      preferences.transcriptPath = path.join(dir, `${sessionId}.log`);
    }
    const tokenValue = newToken();
    const streamUrl = this.streamUrl(sessionId);
    const spec: AgentSessionSpec = {
      sessionId,
      tokenValue,
      node,
      documentName,
      sessionType: doc.sessionType,
      properties,
      parameters,
      preferences,
      owner,
    };
    this.ctx.agent.register(spec);
    this.sessions.set(sessionId, {
      sessionId,
      region: auth.region,
      target,
      documentName,
      owner,
      reason,
      startDate: new Date(),
      status: 'Connecting',
      streamUrl,
      preferences,
      s3Logging,
      cloudWatchLogging,
    });
    return { SessionId: sessionId, TokenValue: tokenValue, StreamUrl: streamUrl };
  }

  private streamUrl(sessionId: string): string {
    return `ws://127.0.0.1:${this.ctx.port}/v1/data-channel/${encodeURIComponent(sessionId)}?role=publish_subscribe`;
  }

  private session(input: Record<string, unknown>, auth: AuthContext): SessionRecord {
    const id = reqString(input, 'SessionId', 96);
    const s = this.sessions.get(id);
    if (!s || s.region !== auth.region) throw new ApiError('DoesNotExistException', `Session with id ${id} does not exist.`, 400);
    return s;
  }

  private resumeSession(input: Record<string, unknown>, auth: AuthContext) {
    const s = this.session(input, auth);
    // No TokenValue tells the client the session can no longer be resumed (spec 2.2).
    if (s.endDate) return { SessionId: s.sessionId };
    const token = newToken();
    if (!this.ctx.agent.addResumeToken(s.sessionId, token)) return { SessionId: s.sessionId };
    return { SessionId: s.sessionId, TokenValue: token, StreamUrl: this.streamUrl(s.sessionId) };
  }

  private terminateSession(input: Record<string, unknown>, auth: AuthContext) {
    const s = this.session(input, auth);
    if (!s.endDate) {
      this.end(s, 'terminated');
      this.ctx.agent.terminate(s.sessionId);
    }
    return { SessionId: s.sessionId };
  }

  /** AgentServices.onSessionEnded lands here. */
  sessionEnded(sessionId: string, reason: SessionEndReason, exitCode?: number): void {
    const s = this.sessions.get(sessionId);
    if (s && !s.endDate) this.end(s, reason, exitCode);
  }

  private end(s: SessionRecord, reason: SessionEndReason, exitCode?: number): void {
    s.endDate = new Date();
    s.endReason = reason;
    s.exitCode = exitCode;
    s.status = reason === 'failed' ? 'Failed' : 'Terminated';
  }

  private describeSessions(input: Record<string, unknown>, auth: AuthContext) {
    const state = reqString(input, 'State');
    if (state !== 'Active' && state !== 'History') throw validation('State', state, 'Member must satisfy enum value set: [Active, History]');
    const maxResults = optInt(input, 'MaxResults', 1, 200) ?? 20;
    const filters = optArray<{ key?: string; value?: string }>(input, 'Filters') ?? [];
    if (filters.length > 6) throw validation('Filters', filters, 'Member must have length less than or equal to 6');
    const preds: ((s: SessionRecord) => boolean)[] = [];
    for (const f of filters) {
      const v = f?.value;
      if (typeof v !== 'string' || v.length === 0) throw new ApiError('InvalidFilterValue', `The filter value for ${String(f?.key)} is not valid.`, 400);
      switch (f.key) {
        case 'InvokedAfter':
        case 'InvokedBefore': {
          const t = Date.parse(v);
          if (Number.isNaN(t)) throw new ApiError('InvalidFilterValue', `${f.key} needs a date such as 2018-08-29T00:00:00Z, got "${v}".`, 400);
          preds.push(f.key === 'InvokedAfter' ? (s) => s.startDate.getTime() >= t : (s) => s.startDate.getTime() <= t);
          break;
        }
        case 'Target':
          preds.push((s) => s.target === v);
          break;
        case 'Owner':
          preds.push((s) => s.owner === v);
          break;
        case 'Status':
          preds.push((s) => s.status === v);
          break;
        case 'SessionId':
          preds.push((s) => s.sessionId === v);
          break;
        default:
          throw new ApiError('InvalidFilterKey', `The filter key ${String(f?.key)} is not valid. Valid keys: InvokedAfter, InvokedBefore, Target, Owner, Status, SessionId.`, 400);
      }
    }
    const all = [...this.sessions.values()]
      .map((s) => this.refreshStatus(s))
      .filter((s) => s.region === auth.region && (state === 'Active') === !s.endDate && preds.every((p) => p(s)))
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime() || (a.sessionId < b.sessionId ? -1 : 1));
    const start = this.offsetFromToken(input.NextToken);
    const page = all.slice(start, start + maxResults);
    const next = start + maxResults < all.length ? encodeToken({ o: start + maxResults }) : undefined;
    return { Sessions: page.map((s) => this.sessionOut(s)), ...(next ? { NextToken: next } : {}) };
  }

  /** Active sessions report what the data channel is doing right now. */
  private refreshStatus(s: SessionRecord): SessionRecord {
    if (s.endDate) return s;
    const c = this.ctx.connection?.(s.sessionId);
    if (c) s.status = c.connected ? 'Connected' : c.everConnected ? 'Disconnected' : 'Connecting';
    return s;
  }

  private sessionOut(s: SessionRecord) {
    const transcript = s.preferences.transcriptPath ? pathToFileURL(s.preferences.transcriptPath).href : undefined;
    return {
      SessionId: s.sessionId,
      Target: s.target,
      Status: s.status,
      StartDate: s.startDate,
      ...(s.endDate ? { EndDate: s.endDate } : {}),
      DocumentName: s.documentName,
      Owner: s.owner,
      ...(s.reason ? { Reason: s.reason } : {}),
      ...(s.endReason ? { Details: s.exitCode !== undefined ? `${s.endReason} (exit code ${s.exitCode})` : s.endReason } : {}),
      ...(s.endDate && transcript
        ? { OutputUrl: { ...(s.s3Logging ? { S3OutputUrl: transcript } : {}), ...(s.cloudWatchLogging ? { CloudWatchOutputUrl: transcript } : {}) } }
        : {}),
      ...(s.preferences.maxSessionDurationMinutes ? { MaxSessionDuration: String(s.preferences.maxSessionDurationMinutes) } : {}),
    };
  }

  // ---- documents -------------------------------------------------------------------

  private findDocument(auth: AuthContext, name: string): StoredDocument {
    // Names may also be given as ARNs.
    const bare = name.includes(':document/') ? name.slice(name.indexOf(':document/') + 10) : name;
    const d = this.documents.get(`${auth.region}/${bare}`) ?? this.awsDocuments.get(bare);
    if (!d) throw new ApiError('InvalidDocument', `Document with name ${bare} does not exist.`, 400);
    return d;
  }

  /** The Session document StartSession runs; RunShell falls back to the built-in shell. */
  private sessionDocument(auth: AuthContext, name: string): SessionDocument {
    let stored: StoredDocument;
    try {
      stored = this.findDocument(auth, name);
    } catch (e) {
      if (name === RUN_SHELL) return { schemaVersion: '1.0', sessionType: 'Standard_Stream' };
      throw e;
    }
    if (stored.documentType !== 'Session') throw new ApiError('InvalidDocument', `Document ${name} is of type ${stored.documentType}; StartSession needs a Session document.`, 400);
    // RunShell preferences follow the latest version (what `update-document --document-version $LATEST` changes).
    const v = name === RUN_SHELL ? latest(stored) : version(stored, stored.defaultVersion);
    return v.parsed as unknown as SessionDocument;
  }

  private parseContent(input: Record<string, unknown>, documentType: string): { text: string; parsed: Record<string, unknown> } {
    const text = reqString(input, 'Content', 64 * 1024);
    const format = optString(input, 'DocumentFormat') ?? 'JSON';
    if (format !== 'JSON') throw new ApiError('InvalidDocumentContent', `DocumentFormat ${format} is not supported by the sandbox; use JSON.`, 400);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new ApiError('InvalidDocumentContent', `The content is not valid JSON: ${(e as Error).message}`, 400);
    }
    if (documentType === 'Session') validateSessionDocument(parsed);
    else validateOtherDocument(parsed);
    return { text, parsed: parsed as Record<string, unknown> };
  }

  private createDocument(input: Record<string, unknown>, auth: AuthContext) {
    const name = reqString(input, 'Name', 128);
    if (!/^[a-zA-Z0-9_\-.]{3,128}$/.test(name)) throw validation('Name', name, 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,128}$');
    if (/^(aws|amazon|amzn)/i.test(name)) throw new ApiError('ValidationException', `Document name ${name} is reserved: names can't start with aws, amazon or amzn.`, 400);
    const key = `${auth.region}/${name}`;
    if (this.documents.has(key)) throw new ApiError('DocumentAlreadyExists', `Document with same name ${name} already exists`, 400);
    const documentType = optString(input, 'DocumentType') ?? 'Command';
    const { text, parsed } = this.parseContent(input, documentType);
    const tags = (optArray<{ Key: string; Value: string }>(input, 'Tags') ?? []).map((t) => ({ Key: String(t.Key), Value: String(t.Value ?? '') }));
    const doc: StoredDocument = {
      name,
      owner: this.ctx.accountId,
      documentType,
      targetType: optString(input, 'TargetType'),
      displayName: optString(input, 'DisplayName'),
      tags,
      createdDate: new Date(),
      versions: [makeVersion('1', text, parsed, optString(input, 'VersionName'))],
      defaultVersion: '1',
    };
    this.documents.set(key, doc);
    return { DocumentDescription: this.describe(doc, doc.versions[0]) };
  }

  private describe(d: StoredDocument, v: { documentVersion: string; versionName?: string; parsed: Record<string, unknown>; createdDate: Date; hash: string }) {
    const params = (v.parsed.parameters ?? {}) as Record<string, { type?: string; description?: string; default?: unknown }>;
    return {
      Hash: v.hash,
      HashType: 'Sha256',
      Name: d.name,
      ...(d.displayName ? { DisplayName: d.displayName } : {}),
      ...(v.versionName ? { VersionName: v.versionName } : {}),
      Owner: d.owner,
      CreatedDate: v.createdDate,
      Status: 'Active',
      DocumentVersion: v.documentVersion,
      ...(typeof v.parsed.description === 'string' ? { Description: v.parsed.description } : {}),
      Parameters: Object.entries(params).map(([Name, p]) => ({
        Name,
        Type: p.type,
        ...(p.description ? { Description: p.description } : {}),
        ...(p.default !== undefined ? { DefaultValue: typeof p.default === 'string' ? p.default : JSON.stringify(p.default) } : {}),
      })),
      PlatformTypes: ['Windows', 'Linux', 'MacOS'],
      DocumentType: d.documentType,
      SchemaVersion: String(v.parsed.schemaVersion),
      LatestVersion: latest(d).documentVersion,
      DefaultVersion: d.defaultVersion,
      DocumentFormat: 'JSON',
      ...(d.targetType ? { TargetType: d.targetType } : {}),
      Tags: d.tags,
    };
  }

  private pickVersion(d: StoredDocument, input: Record<string, unknown>) {
    const requested = optString(input, 'DocumentVersion');
    const versionName = optString(input, 'VersionName');
    if (versionName !== undefined) {
      const v = d.versions.find((x) => x.versionName === versionName);
      if (!v) throw new ApiError('InvalidDocumentVersion', `Document ${d.name} has no version named ${versionName}.`, 400);
      return v;
    }
    if (requested === undefined) return version(d, d.defaultVersion);
    if (requested === '$LATEST') return latest(d);
    if (requested === '$DEFAULT') return version(d, d.defaultVersion);
    return version(d, requested);
  }

  private getDocument(input: Record<string, unknown>, auth: AuthContext) {
    const d = this.findDocument(auth, reqString(input, 'Name'));
    const v = this.pickVersion(d, input);
    const format = optString(input, 'DocumentFormat') ?? 'JSON';
    if (format !== 'JSON') throw new ApiError('InvalidDocumentContent', `DocumentFormat ${format} is not supported by the sandbox; use JSON.`, 400);
    return {
      Name: d.name,
      CreatedDate: v.createdDate,
      ...(d.displayName ? { DisplayName: d.displayName } : {}),
      ...(v.versionName ? { VersionName: v.versionName } : {}),
      DocumentVersion: v.documentVersion,
      Status: 'Active',
      Content: v.content,
      DocumentType: d.documentType,
      DocumentFormat: 'JSON',
    };
  }

  private describeDocument(input: Record<string, unknown>, auth: AuthContext) {
    const d = this.findDocument(auth, reqString(input, 'Name'));
    return { Document: this.describe(d, this.pickVersion(d, input)) };
  }

  private ownDocument(auth: AuthContext, name: string, action: string): StoredDocument {
    const d = this.findDocument(auth, name);
    if (d.owner === 'Amazon') throw new ApiError('InvalidDocumentOperation', `You can't ${action} the AWS-owned document ${name}.`, 400);
    return d;
  }

  private updateDocument(input: Record<string, unknown>, auth: AuthContext) {
    const d = this.ownDocument(auth, reqString(input, 'Name'), 'update');
    const requested = optString(input, 'DocumentVersion') ?? '$LATEST';
    const last = latest(d);
    if (requested !== '$LATEST' && requested !== last.documentVersion) {
      throw new ApiError('InvalidDocumentVersion', `The document version ${requested} is not valid. Updates must be based on the latest version (${last.documentVersion}) or $LATEST.`, 400);
    }
    const { text, parsed } = this.parseContent(input, d.documentType);
    if (d.versions.some((v) => v.content === text)) throw new ApiError('DuplicateDocumentContent', 'The content of the document matches another version of this document.', 400);
    const versionName = optString(input, 'VersionName');
    if (versionName !== undefined && d.versions.some((v) => v.versionName === versionName)) {
      throw new ApiError('DuplicateDocumentVersionName', `The version name ${versionName} is already used by another version of this document.`, 400);
    }
    if (d.versions.length >= 1000) throw new ApiError('DocumentVersionLimitExceeded', 'The document has reached the limit of 1000 versions.', 400);
    const v = makeVersion(String(Number(last.documentVersion) + 1), text, parsed, versionName);
    d.versions.push(v);
    return { DocumentDescription: this.describe(d, v) };
  }

  private updateDocumentDefaultVersion(input: Record<string, unknown>, auth: AuthContext) {
    const d = this.ownDocument(auth, reqString(input, 'Name'), 'change the default version of');
    const requested = reqString(input, 'DocumentVersion');
    const v = requested === '$LATEST' ? latest(d) : version(d, requested);
    d.defaultVersion = v.documentVersion;
    return { Description: { Name: d.name, DefaultVersion: v.documentVersion, ...(v.versionName ? { DefaultVersionName: v.versionName } : {}) } };
  }

  private deleteDocument(input: Record<string, unknown>, auth: AuthContext) {
    const name = reqString(input, 'Name');
    const d = this.ownDocument(auth, name, 'delete');
    const requested = optString(input, 'DocumentVersion');
    const versionName = optString(input, 'VersionName');
    if (requested === undefined && versionName === undefined) {
      this.documents.delete(`${auth.region}/${d.name}`);
      return {};
    }
    const v = this.pickVersion(d, input);
    if (v.documentVersion === d.defaultVersion) throw new ApiError('InvalidDocumentOperation', `You can't delete the default version (${v.documentVersion}) of ${d.name}.`, 400);
    d.versions = d.versions.filter((x) => x !== v);
    return {};
  }

  private listDocuments(input: Record<string, unknown>, auth: AuthContext) {
    const maxResults = optInt(input, 'MaxResults', 1, 50) ?? 50;
    const legacy = optArray<{ key?: string; value?: string }>(input, 'DocumentFilterList') ?? [];
    const filters = optArray<{ Key?: string; Values?: string[] }>(input, 'Filters') ?? [];
    const checks = [
      ...legacy.map((f) => ({ key: String(f?.key), values: [String(f?.value)] })),
      ...filters.map((f) => ({ key: String(f?.Key), values: Array.isArray(f?.Values) ? f.Values.map(String) : [] })),
    ];
    const own = [...this.documents.entries()].filter(([k]) => k.startsWith(`${auth.region}/`)).map(([, d]) => d);
    const all = [...this.awsDocuments.values(), ...own]
      .filter((d) => checks.every((c) => this.documentMatches(d, c.key, c.values)))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const start = this.offsetFromToken(input.NextToken);
    const page = all.slice(start, start + maxResults);
    const next = start + maxResults < all.length ? encodeToken({ o: start + maxResults }) : undefined;
    return {
      DocumentIdentifiers: page.map((d) => {
        const v = version(d, d.defaultVersion);
        return {
          Name: d.name,
          CreatedDate: d.createdDate,
          ...(d.displayName ? { DisplayName: d.displayName } : {}),
          Owner: d.owner,
          ...(v.versionName ? { VersionName: v.versionName } : {}),
          PlatformTypes: ['Windows', 'Linux', 'MacOS'],
          DocumentVersion: v.documentVersion,
          DocumentType: d.documentType,
          SchemaVersion: String(v.parsed.schemaVersion),
          DocumentFormat: 'JSON',
          ...(d.targetType ? { TargetType: d.targetType } : {}),
          Tags: d.tags,
        };
      }),
      ...(next ? { NextToken: next } : {}),
    };
  }

  private documentMatches(d: StoredDocument, key: string, values: string[]): boolean {
    const self = d.owner !== 'Amazon';
    switch (key) {
      case 'Name':
        return values.some((v) => d.name.startsWith(v));
      case 'Owner':
        return values.some((v) => v === 'All' || ((v === 'Self' || v === 'Private' || v === this.ctx.accountId) && self) || (v === 'Amazon' && !self));
      case 'DocumentType':
        return values.includes(d.documentType);
      case 'PlatformTypes':
        return values.some((v) => ['Windows', 'Linux', 'MacOS'].includes(v));
      case 'TargetType':
        return d.targetType !== undefined && values.includes(d.targetType);
      case 'SearchKeyword':
        return values.some((v) => d.name.toLowerCase().includes(v.toLowerCase()));
      case 'tag-key':
        return d.tags.some((t) => values.includes(t.Key));
      default:
        if (key.startsWith('tag:')) return d.tags.some((t) => t.Key === key.slice(4) && values.some((v) => globToRegExp(v).test(t.Value)));
        throw new ApiError('InvalidFilterKey', `The filter key ${key} is not valid.`, 400);
    }
  }

  private listDocumentVersions(input: Record<string, unknown>, auth: AuthContext) {
    const d = this.findDocument(auth, reqString(input, 'Name'));
    return {
      DocumentVersions: d.versions.map((v) => ({
        Name: d.name,
        DocumentVersion: v.documentVersion,
        ...(v.versionName ? { VersionName: v.versionName } : {}),
        CreatedDate: v.createdDate,
        IsDefaultVersion: v.documentVersion === d.defaultVersion,
        DocumentFormat: 'JSON',
        Status: 'Active',
      })),
    };
  }
}

function latest(d: StoredDocument) {
  return d.versions[d.versions.length - 1];
}

function version(d: StoredDocument, v: string) {
  const found = d.versions.find((x) => x.documentVersion === v);
  if (!found) throw new ApiError('InvalidDocumentVersion', `The document version ${v} is not valid for ${d.name}.`, 400);
  return found;
}

function newToken(): string {
  return randomBytes(96).toString('base64').replace(/=+$/, '');
}
