import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { API_KEY, TOKEN } from './service';

const DAY_MS = 86_400_000;
const BOXES = 20;

/**
 * `rows` final transactions (90 % completed, 7 % failed, 3 % expired) spread over the last 90 days,
 * each with its events (four for a box's run, two for an expiry), written straight into a migrated
 * SQLite file while the service is stopped: one transaction, one INSERT ... SELECT over a recursive
 * sequence per table, rows in primary key order. Returns the seconds it took.
 */
export function generateFinalTransactions(path: string, rows: number, now: number): number {
  const started = performance.now();
  const db = new Database(path);
  try {
    // A fixture, not money: no fsync while it is written (the file is thrown away after the bench).
    // Out of WAL (a 4 GB transaction would go through the WAL and then be copied again); the
    // rollback journal kept in memory (better-sqlite3's defensive mode refuses OFF).
    db.pragma('journal_mode = DELETE');
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -262144');
    const since = now - 90 * DAY_MS;
    const step = Math.max(1, Math.floor((90 * DAY_MS) / rows));
    db.transaction(() => {
      db.prepare(
        `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < @rows)
         INSERT INTO transactions (id, type, phone_number, amount, pay_item_id, customer_operator, priority, priority_rank, status,
           assigned_to, retry_count, max_retries, source, created_at, updated_at, assigned_at, started_at, completed_at, attempt)
         SELECT printf('tx_big_%010d', i),
           CASE i % 4 WHEN 0 THEN 'recharge' WHEN 1 THEN 'voucher' WHEN 2 THEN 'deposit' ELSE 'withdraw' END,
           printf('+237677%06d', i % 1000000), 500 + (i % 20) * 50, 'MTN_RECHARGE_1000', 'MTN', 'normal', 2,
           CASE WHEN i % 100 < 90 THEN 'completed' WHEN i % 100 < 97 THEN 'failed' ELSE 'expired' END,
           CASE WHEN i % 100 < 97 THEN printf('box_%02d', i % ${BOXES}) END,
           0, 3, 'main', @since + i * @step, @since + i * @step + 60000,
           CASE WHEN i % 100 < 97 THEN @since + i * @step + 2000 END,
           CASE WHEN i % 100 < 97 THEN @since + i * @step + 3000 END,
           CASE WHEN i % 100 < 97 THEN @since + i * @step + 3000 + (i % 50) * 1000 END,
           CASE WHEN i % 100 < 97 THEN 1 ELSE 0 END
         FROM seq`,
      ).run({ rows, since, step });
      db.prepare(
        `WITH steps(k, expiry, from_status, to_status, actor) AS (VALUES
           (0, 0, NULL, 'pending', 'main-system'), (1, 0, 'pending', 'assigned', 'dispatcher'),
           (2, 0, 'assigned', 'processing', 'callbox'), (3, 0, 'processing', NULL, 'callbox'),
           (0, 1, NULL, 'pending', 'main-system'), (1, 1, 'pending', 'expired', 'dispatcher'))
         INSERT INTO transaction_events (transaction_id, from_status, to_status, actor, at, details)
         SELECT t.id, s.from_status, COALESCE(s.to_status, t.status), s.actor, t.created_at + s.k * 1000, NULL
         FROM transactions t JOIN steps s ON s.expiry = (t.status = 'expired')`,
      ).run();
    })();
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
  return Math.round((performance.now() - started) / 100) / 10;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Probes /health/live back to back while `work` runs: the slowest answer is how long the event
 * loop was held (the loop serves nothing else while a synchronous query runs).
 */
async function withLoopProbe<T>(base: string, work: () => Promise<T>): Promise<{ result: T; maxProbeMs: number }> {
  let probing = true;
  let maxProbeMs = 0;
  const probe = (async () => {
    while (probing) {
      const at = performance.now();
      await fetch(`${base}/health/live`);
      maxProbeMs = Math.max(maxProbeMs, performance.now() - at);
      await sleep(2);
    }
  })();
  try {
    const result = await work();
    probing = false;
    await probe;
    return { result, maxProbeMs };
  } finally {
    probing = false;
  }
}

async function timed(request: () => Promise<Response>): Promise<number> {
  const at = performance.now();
  const response = await request();
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${response.url}`);
  return performance.now() - at;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const roundMs = (ms: number) => Math.round(ms * 100) / 100;

export interface BigTableMeasures {
  statsMs: number;
  metricsMs: number;
  pollMs: number;
  reportMs: number;
  tickMs: number;
  /** The slowest /health/live answer while the measures ran. */
  maxEventLoopDelayMs: number;
  /**
   * The time each measure held the service's main thread (its on-CPU time, from the kernel's
   * schedstat; median of a second round without the probe, so nothing else runs on that thread):
   * what the code costs, whatever else loads the machine. Null where /proc is not there.
   */
  cpuMs: Record<Measure, number> | null;
}

const MEASURES = ['stats', 'metrics', 'poll', 'report', 'tick'] as const;
type Measure = (typeof MEASURES)[number];

/** Nanoseconds the thread has run on a CPU (the kernel's schedstat), or null without /proc. */
function onCpuNs(pid: number): number | null {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

/**
 * Medians of `repeats` of each: stats, a metrics scrape, a poll that claims one transaction, a
 * report (completed) of it, a forced tick; wall times while /health/live is probed, then the main
 * thread's CPU time of each in a second round without the probe. The boxes are registered and
 * some work is queued first.
 */
export async function measureBigTable(base: string, pid: number, repeats = 7): Promise<BigTableMeasures> {
  const json = { 'content-type': 'application/json' };
  const bearer = { authorization: `Bearer ${TOKEN}` };
  const boxes = Array.from({ length: repeats }, (_, i) => `bigtable_${i}`);
  for (const callboxId of boxes) {
    const registered = await fetch(`${base}/api/call-box/register`, {
      method: 'POST',
      headers: { ...json, ...bearer },
      body: JSON.stringify({ callboxId, capabilities: { maxConcurrentTransactions: 5, supportedTypes: ['recharge'] } }),
    });
    if (!registered.ok) throw new Error(`register: HTTP ${registered.status}`);
  }
  const submit = () =>
    fetch(`${base}/api/transaction/to-callbox`, {
      method: 'POST',
      headers: { ...json, 'x-api-key': API_KEY },
      body: JSON.stringify({ type: 'recharge', phoneNumber: '+237677123456', amount: 1000, payItemId: 'BENCH_1000', customerInfo: { operator: 'MTN' } }),
    });
  // Two rounds, each box polls one per round (ticks deal the rest to the same boxes).
  for (let i = 0; i < repeats * 6; i++) await (await submit()).arrayBuffer();

  /** One round: each measure `repeats` times; `cost` is what a measure is given (its wall or CPU time). */
  const round = async (cost: (request: () => Promise<Response>) => Promise<number>) => {
    const figures: Record<Measure, number[]> = { stats: [], metrics: [], poll: [], report: [], tick: [] };
    for (let i = 0; i < repeats; i++) {
      figures.stats.push(await cost(() => fetch(`${base}/api/call-box/stats`, { headers: bearer })));
      figures.metrics.push(await cost(() => fetch(`${base}/metrics`)));
      const callboxId = boxes[i];
      // As firmware does between polls: a box silent past HEARTBEAT_TIMEOUT_MS (slow stats at 5 M
      // rows take that long on a loaded machine) is disconnected by the tick and polls nothing.
      const beat = await fetch(`${base}/api/call-box/heartbeat`, {
        method: 'POST',
        headers: { ...json, ...bearer },
        body: JSON.stringify({ callboxId, status: 'active', queueSize: 0, metrics: { uptime: 1, memoryUsage: 10, processedTransactions: 0 } }),
      });
      if (!beat.ok) throw new Error(`heartbeat: HTTP ${beat.status}`);
      await beat.arrayBuffer();
      let polled: Array<{ id: string }> = [];
      figures.poll.push(
        await cost(async () => {
          const response = await fetch(`${base}/api/call-box/transactions/pending?callboxId=${callboxId}&limit=1`, { headers: bearer });
          polled = ((await response.clone().json()) as { transactions: Array<{ id: string }> }).transactions;
          return response;
        }),
      );
      if (polled.length === 0) throw new Error(`${callboxId} polled nothing`);
      figures.report.push(
        await cost(() =>
          fetch(`${base}/api/call-box/transactions/${polled[0].id}/status`, {
            method: 'PUT',
            headers: { ...json, ...bearer },
            body: JSON.stringify({ callboxId, status: 'completed', result: { success: true } }),
          }),
        ),
      );
      figures.tick.push(await cost(() => fetch(`${base}/api/sync/force`, { method: 'POST', headers: { 'x-api-key': API_KEY } })));
    }
    return figures;
  };
  const { result, maxProbeMs } = await withLoopProbe(base, () => round(timed));
  const cpu = onCpuNs(pid) === null ? null : await round((request) => onCpu(pid, request));
  const medians = (figures: Record<Measure, number[]>) =>
    Object.fromEntries(MEASURES.map((measure) => [measure, roundMs(median(figures[measure]))])) as Record<Measure, number>;
  const wall = medians(result);
  return {
    statsMs: wall.stats,
    metricsMs: wall.metrics,
    pollMs: wall.poll,
    reportMs: wall.report,
    tickMs: wall.tick,
    maxEventLoopDelayMs: roundMs(maxProbeMs),
    cpuMs: cpu && medians(cpu),
  };
}

/** The service's main-thread CPU time while `request` is answered (nothing else is sent meanwhile). */
async function onCpu(pid: number, request: () => Promise<Response>): Promise<number> {
  const before = onCpuNs(pid)!;
  await timed(request);
  return (onCpuNs(pid)! - before) / 1e6;
}

/** The worst of the main-thread CPU ratios (big over small), on the same terms as worstRatio; null without them. */
export function worstCpuRatio(big: BigTableMeasures, small: BigTableMeasures): number | null {
  if (!big.cpuMs || !small.cpuMs) return null;
  const [b, s] = [big.cpuMs, small.cpuMs];
  return Math.round(Math.max(...MEASURES.map((key) => b[key] / Math.max(1, s[key]))) * 100) / 100;
}

/** The worst of the measures' ratios (big over small); times under 1 ms count as 1 ms, so sub-millisecond noise is no ratio. */
export function worstRatio(big: BigTableMeasures, small: BigTableMeasures): number {
  const keys = ['statsMs', 'metricsMs', 'pollMs', 'reportMs', 'tickMs'] as const;
  return Math.round(Math.max(...keys.map((key) => big[key] / Math.max(1, small[key]))) * 100) / 100;
}
