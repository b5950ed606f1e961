// Why a data-channel connection failed, in one line, and whether trying again can help.
// The first connection fails fast on what retrying cannot fix (the service refused the URL,
// the host name does not resolve, nothing listens on this machine, no handshake within the
// deadline, a TLS failure, an insecure URL); each cause has its own code so a command line
// can exit with a distinct status (docs/engine-on-networks.md).
import net from 'node:net';
import { ProtocolError } from './codec';

export type ConnectFailureCode =
  | 'stream-rejected' // HTTP 4xx on the stream URL
  | 'dns-failed' // the host name does not resolve
  | 'connection-refused' // nothing listens (on this machine)
  | 'handshake-timeout' // the WebSocket handshake never completed
  | 'tls-failed' // certificate or TLS negotiation
  | 'insecure-stream-url' // ws:// to something other than loopback
  | 'bad-stream-url' // not a ws:// or wss:// URL
  | 'unreachable'; // anything else (reset, timeout, 5xx): worth retrying

export class ConnectError extends ProtocolError {
  constructor(
    code: ConnectFailureCode,
    message: string,
    /** Trying again (later) may succeed. */
    readonly retryable: boolean,
  ) {
    super(code, message);
    this.name = 'ConnectError';
  }
}

const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', 'ip6-loopback']);

function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (LOOPBACK_NAMES.has(h) || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** scheme://host[:port] only: never the path or query of a stream URL in a message. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'the stream URL';
  }
}

/**
 * wss:// anywhere; ws:// only to this machine, since the session token travels in the first
 * frame and would cross the network in clear.
 */
export function checkStreamUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConnectError('bad-stream-url', 'The stream URL is not a valid URL.', false);
  }
  if (u.protocol === 'wss:') return;
  if (u.protocol !== 'ws:') throw new ConnectError('bad-stream-url', `The stream URL must be wss:// (got ${u.protocol}//).`, false);
  if (!isLoopbackHost(u.hostname)) {
    throw new ConnectError(
      'insecure-stream-url',
      `Refusing ws://${u.host}: an unencrypted data channel is allowed only to this machine (the session token would travel in clear); use wss://.`,
      false,
    );
  }
}

/** Classifies a dial error (from ws or the socket under it). */
export function classifyConnectError(err: unknown, url: string): ConnectError {
  if (err instanceof ConnectError) return err;
  const e = err as NodeJS.ErrnoException & { message?: string };
  const where = describeUrl(url);
  let host = '';
  try {
    host = new URL(url).hostname;
  } catch {
    /* described above */
  }
  const message = e?.message ?? String(err);
  const status = /Unexpected server response: (\d{3})/.exec(message);
  if (status) {
    const code = Number(status[1]);
    if (code >= 400 && code < 500) return new ConnectError('stream-rejected', `${where} refused the data channel: HTTP ${code} (the session or its token is not valid any more).`, false);
    return new ConnectError('unreachable', `${where} answered HTTP ${code}.`, true);
  }
  if (/handshake has timed out/i.test(message)) return new ConnectError('handshake-timeout', `${where} accepted the connection but never completed the WebSocket handshake.`, false);
  switch (e?.code) {
    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return new ConnectError('dns-failed', `The host name ${host} does not resolve (${e.code}).`, false);
    case 'ECONNREFUSED':
      return new ConnectError('connection-refused', `Nothing accepts connections at ${where} (connection refused).`, !isLoopbackHost(host));
    default:
      break;
  }
  if (typeof e?.code === 'string' && /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(e.code)) {
    return new ConnectError('tls-failed', `TLS with ${where} failed: ${message}`, false);
  }
  return new ConnectError('unreachable', `Cannot reach ${where}: ${message}`, true);
}
