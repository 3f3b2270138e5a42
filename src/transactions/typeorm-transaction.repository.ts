import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { isUniqueViolation } from '../database/database-errors';
import { asUnitOfWork, managerOf, UnitOfWork } from '../database/unit-of-work';
import { idempotencyKeyReused, transactionNotFound } from './transaction-errors';
import { toTransaction, toTransactionEvent, TransactionRow } from './transaction-row';
import {
  NewTransaction,
  PRIORITY_RANK,
  Transaction,
  TRANSACTION_STATUSES,
  TransactionEvent,
  TransactionStatus,
  TransactionType,
} from './transaction';
import { newTransactionId } from './transaction-id';
import { BoxClaim, DispatchRound, IdempotencyClaim, Sweep, TransactionRepository } from './transaction.repository';
import type { TransitionStep } from './transaction-state-machine';
import { BOX_QUEUE_INDEX, MUTABLE_COLUMNS, QUEUE_INDEX, QUEUE_ORDER, setClause } from './transaction-columns';
import { JournaledWrite, TransactionJournal } from './transaction-journal';
import { TransactionTransitions } from './transaction-transitions';
import { TransactionSweeps } from './typeorm-transaction-sweeps';

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

@Injectable()
export class TypeOrmTransactionRepository extends TransactionRepository {
  private readonly journal: TransactionJournal;
  private readonly sweeps: TransactionSweeps;

  constructor(
    private readonly db: Database,
    config: AppConfig,
    transitions: TransactionTransitions,
  ) {
    super();
    this.journal = new TransactionJournal(db, config.callback !== null, transitions);
    this.sweeps = new TransactionSweeps(db, this.journal);
  }

  sweep(sweep: Sweep, unit?: UnitOfWork): Promise<Transaction[]> {
    return unit ? this.sweeps.sweepWithin(managerOf(unit), sweep) : this.sweeps.sweep(sweep);
  }

  dispatch(round: DispatchRound): Promise<Transaction[]> {
    return this.sweeps.dispatch(round);
  }

  async create(input: NewTransaction, actor: string, now: number, idempotency?: IdempotencyClaim) {
    const insertion = this.insertion(input, actor, now, idempotency);
    try {
      if (this.db.engine === 'postgres') {
        // One statement, no read first: the unique key finds a replay (below). A burst of submits then
        // needs one pooled connection each, not two in turn (with two, every second turn queued behind
        // all the first ones, and past the pool's wait the whole burst answered 503).
        const [transaction] = await this.journal.write(null, insertion);
        return { transaction, created: true };
      }
      return await this.db.transaction(async (manager) => {
        // On SQLite a read outside the unit could see another unit's uncommitted row.
        const replay = idempotency ? await this.replayOf(manager, idempotency) : null;
        if (replay) return { transaction: replay, created: false };
        const [transaction] = await this.journal.write(manager, insertion);
        return { transaction, created: true };
      });
    } catch (error) {
      // The key is taken (PostgreSQL): a replay, or a racing request with the same key, answers with the first one.
      if (idempotency && isUniqueViolation(error)) {
        const replay = await this.replayOf(null, idempotency);
        if (replay) return { transaction: replay, created: false };
      }
      throw error;
    }
  }

  async findById(id: string): Promise<Transaction | null> {
    const rows = await this.db.read<TransactionRow>('SELECT * FROM transactions WHERE id = ?', [id]);
    return rows.length > 0 ? toTransaction(rows[0]) : null;
  }

  async transition<Consequence = undefined>(
    id: string,
    plan: (current: Transaction, unit: UnitOfWork) => TransitionStep | null | Promise<TransitionStep | null>,
    consequence?: (unit: UnitOfWork, next: Transaction) => Promise<Consequence>,
  ): Promise<{ transaction: Transaction; changed: boolean; consequence?: Consequence }> {
    return this.db.transaction(async (manager) => {
      const lock = this.db.engine === 'postgres' ? ' FOR UPDATE' : '';
      const rows = await this.db.query<TransactionRow>(manager, `SELECT * FROM transactions WHERE id = ?${lock}`, [id]);
      if (rows.length === 0) throw transactionNotFound(id);
      const current = toTransaction(rows[0]);
      const step = await plan(current, asUnitOfWork(manager));
      if (!step) return { transaction: current, changed: false };
      const next: Transaction = { ...current, ...step.patch, status: step.to, updatedAt: step.at };
      const fields = Object.keys(MUTABLE_COLUMNS) as Array<keyof typeof MUTABLE_COLUMNS>;
      const set = setClause(Object.fromEntries(fields.map((field) => [field, next[field] ?? null])));
      await this.journal.write(manager, {
        sql: `UPDATE transactions SET ${set.sql} WHERE id = ?`,
        params: [...set.params, id],
        event: { from: current.status, to: step.to, actor: step.actor, at: step.at, details: step.details },
        known: [next],
      });
      // After this row's lock: a unit that locks a box first never waits on a transaction row (claims
      // and sweeps skip locked rows), so this order cannot deadlock with them.
      return { transaction: next, changed: true, consequence: consequence && (await consequence(asUnitOfWork(manager), next)) };
    });
  }

