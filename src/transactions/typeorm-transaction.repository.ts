import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../database/database';
import { isUniqueViolation } from '../database/database-errors';
import { idempotencyKeyReused, transactionNotFound } from './transaction-errors';
import { toTransaction, toTransactionEvent, TransactionRow } from './transaction-row';
import {
  NewTransaction,
  PRIORITY_RANK,
  Transaction,
  TRANSACTION_STATUSES,
  TransactionEvent,
  TransactionStatus,
} from './transaction';
import { newTransactionId } from './transaction-id';
import { BoxClaim, IdempotencyClaim, TransactionRepository } from './transaction.repository';
import type { TransitionStep } from './transaction-state-machine';

const QUEUE_ORDER = 'ORDER BY priority_rank, created_at, id';
const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

@Injectable()
export class TypeOrmTransactionRepository extends TransactionRepository {
  constructor(private readonly db: Database) {
    super();
  }

  async create(input: NewTransaction, actor: string, now: number, idempotency?: IdempotencyClaim) {
    try {
      return await this.db.transaction(async (manager) => {
        if (idempotency) {
          const replay = await this.replayOf(manager, idempotency);
          if (replay) return { transaction: replay, created: false };
        }
        const transaction = await this.insert(manager, input, now, idempotency);
        await this.insertEvents(manager, [
          { transactionId: transaction.id, from: null, to: 'pending', actor, at: now, details: { source: input.source } },
        ]);
        return { transaction, created: true };
      });
    } catch (error) {
      // Two requests with one key raced past the lookup (PostgreSQL): the loser answers with the winner's.
      if (idempotency && isUniqueViolation(error)) {
        const replay = await this.replayOf(this.db.reader, idempotency);
        if (replay) return { transaction: replay, created: false };
      }
      throw error;
    }
  }

  async findById(id: string): Promise<Transaction | null> {
    const rows: TransactionRow[] = await this.db.reader.query(this.db.sql('SELECT * FROM transactions WHERE id = ?'), [id]);
    return rows.length > 0 ? toTransaction(rows[0]) : null;
  }

  async transition(id: string, plan: (current: Transaction) => TransitionStep | null) {
    return this.db.transaction(async (manager) => {
      const lock = this.db.engine === 'postgres' ? ' FOR UPDATE' : '';
      const rows: TransactionRow[] = await manager.query(this.db.sql(`SELECT * FROM transactions WHERE id = ?${lock}`), [id]);
      if (rows.length === 0) throw transactionNotFound(id);
      const current = toTransaction(rows[0]);
      const step = plan(current);
      if (!step) return { transaction: current, changed: false };
      const next: Transaction = { ...current, ...step.patch, status: step.to, updatedAt: step.at };
      await manager.query(
        this.db.sql(
          `UPDATE transactions SET status = ?, assigned_to = ?, retry_count = ?, result = ?, assigned_at = ?,
             started_at = ?, completed_at = ?, next_attempt_at = ?, lease_expires_at = ?, updated_at = ?
           WHERE id = ?`,
        ),
        [
          next.status,
          next.assignedTo,
          next.retryCount,
          next.result === null ? null : JSON.stringify(next.result),
          next.assignedAt,
          next.startedAt,
          next.completedAt,
          next.nextAttemptAt,
          next.leaseExpiresAt,
          next.updatedAt,
          id,
        ],
      );
      await this.insertEvents(manager, [
        { transactionId: id, from: current.status, to: step.to, actor: step.actor, at: step.at, details: step.details },
      ]);
      return { transaction: next, changed: true };
    });
  }

