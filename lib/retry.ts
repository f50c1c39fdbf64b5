// Capped, jittered exponential back-off for operations whose errors say `retriable`. Non-retriable
// errors (and TypeError/RangeError, which are bugs) are rethrown at once. Randomness is injectable.

export interface RetryOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Stop retrying when this returns true (shutdown); the last error is rethrown. */
  shouldStop?: () => boolean;
  /** Called before each wait, e.g. to count and log the retry. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  isRetriable: (err: unknown) => boolean;
}

/** Resolves after `ms` (a timer; the default wait between attempts). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The delay before retry `attempt` (1-based): full jitter over a capped exponential. */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Run `operation` until it succeeds, fails with a non-retriable error, or `shouldStop` says so. */
export async function retry<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  const random = options.random ?? Math.random;
  const wait = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (err) {
      if (err instanceof TypeError || err instanceof RangeError || !options.isRetriable(err) || options.shouldStop?.()) throw err;
      const delay = backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs, random);
      options.onRetry?.(err, attempt, delay);
      await wait(delay);
    }
  }
}
