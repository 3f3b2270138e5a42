import Database from 'better-sqlite3';
import { Client } from 'pg';
import { HttpClient } from '../src/simulator/callbox-fleet/http-client';
import { API_KEY, TOKEN } from './service';

const COLUMNS = 'id, type, phone_number, amount, pay_item_id, priority, priority_rank, status, retry_count, max_retries, source, created_at, updated_at';

/** Fills the transactions table with `count` pending rows, straight into the database (the service is stopped). */
export async function seedPending(databaseUrl: string, count: number, now: number): Promise<void> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new Database(databaseUrl.slice('sqlite:'.length));
    db.prepare(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
       INSERT INTO transactions (${COLUMNS})
       SELECT 'tx_bench_' || n, 'recharge', '+237677123456', 1000, 'BENCH', 'normal', 2, 'pending', 0, 3, 'main', ? - n, ? - n FROM seq`,
    ).run(count, now, now);
    db.close();
    return;
  }
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(
    `INSERT INTO transactions (${COLUMNS})
     SELECT 'tx_bench_' || n, 'recharge', '+237677123456', 1000, 'BENCH', 'normal', 2, 'pending', 0, 3, 'main', $2::bigint - n, $2::bigint - n
     FROM generate_series(1, $1::int) AS n`,
    [count, now],
  );
  await client.query('ANALYZE transactions');
  await client.end();
}

export interface TickFigures {
  /** The first tick after boot: cold page cache. */
  firstMs: number;
  /** Median of the following ticks. */
  medianMs: number;
  /** Transactions each measured tick assigned (the fleet's free room). */
  assignedPerTick: number;
}

/**
 * Forced ticks that each do real work: between two ticks the boxes take what they were assigned
 * and complete it, so every tick finds the fleet's whole room free and assigns that much from the
 * queue (a tick facing a full fleet reads nothing, and would say nothing about the table's size).
 */
export async function measureTicks(baseUrl: string, boxIds: string[], runs: number): Promise<TickFigures> {
  const client = new HttpClient(baseUrl);
  const durations: number[] = [];
  const assigned: number[] = [];
  try {
    for (let i = 0; i <= runs; i++) {
      const tick = JSON.parse((await client.send('POST', '/api/sync/force', { 'x-api-key': API_KEY })).body) as ForceAnswer;
      durations.push(tick.durationMs);
      assigned.push(tick.counts.assigned);
      await completeAssignedWork(client, boxIds);
    }
  } finally {
    client.close();
  }
  const following = durations.slice(1).sort((a, b) => a - b);
  return { firstMs: durations[0], medianMs: following[Math.floor(following.length / 2)], assignedPerTick: Math.min(...assigned.slice(1)) };
}

interface ForceAnswer {
  durationMs: number;
  counts: { assigned: number };
}

async function completeAssignedWork(client: HttpClient, boxIds: string[]): Promise<void> {
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  await Promise.all(
    boxIds.map(async (callboxId) => {
      const polled = await client.send('GET', `/api/call-box/transactions/pending?callboxId=${callboxId}`, { authorization: `Bearer ${TOKEN}` });
      const { transactions } = JSON.parse(polled.body) as { transactions: Array<{ id: string }> };
      for (const { id } of transactions) {
        for (const status of ['processing', 'completed']) {
          const body = JSON.stringify({ callboxId, status, result: status === 'completed' ? { success: true } : undefined });
          const answer = await client.send('PUT', `/api/call-box/transactions/${id}/status`, auth, body);
          if (!answer.ok) throw new Error(`report ${status} of ${id}: HTTP ${answer.status}`);
        }
      }
    }),
  );
}