  async claimForBox(claim: BoxClaim): Promise<Transaction[]> {
    return this.db.transaction(async (manager) => {
      const postgres = this.db.engine === 'postgres';
      // Serializes concurrent polls of one box, so two of them cannot both fill its capacity.
      if (postgres) await manager.query('SELECT id FROM callboxes WHERE id = $1 FOR UPDATE', [claim.callboxId]);
      const counts: Array<{ n: unknown }> = await manager.query(
        this.db.sql(`SELECT COUNT(*) AS n FROM transactions WHERE assigned_to = ? AND status IN ('assigned', 'processing')`),
        [claim.callboxId],
      );
      const inFlight = Number(counts[0].n);
      const held: TransactionRow[] = await manager.query(
        this.db.sql(`SELECT * FROM transactions WHERE assigned_to = ? AND status = 'assigned' ${QUEUE_ORDER} LIMIT ?`),
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

  async countInStatus(status: TransactionStatus): Promise<number> {
    const rows: Array<{ n: unknown }> = await this.db.reader.query(
      this.db.sql('SELECT COUNT(*) AS n FROM transactions WHERE status = ?'),
      [status],
    );
    return Number(rows[0].n);
  }

  async countAssignedTo(callboxId: string, statuses: readonly TransactionStatus[]): Promise<number> {
    const rows: Array<{ n: unknown }> = await this.db.reader.query(
      this.db.sql(`SELECT COUNT(*) AS n FROM transactions WHERE assigned_to = ? AND status IN (${placeholders(statuses.length)})`),
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

  private async claimPending(manager: EntityManager, claim: BoxClaim, room: number): Promise<Transaction[]> {
    const filters = [`status = 'pending'`, `type IN (${placeholders(claim.types.length)})`];
    const params: unknown[] = [...claim.types];
    if (claim.operators) {
      filters.push(`LOWER(customer_operator) IN (${placeholders(claim.operators.length)})`);
      params.push(...claim.operators.map((o) => o.toLowerCase()));
    }
    const skipLocked = this.db.engine === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    const { rows } = await this.db.execute<TransactionRow>(
      manager,
      `UPDATE transactions SET status = 'assigned', assigned_to = ?, assigned_at = ?, lease_expires_at = ?, updated_at = ?
       WHERE id IN (SELECT id FROM transactions WHERE ${filters.join(' AND ')} ${QUEUE_ORDER} LIMIT ?${skipLocked})
       RETURNING *`,
      [claim.callboxId, claim.now, claim.now + claim.leaseMs, claim.now, ...params, room],
    );
    const claimed = rows.map(toTransaction).sort(byQueueOrder);
    await this.insertEvents(
      manager,
      claimed.map((tx) => ({
        transactionId: tx.id,
        from: 'pending' as const,
        to: 'assigned' as const,
        actor: `callbox:${claim.callboxId}`,
        at: claim.now,
        details: { via: 'poll' },
      })),
    );
    return claimed;
  }

  private async insert(manager: EntityManager, input: NewTransaction, now: number, idempotency?: IdempotencyClaim) {
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
    };
    await manager.query(
      this.db.sql(
        `INSERT INTO transactions (id, type, phone_number, amount, pay_item_id, customer_name, customer_operator,
           priority, priority_rank, status, retry_count, max_retries, source, idempotency_key, request_hash, created_at, updated_at)
         VALUES (${placeholders(17)})`,
      ),
      [
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
    );
    return transaction;
  }

  private async replayOf(manager: EntityManager, idempotency: IdempotencyClaim): Promise<Transaction | null> {
    const rows: TransactionRow[] = await manager.query(
      this.db.sql('SELECT * FROM transactions WHERE idempotency_key = ?'),
      [idempotency.key],
    );
    if (rows.length === 0) return null;
    if (rows[0].request_hash !== idempotency.requestHash) throw idempotencyKeyReused(idempotency.key.split(':').pop()!);
    return toTransaction(rows[0]);
  }

  private async insertEvents(manager: EntityManager, events: TransactionEvent[]): Promise<void> {
    if (events.length === 0) return;
    const values = events.map(() => `(${placeholders(6)})`).join(', ');
    await manager.query(
      this.db.sql(`INSERT INTO transaction_events (transaction_id, from_status, to_status, actor, at, details) VALUES ${values}`),
      events.flatMap((e) => [e.transactionId, e.from, e.to, e.actor, e.at, e.details === null ? null : JSON.stringify(e.details)]),
    );
  }
}

function byQueueOrder(a: Transaction, b: Transaction): number {
  return PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || a.createdAt - b.createdAt || a.id.localeCompare(b.id);
}