  async claimForBox(claim: BoxClaim): Promise<Transaction[]> {
    // Most polls find nothing: answer those from one indexed read, without a write transaction.
    if (!(await this.mayHaveWorkFor(claim))) return [];
    return this.db.transaction(async (manager) => {
      const postgres = this.db.engine === 'postgres';
      // Serializes concurrent polls of one box, so two of them cannot both fill its capacity.
      if (postgres) await this.db.query(manager, 'SELECT id FROM callboxes WHERE id = ? FOR UPDATE', [claim.callboxId]);
      const counts = await this.db.query<{ n: unknown }>(
        manager,
        `SELECT COUNT(*) AS n FROM transactions WHERE assigned_to = ? AND status IN ('assigned', 'processing')`,
        [claim.callboxId],
      );
      const inFlight = Number(counts[0].n);
      const held = await this.db.query<TransactionRow>(
        manager,
        `SELECT * FROM transactions${this.db.indexedBy(BOX_QUEUE_INDEX)} WHERE assigned_to = ? AND status = 'assigned' ${QUEUE_ORDER} LIMIT ?`,
        [claim.callboxId, claim.limit],
      );
      const room = Math.min(claim.limit - held.length, claim.maxConcurrent - inFlight);
      const claimed = room > 0 && claim.types.length > 0 ? await this.claimPending(manager, claim, room) : [];
      return [...held.map(toTransaction), ...claimed];
    });
  }

