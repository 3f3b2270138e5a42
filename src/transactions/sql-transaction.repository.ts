import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { Database } from '../database/database';
import { isUniqueViolation } from '../database/database-errors';
import type { UnitOfWork } from '../database/unit-of-work';
import { isOutcome } from './outcome';
import { OutcomeOutbox } from './outcome-outbox';
import { idempotencyKeyReused, transactionNotFound } from './transaction-errors';
import { toTransaction, toTransactionEvent, TransactionRow } from './transaction-row';
import { NewTransaction, PRIORITY_RANK, Transaction, TRANSACTION_STATUSES, TransactionEvent, TransactionPatch, TransactionStatus, TransactionType } from './transaction';
import { countersFrom, TransactionCounters } from './transaction-counters';
import { TransactionCountsSql } from './transaction-counts.statements';
import { TransactionEventsSql } from './transaction-events.statements';
import { newTransactionId } from './transaction-id';
import { JournaledWrite, TransactionJournal } from './transaction-journal';
import type { HeldState, TransitionStep } from './transaction-state-machine';
import { TransactionSweeps } from './transaction-sweeps';
import { TransactionTransitions } from './transaction-transitions';
import { BoxClaim, DispatchRound, IdempotencyClaim, Sweep, TransactionRepository } from './transaction.repository';
import { MUTABLE_FIELDS, TransactionsSql } from './transactions.statements';

/**
 * How long a poll may be answered "nothing, for anyone" from memory without a read, even if no
 * batch ended meanwhile: bounds what a write by another process (which this one never hears of)
 * could be missed for. Within it, an idle fleet's polls cost no SQLite read at all. Timed with the
 * monotonic clock, not the app's: the bound holds however the wall clock is set.
 */
export const IDLE_ANSWER_MAX_AGE_MS = 1_000;

/** `transactions` and `transaction_events` through the statements of this module. */
@Injectable()
export class SqlTransactionRepository extends TransactionRepository {
  private readonly journal: TransactionJournal;
  private readonly sweeps: TransactionSweeps;
  /** SQLite: the write generation at which a read found nothing pending and nothing assigned, and when (performance.now). */
  private idle: { generation: number; at: number } | null = null;

  constructor(
    private readonly db: Database,
    outbox: OutcomeOutbox,
    transitions: TransactionTransitions,
  ) {
    super();
    this.journal = new TransactionJournal(db, outbox, transitions);
    this.sweeps = new TransactionSweeps(db, this.journal);
  }

  sweep(sweep: Sweep, unit?: UnitOfWork): Promise<Transaction[]> {
    return this.sweeps.sweep(sweep, unit);
  }

  dispatch(round: DispatchRound): Promise<Transaction[]> {
    return this.sweeps.dispatch(round);
  }

  async create(input: NewTransaction, actor: string, now: number, idempotency?: IdempotencyClaim) {
    const insertion = this.insertion(input, actor, now, idempotency);
    try {
      if (this.db.dialect.writesInWith) {
        // One statement, no read first: the unique key finds a replay (below). A burst of submits then
        // needs one pooled connection each, not two in turn (with two, every second turn queued behind
        // all the first ones, and past the pool's wait the whole burst answered 503).
        const [transaction] = await this.journal.write(null, insertion);
        return { transaction, created: true };
      }
      return await this.db.unit(async (unit) => {
        // With one writer (SQLite) a read outside the unit could see another unit's uncommitted row.
        const replay = idempotency ? await this.replayOf(unit, idempotency) : null;
        if (replay) return { transaction: replay, created: false };
        const [transaction] = await this.journal.write(unit, insertion);
        return { transaction, created: true };
      });
    } catch (error) {
      // The key is taken: a replay, or a racing request with the same key, answers with the first one.
      if (idempotency && isUniqueViolation(error)) {
        const replay = await this.replayOf(null, idempotency);
        if (replay) return { transaction: replay, created: false };
      }
      throw error;
    }
  }

  async findById(id: string): Promise<Transaction | null> {
    const rows = await this.db.read<TransactionRow>(TransactionsSql.findById(this.db.dialect, id));
    return rows.length > 0 ? toTransaction(rows[0]) : null;
  }

