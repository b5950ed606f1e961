// Preflight: before a session on a node, check what would make it fail and explain it —
// ping status, connection status, the agent version the document needs, the KMS key the
// preferences name, and which session engine will carry it.
import { DescribeInstanceInformationCommand, GetConnectionStatusCommand, GetDocumentCommand, type InstanceInformation, type SSMClient } from '@aws-sdk/client-ssm';
import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { HatchError } from '../../shared/contract';
import { compareVersions, PORT_AGENT_VERSION, REMOTE_HOST_AGENT_VERSION, SMUX_AGENT_VERSION, worstStatus, type PreflightCheck } from '../../shared/domain/preflight';
import { PREFERENCES_DOCUMENT, preferencesFromDocument } from '../../shared/domain/preferences';
import type { PluginInfo } from '../sessions/plugin-locator';
import { describeAwsError } from '../sessions/aws-errors';
import { awsErrorMessage, awsErrorName, isAccessDenied, missingPermission } from './aws-access';

export interface PreflightDeps {
  ssm(profile: string, region: string): Promise<SSMClient>;
  kms(profile: string, region: string): Promise<KMSClient>;
  plugin(): Promise<PluginInfo>;
}

interface PreflightRequest {
  profile: string;
  region: string;
  target: string;
  documentName?: string;
}

const check = (name: string, status: PreflightCheck['status'], message: string, action: string | null = null): PreflightCheck => ({ check: name, status, message, action });

function denied(name: string, error: unknown, action: string): PreflightCheck {
  const m = missingPermission(error, action);
  return check(name, 'warn', `Could not check: ${m.action} is not allowed for this profile.`, `Ask for ${m.action}.`);
}

