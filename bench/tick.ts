import Database from 'better-sqlite3';
import { Client } from 'pg';
import { API_KEY } from './service';

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

/** Median duration of `runs` forced ticks (the service measures each tick itself). */
export async function medianTickMs(baseUrl: string, runs: number): Promise<number> {
  const durations: number[] = [];
  for (let i = 0; i < runs; i++) {
    const response = await fetch(`${baseUrl}/api/sync/force`, { method: 'POST', headers: { 'x-api-key': API_KEY } });
    const body = (await response.json()) as { durationMs: number };
    durations.push(body.durationMs);
  }
  durations.sort((a, b) => a - b);
  return durations[Math.floor(durations.length / 2)];
}
