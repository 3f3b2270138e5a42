/**
 * How many wrong PINs may reach the operator. Each attempt is reserved (counted as a failure)
 * before the command is sent, and refunded only when the operator's answer shows the PIN was not
 * wrong; so however many requests are in flight, no more than `maxFailures` attempts per window
 * are ever sent. Two scopes are counted at once: the number from one client address (a short lock,
 * escalating to a long one when it recurs), and the number from every address (a daily ceiling):
 * one stranger can only lock a number out for their own address, and guessing stays bounded
 * whatever the addresses.
 */
export interface PinLimitRule {
  readonly scope: 'address' | 'number';
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockMs: number;
  /** From this many locks within LOCK_MEMORY_MS, a lock lasts `longLockMs`. */
  readonly longLockAfterLocks: number;
  readonly longLockMs: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** How long past locks count towards the escalation. */
export const LOCK_MEMORY_MS = DAY;

export const ADDRESS_RULE: PinLimitRule = {
  scope: 'address',
  maxFailures: 5,
  windowMs: 15 * MINUTE,
  lockMs: 15 * MINUTE,
  longLockAfterLocks: 3,
  longLockMs: DAY,
};

export const NUMBER_RULE: PinLimitRule = {
  scope: 'number',
  maxFailures: 20,
  windowMs: DAY,
  lockMs: DAY,
  longLockAfterLocks: 1,
  longLockMs: DAY,
};

export interface PinLimitState {
  failures: number;
  windowStartedAt: number;
  lockedUntil: number | null;
  locks: number;
  locksSince: number | null;
}

export const FRESH_STATE = (now: number): PinLimitState => ({ failures: 0, windowStartedAt: now, lockedUntil: null, locks: 0, locksSince: null });

export type Reservation = { ok: true; state: PinLimitState } | { ok: false; until: number };

/** Counts one attempt before it is sent, or refuses it: locked, or the window's attempts all spent (some may still be in flight). */
export function reserveAttempt(rule: PinLimitRule, current: PinLimitState, now: number): Reservation {
  const refusedUntil = refusal(rule, current, now);
  if (refusedUntil !== null) return { ok: false, until: refusedUntil };
  const state = now - current.windowStartedAt >= rule.windowMs ? { ...current, failures: 0, windowStartedAt: now } : current;
  return { ok: true, state: { ...state, failures: state.failures + 1 } };
}

/** Until when an attempt would be refused now, or null when it would be counted. */
export function refusal(rule: PinLimitRule, current: PinLimitState, now: number): number | null {
  if (current.lockedUntil !== null && current.lockedUntil > now) return current.lockedUntil;
  if (now - current.windowStartedAt >= rule.windowMs) return null;
  return current.failures >= rule.maxFailures ? current.windowStartedAt + rule.windowMs : null;
}

/**
 * A reserved attempt whose PIN was wrong, or whose answer never came: it stays counted, and the
 * window's last allowed failure locks. A lock only ever moves later. `window` is the window the
 * attempt was reserved in: an attempt of an earlier window (before a lock or an expiry) changes nothing.
 */
export function settleFailure(rule: PinLimitRule, current: PinLimitState, window: number, now: number): { state: PinLimitState; locked: boolean } {
  if (current.windowStartedAt !== window || current.failures < rule.maxFailures) return { state: current, locked: false };
  const recent = current.locksSince !== null && now - current.locksSince < LOCK_MEMORY_MS;
  const locks = recent ? current.locks + 1 : 1;
  const duration = locks >= rule.longLockAfterLocks ? rule.longLockMs : rule.lockMs;
  const lockedUntil = Math.max(current.lockedUntil ?? 0, now + duration);
  // The next window starts when the lock ends: after it, a whole new allowance.
  return {
    state: { failures: 0, windowStartedAt: lockedUntil, lockedUntil, locks, locksSince: recent ? current.locksSince : now },
    locked: true,
  };
}

/** A reserved attempt the operator answered without a wrong PIN, or that was never sent: given back. */
export function refundAttempt(current: PinLimitState, window: number): PinLimitState {
  if (current.windowStartedAt !== window) return current;
  return { ...current, failures: Math.max(0, current.failures - 1) };
}
