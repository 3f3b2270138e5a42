import type { Database } from '../../src/database/database';
import { statement } from '../../src/database/statement';
import type { TransactionStatus, TransactionType } from '../../src/transactions/transaction';

export interface SeededTransaction {
  id: string;
  status: TransactionStatus;
  createdAt: number;
  events: number;
  /** Its outcome callback: none, delivered or still pending. */
  callback: 'none' | 'delivered' | 'pending';
}

const TYPES: readonly TransactionType[] = ['recharge', 'voucher', 'deposit', 'withdraw'];

/**
 * Rows written straight into the tables, as months of traffic would leave them (the counters'
 * triggers count them like any write): `count` transactions of every status in turn, created
 * `stepMs` apart from `since`, each with 1 to 4 events; final ones with a delivered callback, every
 * seventh final one with its callback still pending.
 */
export async function seedTransactions(db: Database, count: number, since: number, stepMs: number, prefix = 'tx_seed'): Promise<SeededTransaction[]> {
  const statuses: TransactionStatus[] = ['completed', 'failed', 'expired', 'completed', 'pending', 'needs_review', 'processing', 'completed'];
  const seeded: SeededTransaction[] = [];
  for (let i = 0; i < count; i++) {
    const status = statuses[i % statuses.length];
    const createdAt = since + i * stepMs;
    const final = ['completed', 'failed', 'expired'].includes(status);
    const held = status !== 'pending' && status !== 'expired';
    const id = `${prefix}_${String(i).padStart(6, '0')}`;
    const callback: SeededTransaction['callback'] = !final ? 'none' : i % 7 === 3 ? 'pending' : 'delivered';
    const events = 1 + (i % 4);
    await db.unit(async (unit) => {
      await unit.run(
        statement(
          `INSERT INTO transactions (id, type, phone_number, amount, pay_item_id, customer_operator, priority, priority_rank, status, assigned_to,
             retry_count, max_retries, result, source, created_at, updated_at, started_at, completed_at, attempt)
           VALUES (?, ?, '+237677123456', ?, 'MTN_1000', 'MTN', 'normal', 2, ?, ?, 0, 3, ?, 'main', ?, ?, ?, ?, ?)`,
          [
            id, TYPES[i % TYPES.length], 500 + i, status, held ? `box_${i % 3}` : null,
            status === 'completed' ? JSON.stringify({ reference: `ref-${i}`, note: 'é, "quoted"\nline' }) : null,
            createdAt, createdAt + 5_000, held ? createdAt + 1_000 : null, final && held ? createdAt + 4_000 + i : null, held ? 1 : 0,
          ],
        ),
      );
      for (let e = 0; e < events; e++) {
        await unit.run(
          statement(`INSERT INTO transaction_events (transaction_id, from_status, to_status, actor, at, details) VALUES (?, ?, ?, ?, ?, ?)`, [
            id, e === 0 ? null : 'pending', e === events - 1 ? status : 'assigned', 'seed', createdAt + e, e === 0 ? null : JSON.stringify({ step: e }),
          ]),
        );
      }
      if (callback !== 'none') {
        await unit.run(
          statement(
            `INSERT INTO outbox (transaction_id, outcome, payload, state, attempts, next_attempt_at, created_at, sequence, delivered_at)
             VALUES (?, ?, '{}', ?, 1, ?, ?, 1, ?)`,
            [id, status, callback, createdAt + 5_000, createdAt + 5_000, callback === 'delivered' ? createdAt + 6_000 : null],
          ),
        );
      }
    });
    seeded.push({ id, status, createdAt, events, callback });
  }
  return seeded;
}

/** What an archive before `beforeMs` must take: final, created before, callback not pending. */
export const archivable = (rows: readonly SeededTransaction[], beforeMs: number) =>
  rows.filter((row) => ['completed', 'failed', 'expired'].includes(row.status) && row.createdAt < beforeMs && row.callback !== 'pending');

export async function idsIn(db: Database, table: 'transactions' | 'transaction_events' | 'outbox'): Promise<string[]> {
  const column = table === 'transactions' ? 'id' : 'transaction_id';
  const rows = await db.read<{ id: string }>(statement(`SELECT ${column} AS id FROM ${table} ORDER BY ${column}`));
  return rows.map((row) => String(row.id));
}

/** The counters as a full count of the rows computes them, sorted for comparison (see transaction-counters.db.spec). */
export async function fullCount(db: Database) {
  const grouped = await db.read<{ type: string; status: string; n: unknown }>(
    statement('SELECT type, status, COUNT(*) AS n FROM transactions GROUP BY type, status'),
  );
  const processed = await db.read<{ box: string; n: unknown }>(
    statement(`SELECT assigned_to AS box, COUNT(*) AS n FROM transactions WHERE status IN ('completed', 'failed') AND assigned_to IS NOT NULL GROUP BY assigned_to`),
  );
  const [mean] = await db.read<{ mean: unknown }>(
    statement(`SELECT AVG(completed_at - started_at) AS mean FROM transactions WHERE status = 'completed' AND started_at IS NOT NULL AND completed_at IS NOT NULL`),
  );
  return {
    byTypeAndStatus: grouped.map((row) => ({ type: row.type, status: row.status, count: Number(row.n) })).sort(byKey),
    processedByBox: processed.map((row) => [row.box, Number(row.n)] as [string, number]).sort(),
    meanProcessingMs: mean.mean === null ? null : Math.round(Number(mean.mean)),
  };
}

/** The same shape from the counters the stats read. */
export function comparable(counters: {
  byTypeAndStatus: Array<{ type: string; status: string; count: number }>;
  processedByBox: Map<string, number>;
  meanProcessingMs: number | null;
}) {
  return {
    byTypeAndStatus: [...counters.byTypeAndStatus].sort(byKey),
    processedByBox: [...counters.processedByBox.entries()].sort(),
    meanProcessingMs: counters.meanProcessingMs,
  };
}

const byKey = (a: { type: string; status: string }, b: { type: string; status: string }) =>
  `${a.type}/${a.status}`.localeCompare(`${b.type}/${b.status}`);
