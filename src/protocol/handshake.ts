// Client side of the session handshake (spec 6) and the KMS challenge (spec 7.4/7.5).
import { ProtocolError } from './codec';
import { encryptionContext, KmsCipher, DATA_KEY_BYTES, type DataKeyProvider } from './encryption';
import {
  ActionStatus,
  ActionType,
  type HandshakeRequest,
  type HandshakeResponse,
  type KmsEncryptionParameters,
  type KmsEncryptionResult,
  type ProcessedClientAction,
  type SessionTypeParameters,
} from './payloads';

/**
 * The plugin release we mirror. Agents feature-gate on it (6.5): it must be a 4-part numeric
 * version above 1.2.331.0 (smux keep-alive off) and ≥ 1.1.70 (multiplexed port forwarding).
 */
export const CLIENT_VERSION = '1.2.707.0';

export type ShellSessionType = 'Standard_Stream' | 'InteractiveCommands' | 'NonInteractiveCommands';
export type SessionKind = 'shell' | 'port';

export function sessionKindOf(sessionType: string): SessionKind | null {
  if (sessionType === 'Standard_Stream' || sessionType === 'InteractiveCommands' || sessionType === 'NonInteractiveCommands') return 'shell';
  if (sessionType === 'Port') return 'port';
  return null;
}

/**
 * `a > b` the way the reference client compares agent versions (vector agent-versions.json):
 * both must have 4 parts, compared left to right as integers; an unparsable part that is
 * reached before a difference makes the answer false.
 */
export function versionGreaterThan(a: string, b: string): boolean {
  const pa = a.split('.');
  const pb = b.split('.');
  if (pa.length !== 4 || pb.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    if (!/^\d+$/.test(pa[i]) || !/^\d+$/.test(pb[i])) return false;
    const x = Number(pa[i]);
    const y = Number(pb[i]);
    if (x !== y) return x > y;
  }
  return false;
}

/** Client feature switches derived from the agent version (9.1, 9.3, 9.4). */
export function agentFeatures(agentVersion: string): {
  multiplexedPortForwarding: boolean;
  smuxKeepAliveDisabled: boolean;
  terminateSessionFlagSupported: boolean;
} {
  return {
    multiplexedPortForwarding: versionGreaterThan(agentVersion, '3.0.196.0'),
    smuxKeepAliveDisabled: versionGreaterThan(agentVersion, '3.1.1511.0'),
    terminateSessionFlagSupported: versionGreaterThan(agentVersion, '2.3.722.0'),
  };
}

export interface HandshakeContext {
  sessionId: string;
  /** Target exactly as passed to StartSession (the KMS encryption context value). */
  targetId: string;
  clientVersion?: string;
  /** Absent: KMSEncryption is answered with ActionStatus 2 (the agent then ends the session). */
  dataKeys?: DataKeyProvider;
}

export interface HandshakeOutcome {
  response: HandshakeResponse;
  agentVersion: string;
  sessionType: string | null;
  properties: unknown;
  /** Present when a KMSEncryption action succeeded; install it on the channel. */
  cipher?: KmsCipher;
  /** Non-empty when some action failed: the agent will end the session. */
  errors: string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Process a HandshakeRequest: pick the session type, fetch a KMS data key if asked. */
export async function processHandshakeRequest(req: HandshakeRequest, ctx: HandshakeContext): Promise<HandshakeOutcome> {
  const processed: ProcessedClientAction[] = [];
  const errors: string[] = [];
  let sessionType: string | null = null;
  let properties: unknown = null;
  let cipher: KmsCipher | undefined;
  const fail = (type: string, status: number, reason: string): void => {
    const text = status === ActionStatus.Unsupported ? `Unsupported action ${type}` : `Failed to process action ${type}: ${reason}`;
    processed.push({ ActionType: type, ActionStatus: status, ActionResult: null, Error: text });
    errors.push(text);
  };
  for (const action of req.RequestedClientActions) {
    if (action.ActionType === ActionType.SessionType) {
      const p = (isObject(action.ActionParameters) ? action.ActionParameters : {}) as Partial<SessionTypeParameters>;
      const t = typeof p.SessionType === 'string' ? p.SessionType : '';
      if (sessionKindOf(t) === null) {
        fail(action.ActionType, ActionStatus.Failed, `Unknown session type ${t}`);
        continue;
      }
      sessionType = t;
      properties = p.Properties ?? null;
      processed.push({ ActionType: action.ActionType, ActionStatus: ActionStatus.Success, ActionResult: null, Error: '' });
    } else if (action.ActionType === ActionType.KMSEncryption) {
      const p = (isObject(action.ActionParameters) ? action.ActionParameters : {}) as Partial<KmsEncryptionParameters>;
      if (!ctx.dataKeys) {
        fail(action.ActionType, ActionStatus.Failed, 'KMS encryption is not available in this client configuration');
        continue;
      }
      if (typeof p.KMSKeyId !== 'string' || p.KMSKeyId === '') {
        fail(action.ActionType, ActionStatus.Failed, 'no KMSKeyId in the request');
        continue;
      }
      const challenge = typeof p.Challenge === 'string' && p.Challenge !== '' ? p.Challenge : undefined;
      try {
        const key = await ctx.dataKeys.generateDataKey({
          KeyId: p.KMSKeyId,
          NumberOfBytes: DATA_KEY_BYTES,
          EncryptionContext: encryptionContext(ctx.sessionId, ctx.targetId, challenge),
        });
        cipher = new KmsCipher(key.plaintext, 'client');
        const result: KmsEncryptionResult = { KMSCipherTextKey: key.ciphertextBlob.toString('base64'), KMSCipherTextHash: null };
        if (challenge) result.ChallengeAcknowledgement = true;
        processed.push({ ActionType: action.ActionType, ActionStatus: ActionStatus.Success, ActionResult: result, Error: '' });
      } catch (e) {
        fail(action.ActionType, ActionStatus.Failed, (e as Error).message);
      }
    } else {
      // Spec 6.3: Hatch answers Unsupported (3) with a null result (not the reference's quirk).
      fail(action.ActionType, ActionStatus.Unsupported, '');
    }
  }
  return {
    response: { ClientVersion: ctx.clientVersion ?? CLIENT_VERSION, ProcessedClientActions: processed, Errors: errors.length ? errors : null },
    agentVersion: req.AgentVersion,
    sessionType,
    properties,
    cipher,
    errors,
  };
}

/**
 * EncChallengeRequest → EncChallengeResponse bytes (7.4): decrypt with the agent's key half,
 * re-encrypt the same bytes with ours. A wrong data key fails here with a typed error.
 */
export function answerEncChallenge(cipher: KmsCipher, challenge: Buffer): Buffer {
  let plain: Buffer;
  try {
    plain = cipher.decrypt(challenge);
  } catch (e) {
    throw new ProtocolError('encryption-challenge-failed', `cannot decrypt the agent's encryption challenge (${(e as Error).message}); the KMS data key does not match the agent's`);
  }
  return cipher.encrypt(plain);
}