  async transition<Consequence = undefined>(
    id: string,
    plan: (current: Transaction, unit: UnitOfWork) => TransitionStep | null | Promise<TransitionStep | null>,
    consequence?: (unit: UnitOfWork, next: Transaction) => Promise<Consequence>,
  ): Promise<{ transaction: Transaction; changed: boolean; consequence?: Consequence }> {
    return this.db.unit(async (unit) => {
      const { rows } = await unit.run<TransactionRow>(TransactionsSql.lockById(this.db.dialect, id));
      if (rows.length === 0) throw transactionNotFound(id);
      const current = toTransaction(rows[0]);
      const step = await plan(current, unit);
      if (!step) return { transaction: current, changed: false };
      const next: Transaction = { ...current, ...step.patch, status: step.to, updatedAt: step.at };
      const patch = Object.fromEntries(MUTABLE_FIELDS.map((field) => [field, next[field] ?? null]));
      await this.journal.write(unit, {
        write: TransactionsSql.update(this.db.dialect, id, patch),
        event: { from: current.status, to: step.to, actor: step.actor, at: step.at, details: step.details },
        known: [next],
      });
      // After this row's lock: a unit that locks a box first never waits on a transaction row (claims
      // and sweeps skip locked rows), so this order cannot deadlock with them.
      return { transaction: next, changed: true, consequence: consequence && (await consequence(unit, next)) };
    });
  }

  async transitionIfHeld<Consequence = undefined>(
    id: string,
    from: HeldState,
    step: TransitionStep,
    consequence?: (unit: UnitOfWork, next: Transaction) => Promise<Consequence>,
  ): Promise<{ transaction: Transaction; consequence?: Consequence } | null> {
    const patch: TransactionPatch = { ...step.patch, status: step.to, updatedAt: step.at };
    const write: JournaledWrite = {
      write: TransactionsSql.updateIfHeld(this.db.dialect, id, from, patch),
      event: { from: from.status, to: step.to, actor: step.actor, at: step.at, details: step.details },
    };
    if (!consequence && !isOutcome(step.to)) {
      const [written] = await this.journal.write(null, write);
      return written ? { transaction: written } : null;
    }
    // The outcome's outbox message (the journal writes it) and the consequence commit with the step.
    return this.db.unit(async (unit) => {
      const [written] = await this.journal.write(unit, write);
      if (!written) return null;
      return { transaction: written, consequence: consequence && (await consequence(unit, written)) };
    });
  }

  async claimForBox(claim: BoxClaim): Promise<Transaction[]> {
    const dialect = this.db.dialect;
    // Taken before the read, which runs on SQLite before read() first awaits: what it finds is as of this generation.
    const generation = this.db.writeGeneration();
    const readAt = performance.now();
    if (this.stillIdle(generation)) {
      // Nothing pending, nothing assigned to any box, and no batch has ended since that was read.
      claim.onOutcome?.({ claimed: 0, exhausted: true });
      return [];
    }
    // Most polls find nothing: answer those from one indexed read, without a write transaction.
    const [found] = await this.db.read<{ held: unknown; queued: unknown; assigned: unknown }>(TransactionsSql.mayHaveWorkFor(dialect, claim.callboxId));
    const queued = isTrue(found.queued);
    if (generation !== null && !queued && !isTrue(found.assigned)) this.idle = { generation, at: readAt };
    if (!isTrue(found.held) && !(claim.types.length > 0 && queued)) {
      // An empty queue left it nothing to take; a box that claims nothing new was stopped by itself.
      claim.onOutcome?.({ claimed: 0, exhausted: !queued });
      return [];
    }
    if (!isTrue(found.held) && (await this.allPromised(claim))) {
      // Everything it could take is another poll's to claim: no write unit that would find it taken.
      claim.onOutcome?.({ claimed: 0, exhausted: true });
      return [];
    }
    const { transactions, claimed, exhausted } = await this.db.unit(async (unit) => {
      await claim.lockBox(unit);
      const rows = (await unit.run<TransactionRow & { in_flight: unknown }>(TransactionsSql.heldAndInFlightOf(dialect, claim.callboxId, claim.limit))).rows;
      const inFlight = Number(rows[0].in_flight);
      const held = rows.filter((row) => row.id !== null).map(toTransaction).sort(byQueueOrder);
      const room = Math.min(claim.limit - held.length, claim.maxConcurrent - inFlight);
      const mayClaim = room > 0 && claim.types.length > 0;
      const newly = mayClaim ? await this.claimPending(unit, claim, room) : [];
      return { transactions: [...held, ...newly], claimed: newly.length, exhausted: mayClaim && newly.length < room };
    });
    claim.onOutcome?.({ claimed, exhausted });
    return transactions;
  }

  private stillIdle(generation: number | null): boolean {
    const idle = this.idle;
    return idle !== null && idle.generation === generation && performance.now() - idle.at < IDLE_ANSWER_MAX_AGE_MS;
  }

