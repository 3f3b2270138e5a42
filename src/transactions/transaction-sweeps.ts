import { Database } from '../database/database';
import type { UnitOfWork } from '../database/unit-of-work';
import type { Transaction } from './transaction';
import { TransactionJournal } from './transaction-journal';
import { toTransaction, TransactionRow } from './transaction-row';
import type { DispatchRound, Sweep } from './transaction.repository';
import { TransactionsSql } from './transactions.statements';

/** The dispatcher's bulk moves: every query indexed and bounded, whatever the table's size. */
export class TransactionSweeps {
  constructor(
    private readonly db: Database,
    private readonly journal: TransactionJournal,
  ) {}

  /** Inside `unit` when given: it takes only rows no other unit holds (SKIP LOCKED). */
  sweep(sweep: Sweep, unit?: UnitOfWork): Promise<Transaction[]> {
    return unit ? this.sweepWithin(unit, sweep) : this.db.unit((own) => this.sweepWithin(own, sweep));
  }

  private async sweepWithin(unit: UnitOfWork, sweep: Sweep): Promise<Transaction[]> {
    const dialect = this.db.dialect;
    const { rows } = await unit.run<TransactionRow>(TransactionsSql.sweepCandidates(dialect, sweep.from, sweep.match, sweep.limit));
    if (rows.length === 0) return [];
    const current = rows.map(toTransaction);
    const patch = { ...sweep.patch, status: sweep.to, updatedAt: sweep.now };
    await unit.run(TransactionsSql.updateMany(dialect, current.map((tx) => tx.id), sweep.from, patch));
    await this.journal.record(
      unit,
      current.map((tx) => ({
        transactionId: tx.id,
        from: tx.status,
        to: sweep.to,
        actor: sweep.actor,
        at: sweep.now,
        details: { ...sweep.details, ...(tx.assignedTo && { callboxId: tx.assignedTo }) },
      })),
      current.map((tx) => ({ ...tx, ...patch })),
    );
    return current;
  }

  dispatch(round: DispatchRound): Promise<Transaction[]> {
    return this.db.unit(async (unit) => {
      if (round.callboxIds.length === 0 || round.types.length === 0) return [];
      await round.lockBoxes(unit);
      const dialect = this.db.dialect;
      const counts = await unit.run<{ box: string; n: unknown }>(TransactionsSql.inFlightOf(dialect, round.callboxIds));
      const inFlight = new Map(counts.rows.map((row) => [row.box, Number(row.n)]));
      const window = round.window(inFlight);
      if (window <= 0) return [];
      const { rows } = await unit.run<TransactionRow>(TransactionsSql.queueWindow(dialect, round.types, round.freshSince, window));
      const queue = rows.map(toTransaction);
      const byId = new Map(queue.map((tx) => [tx.id, tx]));
      // Each queued transaction at most once (its first assignment), whatever the plan says.
      const seen = new Set<string>();
      const planned = round.plan(queue, inFlight).filter((a) => byId.has(a.transactionId) && !seen.has(a.transactionId) && seen.add(a.transactionId));
      if (planned.length === 0) return [];
      const leased = planned.map((a) => ({ transactionId: a.transactionId, callboxId: a.callboxId, leaseUntil: round.now + a.leaseMs }));
      const written = new Set((await unit.run<{ id: string }>(TransactionsSql.assignAll(dialect, leased, round.now))).rows.map((row) => row.id));
      const assigned = planned
        .filter((assignment) => written.has(assignment.transactionId))
        .map((assignment) => {
          const tx = byId.get(assignment.transactionId) as Transaction;
          return {
            ...tx,
            status: 'assigned' as const,
            assignedTo: assignment.callboxId,
            assignedAt: round.now,
            leaseExpiresAt: round.now + assignment.leaseMs,
            attempt: tx.attempt + 1,
            updatedAt: round.now,
          };
        });
      await this.journal.record(
        unit,
        assigned.map((tx) => ({
          transactionId: tx.id,
          from: 'pending' as const,
          to: 'assigned' as const,
          actor: round.actor,
          at: round.now,
          details: { callboxId: tx.assignedTo, via: 'dispatcher' },
        })),
        assigned,
      );
      return assigned;
    });
  }
}
