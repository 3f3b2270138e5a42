import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../../database/database';
import { PinAttempt, PinAttemptOutcome, PinGuard, PinLock, PinLockedError } from './pin-guard';
import {
  ADDRESS_RULE,
  FRESH_STATE,
  NUMBER_RULE,
  PinLimitRule,
  PinLimitState,
  refundAttempt,
  reserveAttempt,
  settleFailure,
} from './pin-limit-policy';

type Row = Record<string, unknown>;

interface Scope {
  key: string;
  rule: PinLimitRule;
  clientAddress: string | null;
}

const scopesOf = (msisdn: string, clientAddress: string): Scope[] =>
  // In key order, the order every unit locks them in.
  [
    { key: `address:${msisdn}@${clientAddress}`, rule: ADDRESS_RULE, clientAddress },
    { key: `number:${msisdn}`, rule: NUMBER_RULE, clientAddress: null },
  ].sort((a, b) => (a.key < b.key ? -1 : 1));

const toState = (row: Row): PinLimitState => ({
  failures: Number(row.failures),
  windowStartedAt: Number(row.window_started_at),
  lockedUntil: row.locked_until === null ? null : Number(row.locked_until),
  locks: Number(row.locks),
  locksSince: row.locks_since === null ? null : Number(row.locks_since),
});

const toLock = (row: Row): PinLock => ({
  msisdn: row.msisdn as string,
  scope: (row.scope_key as string).startsWith('number:') ? 'number' : 'address',
  clientAddress: (row.client_address as string | null) ?? null,
  lockedUntil: Number(row.locked_until),
  locks: Number(row.locks),
});

/** The `pin_limits` table: each scope's row is read under a lock and written in the same unit of work. */
@Injectable()
export class TypeOrmPinGuard extends PinGuard {
  constructor(private readonly db: Database) {
    super();
  }

  reserve(msisdn: string, clientAddress: string, now: number): Promise<PinAttempt> {
    return this.db.transaction(async (manager) => {
      const scopes = scopesOf(msisdn, clientAddress);
      const states = await this.lockScopes(manager, msisdn, scopes, now);
      const decisions = scopes.map((scope) => reserveAttempt(scope.rule, states[scope.key], now));
      const refusals = decisions.flatMap((decision) => (decision.ok ? [] : [decision.until]));
      if (refusals.length > 0) throw new PinLockedError(msisdn, Math.max(...refusals));
      const windows: Record<string, number> = {};
      for (const [i, scope] of scopes.entries()) {
        const decision = decisions[i];
        if (!decision.ok) continue;
        await this.write(manager, scope.key, decision.state, now);
        windows[scope.key] = decision.state.windowStartedAt;
      }
      return { msisdn, clientAddress, windows };
    });
  }

  settle(attempt: PinAttempt, outcome: PinAttemptOutcome, now: number): Promise<PinLock[]> {
    return this.db.transaction(async (manager) => {
      const scopes = scopesOf(attempt.msisdn, attempt.clientAddress);
      const states = await this.lockScopes(manager, attempt.msisdn, scopes, now);
      const locked: PinLock[] = [];
      for (const scope of scopes) {
        const window = attempt.windows[scope.key];
        const current = states[scope.key];
        if (outcome === 'wrong' || outcome === 'unknown') {
          const settled = settleFailure(scope.rule, current, window, now);
          if (settled.state === current) continue;
          await this.write(manager, scope.key, settled.state, now);
          if (settled.locked) {
            locked.push({ msisdn: attempt.msisdn, scope: scope.rule.scope, clientAddress: scope.clientAddress, lockedUntil: settled.state.lockedUntil!, locks: settled.state.locks });
          }
        } else {
          const refunded = refundAttempt(current, window);
          if (refunded !== current) await this.write(manager, scope.key, refunded, now);
        }
      }
      return locked;
    });
  }

  async locks(now: number, limit: number): Promise<PinLock[]> {
    const rows = await this.db.read<Row>(
      'SELECT scope_key, msisdn, client_address, locked_until, locks FROM pin_limits WHERE locked_until > ? ORDER BY locked_until DESC LIMIT ?',
      [now, limit],
    );
    return rows.map(toLock);
  }

  lift(msisdn: string, now: number): Promise<number> {
    return this.db.transaction(async (manager) => {
      const { rows } = await this.db.execute<{ n: unknown }>(
        manager,
        'SELECT COUNT(*) AS n FROM pin_limits WHERE msisdn = ? AND locked_until > ?',
        [msisdn, now],
      );
      await this.db.execute(
        manager,
        'UPDATE pin_limits SET failures = 0, window_started_at = ?, locked_until = NULL, locks = 0, locks_since = NULL, updated_at = ? WHERE msisdn = ?',
        [now, now, msisdn],
      );
      return Number(rows[0].n);
    });
  }

  /** Each scope's row, created when missing, locked for the rest of the unit of work (PostgreSQL; SQLite has one writer). */
  private async lockScopes(manager: EntityManager, msisdn: string, scopes: Scope[], now: number): Promise<Record<string, PinLimitState>> {
    const states: Record<string, PinLimitState> = {};
    const lock = this.db.engine === 'postgres' ? ' FOR UPDATE' : '';
    for (const scope of scopes) {
      const fresh = FRESH_STATE(now);
      await this.db.execute(
        manager,
        `INSERT INTO pin_limits (scope_key, msisdn, client_address, failures, window_started_at, locked_until, locks, locks_since, updated_at)
         VALUES (?, ?, ?, 0, ?, NULL, 0, NULL, ?) ON CONFLICT (scope_key) DO NOTHING`,
        [scope.key, msisdn, scope.clientAddress, fresh.windowStartedAt, now],
      );
      const { rows } = await this.db.execute<Row>(
        manager,
        `SELECT failures, window_started_at, locked_until, locks, locks_since FROM pin_limits WHERE scope_key = ?${lock}`,
        [scope.key],
      );
      states[scope.key] = toState(rows[0]);
    }
    return states;
  }

  private async write(manager: EntityManager, key: string, state: PinLimitState, now: number): Promise<void> {
    await this.db.execute(
      manager,
      'UPDATE pin_limits SET failures = ?, window_started_at = ?, locked_until = ?, locks = ?, locks_since = ?, updated_at = ? WHERE scope_key = ?',
      [state.failures, state.windowStartedAt, state.lockedUntil, state.locks, state.locksSince, now, key],
    );
  }
}
