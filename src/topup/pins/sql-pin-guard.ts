import { Injectable } from '@nestjs/common';
import { Database } from '../../database/database';
import type { UnitOfWork } from '../../database/unit-of-work';
import { PinLimitsSql } from './pin-limits.statements';
import { PinAttempt, PinAttemptOutcome, PinGuard, PinLock, PinLockedError } from './pin-guard';
import {
  ADDRESS_RULE,
  FRESH_STATE,
  NUMBER_RULE,
  PinLimitRule,
  PinLimitState,
  refundAttempt,
  refusal,
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
export class SqlPinGuard extends PinGuard {
  constructor(private readonly db: Database) {
    super();
  }

  reserve(msisdn: string, clientAddress: string, now: number): Promise<PinAttempt> {
    return this.db.unit(async (unit) => {
      const scopes = scopesOf(msisdn, clientAddress);
      const states = await this.lockScopes(unit, msisdn, scopes, now);
      const decisions = scopes.map((scope) => reserveAttempt(scope.rule, states[scope.key], now));
      const refusals = decisions.flatMap((decision) => (decision.ok ? [] : [decision.until]));
      if (refusals.length > 0) throw new PinLockedError(msisdn, Math.max(...refusals));
      const windows: Record<string, number> = {};
      for (const [i, scope] of scopes.entries()) {
        const decision = decisions[i];
        if (!decision.ok) continue;
        await this.write(unit, scope.key, decision.state, now);
        windows[scope.key] = decision.state.windowStartedAt;
      }
      return { msisdn, clientAddress, windows };
    });
  }

  async check(msisdn: string, clientAddress: string, now: number): Promise<void> {
    const scopes = scopesOf(msisdn, clientAddress);
    const rows = await this.db.read<Row>(PinLimitsSql.read(this.db.dialect, scopes.map((scope) => scope.key)));
    const refusals = scopes.flatMap((scope) => {
      const row = rows.find((candidate) => candidate.scope_key === scope.key);
      const until = row === undefined ? null : refusal(scope.rule, toState(row), now);
      return until === null ? [] : [until];
    });
    if (refusals.length > 0) throw new PinLockedError(msisdn, Math.max(...refusals));
  }

  settle(attempt: PinAttempt, outcome: PinAttemptOutcome, now: number): Promise<PinLock[]> {
    return this.db.unit(async (unit) => {
      const scopes = scopesOf(attempt.msisdn, attempt.clientAddress);
      const states = await this.lockScopes(unit, attempt.msisdn, scopes, now);
      const locked: PinLock[] = [];
      for (const scope of scopes) {
        const window = attempt.windows[scope.key];
        const current = states[scope.key];
        if (outcome === 'wrong' || outcome === 'unknown') {
          const settled = settleFailure(scope.rule, current, window, now);
          if (settled.state === current) continue;
          await this.write(unit, scope.key, settled.state, now);
          if (settled.locked) {
            locked.push({ msisdn: attempt.msisdn, scope: scope.rule.scope, clientAddress: scope.clientAddress, lockedUntil: settled.state.lockedUntil!, locks: settled.state.locks });
          }
        } else {
          const refunded = refundAttempt(current, window);
          if (refunded !== current) await this.write(unit, scope.key, refunded, now);
        }
      }
      return locked;
    });
  }

  async locks(now: number, limit: number): Promise<PinLock[]> {
    const rows = await this.db.read<Row>(PinLimitsSql.locksInForce(this.db.dialect, now, limit));
    return rows.map(toLock);
  }

  lift(msisdn: string, now: number): Promise<number> {
    return this.db.unit(async (unit) => {
      const { rows } = await unit.run<{ n: unknown }>(PinLimitsSql.countLocksOf(this.db.dialect, msisdn, now));
      await unit.run(PinLimitsSql.liftAll(this.db.dialect, msisdn, now));
      return Number(rows[0].n);
    });
  }

  /** Each scope's row, created when missing, locked for the rest of the unit of work. */
  private async lockScopes(unit: UnitOfWork, msisdn: string, scopes: Scope[], now: number): Promise<Record<string, PinLimitState>> {
    const states: Record<string, PinLimitState> = {};
    for (const scope of scopes) {
      await unit.run(PinLimitsSql.ensure(this.db.dialect, scope.key, msisdn, scope.clientAddress, FRESH_STATE(now).windowStartedAt));
      const { rows } = await unit.run<Row>(PinLimitsSql.lock(this.db.dialect, scope.key));
      states[scope.key] = toState(rows[0]);
    }
    return states;
  }

  private async write(unit: UnitOfWork, key: string, state: PinLimitState, now: number): Promise<void> {
    await unit.run(PinLimitsSql.write(this.db.dialect, key, state, now));
  }
}
