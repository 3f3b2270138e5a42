import { pluralize } from './number.format';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type ExpirationState = 'active' | 'warning' | 'critical' | 'expired';

export interface ExpirationStatus {
  status: ExpirationState;
  /** 0 active, 1 warning, 2 critical, 3 expired: higher needs attention sooner. */
  priority: 0 | 1 | 2 | 3;
  message: string;
}

/**
 * active: more than 7 days left; warning: 1 to 7 days; critical: under 24 hours; expired: at or
 * before `now`. The remaining time is rounded up to its unit: a balance that expires "in 25 days"
 * read a few milliseconds later still says 25 days, never 24.
 */
export function expirationStatus(expireAt: number, now: number): ExpirationStatus {
  const remaining = expireAt - now;
  if (remaining <= 0) {
    return { status: 'expired', priority: 3, message: 'Expiré' };
  }
  if (remaining < DAY) {
    return { status: 'critical', priority: 2, message: `Expire dans ${hoursOrMinutes(remaining)}` };
  }
  const days = Math.ceil(remaining / DAY);
  const message = `Expire dans ${pluralize(days, 'jour')}`;
  return remaining <= 7 * DAY
    ? { status: 'warning', priority: 1, message }
    : { status: 'active', priority: 0, message };
}

function hoursOrMinutes(remaining: number): string {
  const minutes = Math.ceil(remaining / MINUTE);
  if (minutes < 60) {
    return pluralize(minutes, 'minute');
  }
  return pluralize(Math.ceil(remaining / HOUR), 'heure');
}