export async function runPreflight(deps: PreflightDeps, request: PreflightRequest): Promise<{ checks: PreflightCheck[]; status: PreflightCheck['status'] }> {
  const { profile, region, target } = request;
  const documentName = request.documentName ?? PREFERENCES_DOCUMENT;
  const checks: PreflightCheck[] = [];
  let ssm: SSMClient;
  try {
    ssm = await deps.ssm(profile, region);
  } catch (error) {
    const described = describeAwsError(error, { profile, region });
    checks.push(check('Credentials', 'fail', described.message, described.action));
    return { checks, status: 'fail' };
  }

  // 1. The node, its ping status and agent.
  let node: InstanceInformation | undefined;
  try {
    const out = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [target] }] }));
    node = out.InstanceInformationList?.[0];
    if (!node) checks.push(check('Managed node', 'fail', `${target} is not a managed node in ${region}.`, 'Check the region, and that the SSM agent is installed and registered.'));
    else if (node.PingStatus === 'Online') checks.push(check('Node ping status', 'ok', `Online (agent ${node.AgentVersion ?? 'unknown'}, ${node.PlatformName ?? node.PlatformType ?? 'unknown platform'}).`));
    else
      checks.push(
        check(
          'Node ping status',
          'fail',
          `The agent reports ${node.PingStatus ?? 'no status'}${node.LastPingDateTime ? ` (last ping ${node.LastPingDateTime.toISOString()})` : ''}.`,
          'Start the node, or check the SSM agent is running and can reach the SSM endpoints.',
        ),
      );
  } catch (error) {
    if (isAccessDenied(error)) checks.push(denied('Node ping status', error, 'ssm:DescribeInstanceInformation'));
    else {
      const described = describeAwsError(error, { profile, region, target });
      checks.push(check('Node ping status', 'fail', described.message, described.action));
      if (['ExpiredTokenException', 'UnrecognizedClientException', 'InvalidSignatureException'].includes(awsErrorName(error)) || described.code === 'Unavailable') {
        return { checks, status: 'fail' };
      }
    }
  }

  // 2. What Session Manager itself says about connecting.
  try {
    const out = await ssm.send(new GetConnectionStatusCommand({ Target: target }));
    checks.push(
      out.Status === 'connected'
        ? check('Connection status', 'ok', 'Session Manager can connect to the node.')
        : check('Connection status', 'fail', 'Session Manager reports the node as not connected.', 'Check the node is running and its agent can reach ssmmessages.'),
    );
  } catch (error) {
    checks.push(isAccessDenied(error) ? denied('Connection status', error, 'ssm:GetConnectionStatus') : check('Connection status', 'warn', `Could not check: ${awsErrorMessage(error)}`));
  }

  // 3. The document, and the agent version it needs.
  let sessionType: string | null = null;
  try {
    const doc = await ssm.send(new GetDocumentCommand({ Name: documentName, ...(documentName === PREFERENCES_DOCUMENT ? { DocumentVersion: '$LATEST' } : {}) }));
    try {
      sessionType = (JSON.parse(doc.Content ?? '{}') as { sessionType?: string }).sessionType ?? null;
    } catch {
      sessionType = null;
    }
    if (doc.DocumentType && doc.DocumentType !== 'Session') checks.push(check('Session document', 'fail', `${documentName} is a ${doc.DocumentType} document; sessions need a Session document.`, 'Pick a Session document.'));
    else checks.push(check('Session document', 'ok', `${documentName} (${sessionType ?? 'unknown type'}, version ${doc.DocumentVersion ?? '?'}).`));
  } catch (error) {
    if (awsErrorName(error) === 'InvalidDocument' && documentName === PREFERENCES_DOCUMENT) {
      sessionType = 'Standard_Stream';
      checks.push(check('Session document', 'ok', 'No preferences document in this region: AWS’s defaults apply (20 minute idle timeout, no encryption, no logging).'));
    } else if (awsErrorName(error) === 'InvalidDocument') {
      checks.push(check('Session document', 'fail', `${documentName} does not exist in ${region}.`, 'Pick a document from the catalogue.'));
    } else if (isAccessDenied(error)) checks.push(denied('Session document', error, 'ssm:GetDocument'));
    else checks.push(check('Session document', 'warn', `Could not read ${documentName}: ${awsErrorMessage(error)}`));
  }

  const agent = node?.AgentVersion;
  if (agent && sessionType === 'Port') {
    const remote = documentName === 'AWS-StartPortForwardingSessionToRemoteHost';
    const needed = remote ? REMOTE_HOST_AGENT_VERSION : PORT_AGENT_VERSION;
    if (compareVersions(agent, needed) < 0) {
      checks.push(check('Agent version', 'fail', `Agent ${agent} is older than ${needed}, which ${remote ? 'port forwarding to a remote host' : 'port forwarding'} needs.`, 'Update the SSM agent (AWS-UpdateSSMAgent).'));
    } else if (compareVersions(agent, SMUX_AGENT_VERSION) < 0) {
      checks.push(
        check(
          'Agent version',
          'warn',
          `Agent ${agent} is older than ${SMUX_AGENT_VERSION}: no multiplexed (smux) port forwarding, so one connection at a time.`,
          'Update the SSM agent (AWS-UpdateSSMAgent) for concurrent connections.',
        ),
      );
    } else checks.push(check('Agent version', 'ok', `Agent ${agent} supports multiplexed port forwarding.`));
  } else if (agent) {
    checks.push(check('Agent version', 'ok', `Agent ${agent}${node?.IsLatestVersion === false ? ' (a newer version exists)' : ''}.`));
  }

  // 4. KMS encryption named by the preferences (shell sessions only: port sessions are not encrypted).
  if (sessionType !== 'Port') {
    try {
      const prefs = await ssm.send(new GetDocumentCommand({ Name: PREFERENCES_DOCUMENT, DocumentVersion: '$LATEST' }));
      let parsed: unknown = {};
      try {
        parsed = JSON.parse(prefs.Content ?? '{}');
      } catch {
        parsed = {};
      }
      const keyId = preferencesFromDocument(parsed).kmsKeyId;
      if (keyId) checks.push(await kmsCheck(deps, profile, region, keyId));
      else checks.push(check('KMS encryption', 'ok', 'The preferences do not ask for KMS encryption.'));
    } catch (error) {
      if (awsErrorName(error) === 'InvalidDocument') checks.push(check('KMS encryption', 'ok', 'The preferences do not ask for KMS encryption.'));
      else if (isAccessDenied(error)) checks.push(denied('KMS encryption', error, 'ssm:GetDocument'));
      else checks.push(check('KMS encryption', 'warn', `Could not read the preferences: ${awsErrorMessage(error)}`));
    }
  }

  // 5. The engines.
  try {
    const plugin = await deps.plugin();
    checks.push(
      plugin.found
        ? check('Session engine', 'ok', `session-manager-plugin ${plugin.version ?? ''} found${plugin.path ? ` at ${plugin.path}` : ''}; Hatch’s built-in engine is also available.`)
        : check('Session engine', 'ok', 'AWS’s session-manager-plugin is not installed; Hatch’s built-in engine will carry the session.', null),
    );
  } catch {
    checks.push(check('Session engine', 'ok', 'Hatch’s built-in engine will carry the session.'));
  }

  return { checks, status: worstStatus(checks) };
}

async function kmsCheck(deps: PreflightDeps, profile: string, region: string, keyId: string): Promise<PreflightCheck> {
  const name = 'KMS encryption';
  try {
    const kms = await deps.kms(profile, region);
    const out = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    const meta = out.KeyMetadata;
    if (!meta) return check(name, 'warn', `KMS did not describe ${keyId}.`);
    if (meta.Enabled === false || (meta.KeyState && meta.KeyState !== 'Enabled')) {
      return check(name, 'fail', `The preferences encrypt sessions with ${keyId}, which is ${meta.KeyState ?? 'disabled'}.`, 'Enable the key, or choose another key in Preferences.');
    }
    return check(name, 'ok', `Sessions are encrypted with ${keyId} (enabled).`);
  } catch (error) {
    if (awsErrorName(error) === 'NotFoundException') return check(name, 'fail', `The preferences name the KMS key ${keyId}, which does not exist.`, 'Choose an existing key in Preferences.');
    if (isAccessDenied(error)) return denied(name, error, 'kms:DescribeKey');
    if (error instanceof HatchError) return check(name, 'warn', error.message, error.action);
    return check(name, 'warn', `Could not check ${keyId}: ${awsErrorMessage(error)}`);
  }
}