  async counters(): Promise<TransactionCounters> {
    const rows = await this.db.read<{ type: TransactionType; status: TransactionStatus; callbox_id: string; n: unknown; timed: unknown; processing_ms: unknown }>(
      TransactionCountsSql.counters(this.db.dialect),
    );
    return countersFrom(
      rows.map((row) => ({
        type: row.type,
        status: row.status,
        callboxId: row.callbox_id,
        n: Number(row.n),
        timed: Number(row.timed),
        processingMs: Number(row.processing_ms),
      })),
    );
  }

  async foldCounterDeltas(limit: number): Promise<number> {
    // SQLite's triggers write the counters themselves: it has no deltas.
    if (!this.db.dialect.writesInWith) return 0;
    const [row] = await this.db.unit<{ n: unknown }>(TransactionCountsSql.fold(this.db.dialect, limit));
    return Number(row.n);
  }

  async countInFlightByBox(): Promise<Map<string, number>> {
    const rows = await this.db.read<{ box: string; n: unknown }>(TransactionCountsSql.inFlightByBox(this.db.dialect));
    return new Map(rows.map((row) => [row.box, Number(row.n)]));
  }

  async countInStatus(status: TransactionStatus): Promise<number> {
    const [row] = await this.db.read<{ n: unknown }>(TransactionCountsSql.inStatus(this.db.dialect, status));
    return Number(row.n);
  }

  async countAssignedTo(callboxId: string, statuses: readonly TransactionStatus[]): Promise<number> {
    const [row] = await this.db.read<{ n: unknown }>(TransactionCountsSql.assignedTo(this.db.dialect, callboxId, statuses));
    return Number(row.n);
  }

  async listEvents(transactionId: string): Promise<TransactionEvent[]> {
    const rows = await this.db.read<TransactionRow>(TransactionEventsSql.listFor(this.db.dialect, transactionId));
    return rows.map(toTransactionEvent);
  }

  /**
   * Whether every pending transaction the box may take is promised to a woken poll (`promised`):
   * the claim's own filter and order, as many ids as are promised and one more, so one not
   * promised shows if it exists. Read outside any unit, it only decides whether the claim is tried.
   */
  private async allPromised(claim: BoxClaim): Promise<boolean> {
    const promised = claim.promised;
    if (!promised || promised.size === 0 || promised.size >= MAX_PROMISED_CHECKED) return false;
    const rows = await this.db.read<{ id: string }>(TransactionsSql.claimableIds(this.db.dialect, claim, rowsToRead(promised.size)));
    return rows.every((row) => promised.has(row.id));
  }

  private async claimPending(unit: UnitOfWork, claim: BoxClaim, room: number): Promise<Transaction[]> {
    const claimed = await this.journal.write(unit, {
      write: TransactionsSql.claimPending(this.db.dialect, { ...claim, room }),
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
      write: TransactionsSql.insert(this.db.dialect, {
        id: transaction.id,
        type: input.type,
        phoneNumber: input.phoneNumber,
        amount: input.amount,
        payItemId: input.payItemId,
        customerName: input.customerInfo?.name ?? null,
        customerOperator: input.customerInfo?.operator ?? null,
        priority: input.priority,
        priorityRank: PRIORITY_RANK[input.priority],
        maxRetries: input.maxRetries,
        source: input.source,
        idempotencyKey: idempotency?.key ?? null,
        requestHash: idempotency?.requestHash ?? null,
        now,
      }),
      event: { from: null, to: 'pending', actor, at: now, details: { source: input.source } },
    };
  }

  /** Inside the unit of work that would insert, or (no unit) after it lost a race. */
  private async replayOf(unit: UnitOfWork | null, idempotency: IdempotencyClaim): Promise<Transaction | null> {
    const find = TransactionsSql.findByIdempotencyKey(this.db.dialect, idempotency.key);
    const rows = unit ? (await unit.run<TransactionRow>(find)).rows : await this.db.read<TransactionRow>(find);
    if (rows.length === 0) return null;
    if (rows[0].request_hash !== idempotency.requestHash) throw idempotencyKeyReused(idempotency.clientKey);
    return toTransaction(rows[0]);
  }
}

/** Past this many promised transactions, the claim is tried as before rather than reading as many ids first. */
const MAX_PROMISED_CHECKED = 256;

/**
 * Promised + 1 ids, rounded up to a power of two: reading a few more costs nothing against the
 * index walk, and the statement's text (its count is written in it) takes one of a handful of forms.
 */
function rowsToRead(promised: number): number {
  let count = 2;
  while (count < promised + 1) count *= 2;
  return count;
}

/** EXISTS is 0/1 on SQLite and a boolean on PostgreSQL. */
const isTrue = (value: unknown) => value === true || value === 1 || value === '1' || value === 't';

function byQueueOrder(a: Transaction, b: Transaction): number {
  return PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || a.createdAt - b.createdAt || a.id.localeCompare(b.id);
}
