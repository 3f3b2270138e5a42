/** When a box is "sick": it stops receiving new work for a cool-down. */
export const HEALTH_WINDOW = 20;
export const MIN_SAMPLES_FOR_RATE = 10;
export const MAX_CONSECUTIVE_FAILURES = 5;
export const RECOVERY_SUCCESSES = 2;

export interface BoxHealth {
  /** Oldest first, 'S' or 'F', at most HEALTH_WINDOW. */
  recentOutcomes: string;
  consecutiveFailures: number;
  degradedUntil: number | null;
  degradedReason: string | null;
}

/**
 * The box's health after one more outcome. It degrades after MAX_CONSECUTIVE_FAILURES failures in
 * a row, or more than half failures over its last outcomes (once there are enough of them); the
 * window then starts afresh, and RECOVERY_SUCCESSES successes in a row (its work in flight) or the
 * cool-down end the degradation.
 */
export function afterOutcome(health: BoxHealth, success: boolean, now: number, cooldownMs: number): BoxHealth {
  const recentOutcomes = (health.recentOutcomes + (success ? 'S' : 'F')).slice(-HEALTH_WINDOW);
  const consecutiveFailures = success ? 0 : health.consecutiveFailures + 1;
  const degraded = health.degradedUntil !== null && health.degradedUntil > now;

  if (degraded) {
    const recovered = success && recentOutcomes.endsWith('S'.repeat(RECOVERY_SUCCESSES));
    return recovered
      ? { recentOutcomes, consecutiveFailures, degradedUntil: null, degradedReason: null }
      : { ...health, recentOutcomes, consecutiveFailures };
  }
  const failures = [...recentOutcomes].filter((o) => o === 'F').length;
  const reason =
    consecutiveFailures >= MAX_CONSECUTIVE_FAILURES
      ? 'consecutive_failures'
      : recentOutcomes.length >= MIN_SAMPLES_FOR_RATE && failures / recentOutcomes.length > 0.5
        ? 'failure_rate'
        : null;
  if (reason) return { recentOutcomes: '', consecutiveFailures: 0, degradedUntil: now + cooldownMs, degradedReason: reason };
  return { recentOutcomes, consecutiveFailures, degradedUntil: null, degradedReason: null };
}

export function isDegraded(health: Pick<BoxHealth, 'degradedUntil'>, now: number): boolean {
  return health.degradedUntil !== null && health.degradedUntil > now;
}