  async countByStatus(): Promise<Record<TransactionStatus, number>> {
    const rows: Array<{ status: TransactionStatus; n: unknown }> = await this.db.reader.query(
      'SELECT status, COUNT(*) AS n FROM transactions GROUP BY status',
    );
    const counts = Object.fromEntries(TRANSACTION_STATUSES.map((s) => [s, 0])) as Record<TransactionStatus, number>;
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  async countByTypeAndStatus() {
    const rows: Array<{ type: TransactionType; status: TransactionStatus; n: unknown }> = await this.db.reader.query(
      'SELECT type, status, COUNT(*) AS n FROM transactions GROUP BY type, status',
    );
    return rows.map((row) => ({ type: row.type, status: row.status, count: Number(row.n) }));
  }

  async meanProcessingMs(): Promise<number | null> {
    const rows: Array<{ mean: unknown }> = await this.db.reader.query(
      `SELECT AVG(completed_at - started_at) AS mean FROM transactions WHERE status = 'completed' AND started_at IS NOT NULL`,
    );
    return rows[0].mean === null ? null : Math.round(Number(rows[0].mean));
  }

  async countInFlightByBox(): Promise<Map<string, number>> {
    const rows: Array<{ box: string; n: unknown }> = await this.db.reader.query(
      `SELECT assigned_to AS box, COUNT(*) AS n FROM transactions
       WHERE status IN ('assigned', 'processing') AND assigned_to IS NOT NULL GROUP BY assigned_to`,
    );
    return new Map(rows.map((row) => [row.box, Number(row.n)]));
  }

  async countInStatus(status: TransactionStatus): Promise<number> {
    const rows = await this.db.read<{ n: unknown }>('SELECT COUNT(*) AS n FROM transactions WHERE status = ?', [status]);
    return Number(rows[0].n);
  }

  async countAssignedTo(callboxId: string, statuses: readonly TransactionStatus[]): Promise<number> {
    const rows = await this.db.read<{ n: unknown }>(
      `SELECT COUNT(*) AS n FROM transactions WHERE assigned_to = ? AND status IN (${placeholders(statuses.length)})`,
      [callboxId, ...statuses],
    );
    return Number(rows[0].n);
  }

  async countProcessedByBox(): Promise<Map<string, number>> {
    const rows: Array<{ box: string; n: unknown }> = await this.db.reader.query(
      `SELECT assigned_to AS box, COUNT(*) AS n FROM transactions
       WHERE status IN ('completed', 'failed') AND assigned_to IS NOT NULL GROUP BY assigned_to`,
    );
    return new Map(rows.map((row) => [row.box, Number(row.n)]));
  }

  async listEvents(transactionId: string): Promise<TransactionEvent[]> {
    const rows: TransactionRow[] = await this.db.reader.query(
      this.db.sql('SELECT * FROM transaction_events WHERE transaction_id = ? ORDER BY id'),
      [transactionId],
    );
    return rows.map(toTransactionEvent);
  }

  private async mayHaveWorkFor(claim: BoxClaim): Promise<boolean> {
    const [found] = await this.db.read<{ held: unknown; queued: unknown }>(
      `SELECT EXISTS (SELECT 1 FROM transactions WHERE assigned_to = ? AND status = 'assigned') AS held,
              EXISTS (SELECT 1 FROM transactions WHERE status = 'pending') AS queued`,
      [claim.callboxId],
    );
    return isTrue(found.held) || (claim.types.length > 0 && isTrue(found.queued));
  }

  private async claimPending(manager: EntityManager, claim: BoxClaim, room: number): Promise<Transaction[]> {
    const fresh = claim.types.map(() => '(type = ? AND created_at >= ?)').join(' OR ');
    const filters = [`status = 'pending'`, `(${fresh})`];
    const params: unknown[] = claim.types.flatMap((type) => [type, claim.freshSince(type)]);
    if (claim.operators) {
      filters.push(`LOWER(customer_operator) IN (${placeholders(claim.operators.length)})`);
      params.push(...claim.operators.map((o) => o.toLowerCase()));
    }
    // Work this box gave back a moment ago goes to other boxes first.
    filters.push('(released_by IS NULL OR released_by <> ? OR released_until IS NULL OR released_until <= ?)');
    params.push(claim.callboxId, claim.now);
    const skipLocked = this.db.engine === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    const claimed = await this.journal.write(manager, {
      sql: `UPDATE transactions SET status = 'assigned', assigned_to = ?, assigned_at = ?, lease_expires_at = ?, updated_at = ?, attempt = attempt + 1
       WHERE id IN (SELECT id FROM transactions${this.db.indexedBy(QUEUE_INDEX)} WHERE ${filters.join(' AND ')} ${QUEUE_ORDER} LIMIT ?${skipLocked})`,
      params: [claim.callboxId, claim.now, claim.now + claim.leaseMs, claim.now, ...params, room],
      event: { from: 'pending', to: 'assigned', actor: `callbox:${claim.callboxId}`, at: claim.now, details: { via: 'poll' } },
    });
    return claimed.sort(byQueueOrder);
  }

  private insertion(input: NewTransaction, actor: string, now: number, idempotency?: IdempotencyClaim): JournaledWrite {
    const transaction: Transaction = {
      ...input,
      id: newTransactionId(now),
      status: 'pending',
      assignedTo: null,
      retryCount: 0,
      result: null,
      createdAt: now,
      updatedAt: now,
      assignedAt: null,
      startedAt: null,
      completedAt: null,
      nextAttemptAt: null,
      leaseExpiresAt: null,
      attempt: 0,
      releasedBy: null,
      releasedUntil: null,
    };
    return {
      known: [transaction],
      sql: `INSERT INTO transactions (id, type, phone_number, amount, pay_item_id, customer_name, customer_operator,
         priority, priority_rank, status, retry_count, max_retries, source, idempotency_key, request_hash, created_at, updated_at)
       VALUES (${placeholders(17)})`,
      params: [
        transaction.id,
        input.type,
        input.phoneNumber,
        input.amount,
        input.payItemId,
        input.customerInfo?.name ?? null,
        input.customerInfo?.operator ?? null,
        input.priority,
        PRIORITY_RANK[input.priority],
        'pending',
        0,
        input.maxRetries,
        input.source,
        idempotency?.key ?? null,
        idempotency?.requestHash ?? null,
        now,
        now,
      ],
      event: { from: null, to: 'pending', actor, at: now, details: { source: input.source } },
    };
  }

  /** Inside the unit of work that would insert, or (no manager) after it lost a race. */
  private async replayOf(manager: EntityManager | null, idempotency: IdempotencyClaim): Promise<Transaction | null> {
    const statement = 'SELECT * FROM transactions WHERE idempotency_key = ?';
    const rows = manager
      ? await this.db.query<TransactionRow>(manager, statement, [idempotency.key])
      : await this.db.read<TransactionRow>(statement, [idempotency.key]);
    if (rows.length === 0) return null;
    if (rows[0].request_hash !== idempotency.requestHash) throw idempotencyKeyReused(idempotency.clientKey);
    return toTransaction(rows[0]);
  }
}

/** EXISTS is 0/1 on SQLite and a boolean on PostgreSQL. */
const isTrue = (value: unknown) => value === true || value === 1 || value === '1' || value === 't';

function byQueueOrder(a: Transaction, b: Transaction): number {
  return PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || a.createdAt - b.createdAt || a.id.localeCompare(b.id);
}
