import { Injectable } from '@nestjs/common';
import { Database } from '../../database/database';

/** Wrong PINs allowed per window before a number's commands are locked. */
export const PIN_FAILURES_BEFORE_LOCK = 5;
export const PIN_FAILURE_WINDOW_MS = 15 * 60_000;
export const PIN_LOCK_MS = 15 * 60_000;

/**
 * Counts wrong-PIN answers per mobile number in the database (so every replica and a restart see
 * them) and locks the number's commands after too many.
 */
export abstract class PinGuard {
  /** Until when the number is locked, or null. */
  abstract lockedUntil(msisdn: string, now: number): Promise<number | null>;
  /** Counts a wrong PIN; returns until when the number is now locked, or null. */
  abstract recordFailure(msisdn: string, now: number): Promise<number | null>;
  abstract recordSuccess(msisdn: string): Promise<void>;
}

@Injectable()
export class TypeOrmPinGuard extends PinGuard {
  constructor(private readonly db: Database) {
    super();
  }

  async lockedUntil(msisdn: string, now: number): Promise<number | null> {
    const rows: Array<{ locked_until: unknown }> = await this.db.reader.query(
      this.db.sql('SELECT locked_until FROM pin_guard WHERE msisdn = ?'),
      [msisdn],
    );
    const until = rows.length > 0 && rows[0].locked_until !== null ? Number(rows[0].locked_until) : null;
    return until !== null && until > now ? until : null;
  }

  recordFailure(msisdn: string, now: number): Promise<number | null> {
    return this.db.transaction(async (manager) => {
      const lock = this.db.engine === 'postgres' ? ' FOR UPDATE' : '';
      const { rows } = await this.db.execute<Record<string, unknown>>(
        manager,
        `SELECT failures, window_started_at, locked_until FROM pin_guard WHERE msisdn = ?${lock}`,
        [msisdn],
      );
      const current = rows[0];
      const inWindow = current !== undefined && now - Number(current.window_started_at) < PIN_FAILURE_WINDOW_MS;
      const failures = inWindow ? Number(current.failures) + 1 : 1;
      const windowStart = inWindow ? Number(current.window_started_at) : now;
      const lockedUntil = failures >= PIN_FAILURES_BEFORE_LOCK ? now + PIN_LOCK_MS : null;
      await this.db.execute(
        manager,
        `INSERT INTO pin_guard (msisdn, failures, window_started_at, locked_until, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (msisdn) DO UPDATE SET failures = excluded.failures, window_started_at = excluded.window_started_at,
           locked_until = excluded.locked_until, updated_at = excluded.updated_at`,
        // A lock starts a fresh window: after it, five more wrong PINs are needed to lock again.
        [msisdn, lockedUntil ? 0 : failures, lockedUntil ? now : windowStart, lockedUntil, now],
      );
      return lockedUntil;
    });
  }

  async recordSuccess(msisdn: string): Promise<void> {
    await this.db.transaction((manager) =>
      this.db.execute(manager, 'DELETE FROM pin_guard WHERE msisdn = ? AND locked_until IS NULL', [msisdn]),
    );
  }
}
