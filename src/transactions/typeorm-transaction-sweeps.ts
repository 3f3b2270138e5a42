import type { EntityManager } from 'typeorm';
import { Database } from '../database/database';
import { QUEUE_INDEX, QUEUE_ORDER, setClause } from './transaction-columns';
import { TransactionJournal } from './transaction-journal';
import { toTransaction, TransactionRow } from './transaction-row';
import type { Transaction } from './transaction';
import type { Assignment, DispatchRound, Sweep } from './transaction.repository';

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

/** The dispatcher's bulk moves: every query indexed and bounded, whatever the table's size. */
export class TransactionSweeps {
  constructor(
    private readonly db: Database,
    private readonly journal: TransactionJournal,
  ) {}

  sweep(sweep: Sweep): Promise<Transaction[]> {
    return this.db.transaction((manager) => this.sweepWithin(manager, sweep));
  }

  /** The sweep inside a running unit of work: it takes only rows no other unit holds (SKIP LOCKED). */
  async sweepWithin(manager: EntityManager, sweep: Sweep): Promise<Transaction[]> {
    const { where, params, order } = matchClause(sweep);
    const skipLocked = this.db.engine === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    const { rows } = await this.db.execute<TransactionRow>(
      manager,
      `SELECT * FROM transactions WHERE status = ? AND ${where} ${order} LIMIT ?${skipLocked}`,
      [sweep.from, ...params, sweep.limit],
    );
    if (rows.length === 0) return [];
    const current = rows.map(toTransaction);
    const patch = { ...sweep.patch, status: sweep.to, updatedAt: sweep.now };
    const set = setClause(patch);
    const ids = current.map((tx) => tx.id);
    await this.db.execute(
      manager,
      `UPDATE transactions SET ${set.sql} WHERE id IN (${placeholders(ids.length)}) AND status = ?`,
      [...set.params, ...ids, sweep.from],
    );
    const moved = current.map((tx) => ({ ...tx, ...patch }));
    const before = current;
    await this.journal.record(
      manager,
      current.map((tx) => ({
        transactionId: tx.id,
        from: tx.status,
        to: sweep.to,
        actor: sweep.actor,
        at: sweep.now,
        details: { ...sweep.details, ...(tx.assignedTo && { callboxId: tx.assignedTo }) },
      })),
      moved,
    );
    return before;
  }

  dispatch(round: DispatchRound): Promise<Transaction[]> {
    return this.db.transaction(async (manager) => {
      if (round.callboxIds.length === 0 || round.types.length === 0) return [];
      if (this.db.engine === 'postgres') {
        await this.db.execute(
          manager,
          `SELECT id FROM callboxes WHERE id IN (${placeholders(round.callboxIds.length)}) ORDER BY id COLLATE "C" FOR UPDATE`,
          [...round.callboxIds],
        );
      }
      const inFlight = await this.inFlight(manager, round.callboxIds);
      const window = round.window(inFlight);
      if (window <= 0) return [];
      const skipLocked = this.db.engine === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
      const fresh = round.types.map(() => '(type = ? AND created_at >= ?)').join(' OR ');
      const { rows } = await this.db.execute<TransactionRow>(
        manager,
        `SELECT * FROM transactions${this.db.indexedBy(QUEUE_INDEX)} WHERE status = 'pending' AND (${fresh}) ${QUEUE_ORDER} LIMIT ?${skipLocked}`,
        [...round.types.flatMap((type) => [type, round.freshSince(type)]), window],
      );
      const queue = rows.map(toTransaction);
      const byId = new Map(queue.map((tx) => [tx.id, tx]));
      // Each queued transaction at most once (its first assignment), whatever the plan says.
      const seen = new Set<string>();
      const planned = round.plan(queue, inFlight).filter((a) => byId.has(a.transactionId) && !seen.has(a.transactionId) && seen.add(a.transactionId));
      const written = await this.assignAll(manager, planned, round.now);
      const assigned = planned
        .filter((assignment) => written.has(assignment.transactionId))
        .map((assignment) => ({
          ...(byId.get(assignment.transactionId) as Transaction),
          status: 'assigned' as const,
          assignedTo: assignment.callboxId,
          assignedAt: round.now,
          leaseExpiresAt: round.now + assignment.leaseMs,
          attempt: (byId.get(assignment.transactionId) as Transaction).attempt + 1,
          updatedAt: round.now,
        }));
      await this.journal.record(
        manager,
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

  /** Every assignment of the round in one UPDATE (one round trip, not one per transaction); returns the ids written. */
  private async assignAll(manager: EntityManager, planned: readonly Assignment[], now: number): Promise<Set<string>> {
    if (planned.length === 0) return new Set();
    const { rows } = await this.db.execute<{ id: string }>(
      manager,
      `WITH planned (tx_id, box, lease) AS (VALUES ${planned.map(() => '(?, ?, CAST(? AS bigint))').join(', ')})
       UPDATE transactions SET status = 'assigned', assigned_to = planned.box, assigned_at = ?, lease_expires_at = planned.lease, updated_at = ?,
         attempt = transactions.attempt + 1
       FROM planned WHERE transactions.id = planned.tx_id AND transactions.status = 'pending'
       RETURNING id`,
      [...planned.flatMap((assignment) => [assignment.transactionId, assignment.callboxId, now + assignment.leaseMs]), now, now],
    );
    return new Set(rows.map((row) => row.id));
  }

  private async inFlight(manager: EntityManager, callboxIds: readonly string[]): Promise<Map<string, number>> {
    const { rows } = await this.db.execute<{ box: string; n: unknown }>(
      manager,
      `SELECT assigned_to AS box, COUNT(*) AS n FROM transactions
       WHERE assigned_to IN (${placeholders(callboxIds.length)}) AND status IN ('assigned', 'processing')
       GROUP BY assigned_to`,
      [...callboxIds],
    );
    return new Map(rows.map((row) => [row.box, Number(row.n)]));
  }
}

/** Each match walks its own index in index order, so LIMIT stops the scan early. */
function matchClause(sweep: Sweep): { where: string; params: unknown[]; order: string } {
  const { match } = sweep;
  if ('assignedToIn' in match) {
    if (match.assignedToIn.length === 0) return { where: '1 = 0', params: [], order: '' };
    const where = `assigned_to IN (${placeholders(match.assignedToIn.length)})`;
    return { where, params: [...match.assignedToIn], order: '' };
  }
  if ('createdBefore' in match) {
    return { where: 'type = ? AND created_at < ?', params: [match.type, match.createdBefore], order: 'ORDER BY created_at' };
  }
  if ('leaseExpiredBefore' in match) {
    return { where: 'lease_expires_at < ?', params: [match.leaseExpiredBefore], order: 'ORDER BY lease_expires_at' };
  }
  return { where: 'next_attempt_at <= ?', params: [match.dueBefore], order: 'ORDER BY next_attempt_at' };
}
