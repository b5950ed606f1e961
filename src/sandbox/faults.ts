// Fault specification: "drop=0.01,dup=0.01,reorder=0.01,delay=20ms,cut=10s,throttle=0.1".
// Data-channel faults go to the agent; throttle and expire are applied by the API server.
import type { DataChannelFaults } from './agent-api';

export interface FaultSpec extends DataChannelFaults {
  /** Share (0..1) of API calls answered with the service's throttling error. */
  throttle: number;
  /** Caps the lifetime of temporary credentials (sandbox ms); 0 = no cap. */
  expireMs: number;
  /** Seed of the fault PRNG, so a run can be replayed. */
  seed: number;
  /**
   * Regions whose SSM, EC2 and KMS calls are denied (AccessDeniedException /
   * UnauthorizedOperation), like a service control policy that denies a region.
   * Read live: a test may change it while the sandbox runs.
   */
  deny?: string[];
}

export const FAULT_HELP = `Fault options (--faults KEY=VALUE[,KEY=VALUE…]):
  drop=P        drop this share (0..1) of data-channel messages in each direction
  dup=P         send this share of data-channel messages twice
  reorder=P     hold back this share of data-channel messages behind the next one
  delay=D       delay every data-channel message by D (e.g. 20ms, 1s)
  cut=D         cut every data-channel WebSocket every D of sandbox time (e.g. 10s)
  stall=D/E     every E of sandbox time, every data-channel WebSocket goes silent for D
                without closing (half-open: no frames, no pongs, new connections reset),
                e.g. stall=30s/5m
  limit=R       a service that slows a fast sender down: above R bytes per second per
                socket and direction, a growing share of data-channel frames is dropped
                (e.g. limit=2MB, limit=500KB; units B, KB, MB, decimal)
  throttle=P    answer this share of API calls with the service's throttling error
                (ThrottlingException / Throttling / RequestLimitExceeded)
  expire=D      temporary credentials (AssumeRole, GetSessionToken) expire after D
  deny=REGION   deny every SSM, EC2 and KMS call in REGION, as an SCP denying the
                region would (AccessDeniedException / UnauthorizedOperation);
                repeat for more regions: deny=eu-west-1,deny=us-west-2
  seed=N        seed for the fault random generator (default 1)
Durations take ms, s, m or h; a bare number is milliseconds.`;

export function noFaults(): FaultSpec {
  return { drop: 0, dup: 0, reorder: 0, delayMs: 0, cutEveryMs: 0, throttle: 0, expireMs: 0, seed: 1 };
}

export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`invalid duration "${text}" (use e.g. 20ms, 10s, 5m)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

/** "2MB", "500KB", "1500000" (bytes per second, decimal units). */
function parseRate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?(?:\/s)?$/i.exec(text.trim());
  if (!m || Number(m[1]) <= 0) throw new Error(`invalid rate "${text}" (use e.g. 500KB, 2MB)`);
  const unit = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9 }[(m[2] ?? 'B').toLowerCase() as 'b' | 'kb' | 'mb' | 'gb'];
  return Number(m[1]) * unit;
}

function parseShare(key: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new Error(`fault ${key}: expected a share between 0 and 1, got "${text}"`);
  return n;
}

export function parseFaults(spec: string | undefined): FaultSpec {
  const out = noFaults();
  if (!spec) return out;
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(`fault "${part}": expected KEY=VALUE`);
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    switch (key) {
      case 'drop':
      case 'dup':
      case 'reorder':
      case 'throttle':
        out[key] = parseShare(key, value);
        break;
      case 'delay':
        out.delayMs = parseDuration(value);
        break;
      case 'cut':
        out.cutEveryMs = parseDuration(value);
        break;
      case 'stall': {
        const [d, e] = value.split('/');
        if (e === undefined) throw new Error(`fault stall: expected DURATION/EVERY (e.g. 30s/5m), got "${value}"`);
        out.stallMs = parseDuration(d);
        out.stallEveryMs = parseDuration(e);
        if (out.stallEveryMs <= out.stallMs) throw new Error('fault stall: the period must be longer than the stall');
        break;
      }
      case 'limit':
        out.rateLimitBytesPerSec = parseRate(value);
        break;
      case 'expire':
        out.expireMs = parseDuration(value);
        break;
      case 'deny':
        if (!/^[a-z]{2}(-[a-z0-9]+)+-\d+$/.test(value)) throw new Error(`fault deny: expected a region name (e.g. eu-west-1), got "${value}"`);
        out.deny = [...(out.deny ?? []), value];
        break;
      case 'seed':
        if (!/^\d+$/.test(value)) throw new Error(`fault seed: expected an integer, got "${value}"`);
        out.seed = Number(value);
        break;
      default:
        throw new Error(`unknown fault "${key}" (known: drop, dup, reorder, delay, cut, stall, limit, throttle, expire, deny, seed)`);
    }
  }
  return out;
}

export function dataChannelFaults(f: FaultSpec): DataChannelFaults {
  return {
    drop: f.drop,
    dup: f.dup,
    reorder: f.reorder,
    delayMs: f.delayMs,
    cutEveryMs: f.cutEveryMs,
    stallMs: f.stallMs,
    stallEveryMs: f.stallEveryMs,
    rateLimitBytesPerSec: f.rateLimitBytesPerSec,
    seed: f.seed,
  };
}

/** mulberry32: small, seedable, good enough to pick which calls fail. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
