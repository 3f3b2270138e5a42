import { retryDelayMs } from './retry-backoff';

describe(retryDelayMs.name, () => {
  const policy = { baseMs: 1000, maxMs: 60_000 };

  it('doubles with each attempt, without jitter at the top of the range', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, policy, () => 0))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('shortens by at most 20 % at random', () => {
    expect(retryDelayMs(3, policy, () => 0.999999)).toBe(3200);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(3600);
  });

  it('never waits less for a later attempt, whatever the jitter', () => {
    for (let n = 1; n < 6; n++) {
      expect(retryDelayMs(n + 1, policy, () => 0.999999)).toBeGreaterThan(retryDelayMs(n, policy, () => 0));
    }
  });

  it('is capped', () => {
    expect(retryDelayMs(40, policy, () => 0)).toBe(60_000);
  });
});
