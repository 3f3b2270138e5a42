import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { SlidingWindowThrottlerStorage } from '../throttling/sliding-window.storage';

const MINUTE = 60_000;

/**
 * Requests that fail authentication (no credential, or a wrong one) spend a budget of their own,
 * per client address, never a principal's: a stranger cannot use up a box's allowance by naming it.
 * Past the budget the address's failures are answered 429 at once; a valid credential from the
 * same address (a fleet behind a carrier NAT) is never refused by it.
 */
@Injectable()
export class AuthFailureBudget {
  private readonly storage = new SlidingWindowThrottlerStorage();
  private readonly limit: number;

  constructor(config: AppConfig) {
    this.limit = config.authFailureLimitPerMinute;
  }

  /** Counts one failure of `address`; returns the seconds to wait when it is over the budget, else null. */
  spend(address: string): number | null {
    const hit = this.storage.hit(`auth-failure:${address}`, MINUTE, this.limit, MINUTE);
    return hit.isBlocked ? Math.max(1, hit.timeToBlockExpire) : null;
  }
}
