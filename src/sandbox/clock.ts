// Sandbox time. Wall-clock instants stay real (SigV4 dates and SDK clock-skew checks
// must keep working); only durations the sandbox imposes are compressed by timeScale,
// so a 20-minute idle timeout or a 15-minute credential can run out in a test.

export interface Clock {
  readonly timeScale: number;
  now(): number;
  /** Sandbox milliseconds → wall milliseconds. */
  wallMs(sandboxMs: number): number;
}

export function createClock(timeScale = 1, now: () => number = Date.now): Clock {
  if (!Number.isFinite(timeScale) || timeScale <= 0) throw new Error(`time scale must be a positive number, got ${timeScale}`);
  return { timeScale, now, wallMs: (ms) => ms / timeScale };
}
