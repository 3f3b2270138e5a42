import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { toLocalNumber } from '../../operator/phone-number.format';
import { PinGuard } from './pin-guard';
import type { PinLockDto } from './pin-locks.dto';

const MAX_LISTED = 500;

@Injectable()
export class PinLocksService {
  private readonly logger = new Logger('PinLocks');

  constructor(
    private readonly guard: PinGuard,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<PinLockDto[]> {
    const locks = await this.guard.locks(this.clock.now(), MAX_LISTED);
    return locks.map((lock) => ({ ...lock, lockedUntil: new Date(lock.lockedUntil).toISOString() }));
  }

  async lift(msisdn: string): Promise<{ msisdn: string; lifted: number }> {
    const local = toLocalNumber(msisdn);
    const lifted = await this.guard.lift(local, this.clock.now());
    this.logger.warn({ msisdn: local, lifted }, 'PIN locks lifted by an admin');
    return { msisdn: local, lifted };
  }
}
