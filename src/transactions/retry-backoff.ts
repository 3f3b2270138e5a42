export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * Exponential backoff with jitter: base x 2^(n-1), capped, then shortened by up to 20 % at random
 * so boxes that failed together do not retry together. The ranges of successive attempts never
 * overlap, so each wait is longer than the last until the cap.
 */
export function retryDelayMs(retryCount: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, retryCount - 1);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(exponent, 30));
  return Math.round(ceiling * (1 - 0.2 * random()));
}
