// Every wait in a bench has a deadline: when it passes, the bench stops with what it was
// waiting for and what it saw instead of hanging (a bench that never ends measures nothing).

export class DeadlineError extends Error {
  constructor(what: string, ms: number, seen: string) {
    super(`gave up after ${(ms / 1000).toFixed(0)} s waiting for ${what}; saw: ${seen}`);
    this.name = 'DeadlineError';
  }
}

/** `promise`, or a DeadlineError naming `what` and `seen()` if it has not settled within `ms`. */
export function within<T>(what: string, ms: number, promise: Promise<T>, seen: () => string = () => 'nothing'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, ms, seen())), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Polls `check` every `stepMs` until it returns something truthy (returned), or fails like within(). */
export async function until<T>(what: string, ms: number, check: () => T | undefined | null | false, seen: () => string = () => 'nothing', stepMs = 20): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new DeadlineError(what, ms, seen());
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/** The last `n` characters of some text, quoted and escaped, for a `seen` report. */
export function tail(text: string, n = 200): string {
  return JSON.stringify(text.slice(-n));
}
