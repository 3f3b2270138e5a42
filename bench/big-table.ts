import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
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

/** A request of the probed round, in epoch milliseconds (comparable with the service's own watch). */
interface Span {
  what: string;
  startMs: number;
  endMs: number;
}

const epochNow = () => performance.timeOrigin + performance.now();

/**
 * Probes /health/live back to back while `work` runs: a probe's wall time is the client's view of
 * how long the service's event loop was held, plus the bench process's own delays and the network.
 * Every probe is kept as a span, to lay it beside what the service was doing.
 */
async function withLoopProbe<T>(base: string, work: () => Promise<T>): Promise<{ result: T; probes: Span[] }> {
  let probing = true;
  const probes: Span[] = [];
  const probe = (async () => {
    while (probing) {
      const startMs = epochNow();
      await (await fetch(`${base}/health/live`)).arrayBuffer();
      probes.push({ what: 'probe', startMs, endMs: epochNow() });
      await sleep(2);
    }
  })();
  try {
    const result = await work();
    probing = false;
    await probe;
    return { result, probes };
  } finally {
    probing = false;
  }
}

/** What bench/loop-watch.js (loaded into the service) saw of the service's event loop. */
interface LoopWatchReport {
  maxMs: number;
  p99Ms: number;
  samples: number;
  stalls: Array<{ startMs: number; ms: number; cpuMs?: number; runQueueMs?: number; sleptMs?: number }>;
  gc: Array<{ startMs: number; ms: number; kind: number }>;
}

/** Asks the service's loop watch (bench/loop-watch.js) to start; resolves once it has. */
function startLoopWatch(service: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: { type?: string }) => {
      if (message?.type !== 'loop-watch:started') return;
      service.off('message', onMessage);
      resolve();
    };
    service.on('message', onMessage);
    service.send({ type: 'loop-watch:start' });
  });
}

function stopLoopWatch(service: ChildProcess): Promise<LoopWatchReport> {
  return new Promise((resolve) => {
    const onMessage = (message: { type?: string } & LoopWatchReport) => {
      if (message?.type !== 'loop-watch:report') return;
      service.off('message', onMessage);
      resolve(message);
    };
    service.on('message', onMessage);
    service.send({ type: 'loop-watch:stop' });
  });
}

/** The requests that were in flight at some moment of [startMs, endMs]. */
const overlapping = (spans: Span[], startMs: number, endMs: number) =>
  [...new Set(spans.filter((span) => span.startMs < endMs && span.endMs > startMs).map((span) => span.what))];

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
  /**
   * The service's worst event-loop delay while the measures ran (bench/loop-watch.js in the service:
   * perf_hooks.monitorEventLoopDelay at 1 ms resolution, over exactly that round).
   */
  maxEventLoopDelayMs: number;
  /** The slowest /health/live answer meanwhile, as the bench process timed it (its wall time). */
  maxProbeMs: number;
  /** The bench process's own worst event-loop delay meanwhile (a probe's wall time includes it). */
  clientMaxEventLoopDelayMs: number;
  /** The service's longest garbage-collection pause meanwhile, and their count. */
  gcMaxMs: number;
  gcCount: number;
  /** The service's collections over 2 ms: kind (perf_hooks: 1 minor, 2 major, 4 incremental, 8 weak callbacks) and the requests meanwhile. */
  gcPauses: Array<{ ms: number; kind: number; during: string[] }>;
  /**
   * The service's longest stalls (a 1 ms timer held over 4 ms): the requests in flight then, and
   * what the main thread did meanwhile (on a CPU, waiting for one, asleep in a system call), and
   * the garbage collector's pause within it.
   */
  worstStalls: Array<{ ms: number; during: string[]; cpuMs?: number; runQueueMs?: number; sleptMs?: number; gcMs: number }>;
  /** The slowest probes and the requests in flight while each ran. */
  worstProbes: Array<{ ms: number; during: string[]; serviceStallMs: number }>;
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
export async function measureBigTable(base: string, service: ChildProcess, repeats = 7): Promise<BigTableMeasures> {
  const pid = service.pid!;
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
  const round = async (cost: (measure: string, request: () => Promise<Response>) => Promise<number>) => {
    const figures: Record<Measure, number[]> = { stats: [], metrics: [], poll: [], report: [], tick: [] };
    for (let i = 0; i < repeats; i++) {
      figures.stats.push(await cost('stats', () => fetch(`${base}/api/call-box/stats`, { headers: bearer })));
      figures.metrics.push(await cost('metrics', () => fetch(`${base}/metrics`)));
      const callboxId = boxes[i];
      // As firmware does between polls: a box silent past HEARTBEAT_TIMEOUT_MS (slow stats at 5 M
      // rows take that long on a loaded machine) is disconnected by the tick and polls nothing.
      const beatStartMs = epochNow();
      const beat = await fetch(`${base}/api/call-box/heartbeat`, {
        method: 'POST',
        headers: { ...json, ...bearer },
        body: JSON.stringify({ callboxId, status: 'active', queueSize: 0, metrics: { uptime: 1, memoryUsage: 10, processedTransactions: 0 } }),
      });
      if (!beat.ok) throw new Error(`heartbeat: HTTP ${beat.status}`);
      await beat.arrayBuffer();
      spans.push({ what: 'heartbeat', startMs: beatStartMs, endMs: epochNow() });
      let polled: Array<{ id: string }> = [];
      figures.poll.push(
        await cost('poll', async () => {
          const response = await fetch(`${base}/api/call-box/transactions/pending?callboxId=${callboxId}&limit=1`, { headers: bearer });
          polled = ((await response.clone().json()) as { transactions: Array<{ id: string }> }).transactions;
          return response;
        }),
      );
      if (polled.length === 0) throw new Error(`${callboxId} polled nothing`);
      figures.report.push(
        await cost('report', () =>
          fetch(`${base}/api/call-box/transactions/${polled[0].id}/status`, {
            method: 'PUT',
            headers: { ...json, ...bearer },
            body: JSON.stringify({ callboxId, status: 'completed', result: { success: true } }),
          }),
        ),
      );
      figures.tick.push(await cost('tick', () => fetch(`${base}/api/sync/force`, { method: 'POST', headers: { 'x-api-key': API_KEY } })));
    }
    return figures;
  };
  const spans: Span[] = [];
  const seen: Record<string, number> = {};
  const wall = async (what: string, request: () => Promise<Response>) => {
    const startMs = epochNow();
    const ms = await timed(request);
    // Numbered (stats#0 is the first stats): a first request may find the file's pages cold.
    spans.push({ what: `${what}#${(seen[what] = (seen[what] ?? -1) + 1)}`, startMs, endMs: epochNow() });
    return ms;
  };
  const clientLoop = monitorEventLoopDelay({ resolution: 1 });
  await startLoopWatch(service);
  clientLoop.enable();
  const { result, probes } = await withLoopProbe(base, () => round(wall));
  clientLoop.disable();
  const watched = await stopLoopWatch(service);
  const cpu = onCpuNs(pid) === null ? null : await round((_measure, request) => onCpu(pid, request));
  const medians = (figures: Record<Measure, number[]>) =>
    Object.fromEntries(MEASURES.map((measure) => [measure, roundMs(median(figures[measure]))])) as Record<Measure, number>;
  const walls = medians(result);
  const slowest = <T extends { ms: number }>(items: T[]) => [...items].sort((a, b) => b.ms - a.ms).slice(0, 5);
  const stallWithin = (startMs: number, endMs: number) =>
    Math.max(0, ...watched.stalls.filter((stall) => stall.startMs < endMs && stall.startMs + stall.ms > startMs).map((stall) => stall.ms));
  return {
    statsMs: walls.stats,
    metricsMs: walls.metrics,
    pollMs: walls.poll,
    reportMs: walls.report,
    tickMs: walls.tick,
    maxEventLoopDelayMs: watched.maxMs,
    maxProbeMs: roundMs(Math.max(0, ...probes.map((probe) => probe.endMs - probe.startMs))),
    clientMaxEventLoopDelayMs: roundMs(Math.max(0, clientLoop.max / 1e6 - 1)),
    gcMaxMs: Math.max(0, ...watched.gc.map((entry) => entry.ms)),
    gcCount: watched.gc.length,
    gcPauses: watched.gc.filter((entry) => entry.ms > 2).map((entry) => ({ ms: entry.ms, kind: entry.kind, during: overlapping(spans, entry.startMs, entry.startMs + entry.ms) })),
    worstStalls: slowest(watched.stalls).map(({ startMs, ...stall }) => ({
      ...stall,
      during: overlapping(spans, startMs, startMs + stall.ms),
      gcMs: roundMs(
        watched.gc.filter((entry) => entry.startMs < startMs + stall.ms && entry.startMs + entry.ms > startMs - 1).reduce((sum, entry) => sum + entry.ms, 0),
      ),
    })),
    worstProbes: slowest(probes.map((probe) => ({ ...probe, ms: roundMs(probe.endMs - probe.startMs) }))).map((probe) => ({
      ms: probe.ms,
      during: overlapping(spans, probe.startMs, probe.endMs),
      serviceStallMs: stallWithin(probe.startMs, probe.endMs),
    })),
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

/** What the service's loop did over a window of its own periodic work (no request measured). */
export interface PeriodicWork {
  seconds: number;
  /** Scheduled dispatcher ticks meanwhile, and outcome callbacks the bench's receiver got. */
  ticks: number;
  callbacks: number;
  /** The service's worst event-loop delay, and its longest stalls (what the thread did, the requests in flight). */
  maxEventLoopDelayMs: number;
  worstStalls: Array<{ ms: number; cpuMs?: number; runQueueMs?: number; sleptMs?: number; gcMs: number }>;
  gcMaxMs: number;
}

/**
 * The service's periodic work on the big table, its loop watched: the dispatcher's scheduled ticks
 * (every second: the sweeps of expired leases, silent and degraded boxes, retries, expiries, then a
 * round), the heartbeat buffer's flush (the boxes beat every second), outcome callbacks (the report
 * measure's, to `receiverCount`'s server), the log flush. Each stall is one turn of the loop: a job
 * holding it more than 20 ms shows here with its own time (on a CPU, asleep in a system call)
 * apart from the machine's (waiting for a CPU).
 */
export async function measurePeriodic(
  base: string,
  service: ChildProcess,
  receiverCount: () => number,
  seconds = 15,
): Promise<PeriodicWork> {
  const admin = { 'x-api-key': API_KEY };
  const status = async () => ((await (await fetch(`${base}/api/sync/status`, { headers: admin })).json()) as { status: { totalRuns: number } }).status;
  const ticksBefore = (await status()).totalRuns;
  const callbacksBefore = receiverCount();
  await startLoopWatch(service);
  const started = await fetch(`${base}/api/sync/start`, { method: 'POST', headers: admin });
  if (!started.ok) throw new Error(`sync start: HTTP ${started.status}`);
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 7; i++) {
      await (
        await fetch(`${base}/api/call-box/heartbeat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify({ callboxId: `bigtable_${i}`, status: 'active', queueSize: 0, metrics: { uptime: 1, memoryUsage: 10, processedTransactions: 0 } }),
        })
      ).arrayBuffer();
    }
    await sleep(1000);
  }
  const watched = await stopLoopWatch(service);
  await (await fetch(`${base}/api/sync/stop`, { method: 'POST', headers: admin })).arrayBuffer();
  const slowest = [...watched.stalls].sort((a, b) => b.ms - a.ms).slice(0, 5);
  return {
    seconds,
    ticks: (await status()).totalRuns - ticksBefore,
    callbacks: receiverCount() - callbacksBefore,
    maxEventLoopDelayMs: watched.maxMs,
    worstStalls: slowest.map(({ startMs, ...stall }) => ({
      ...stall,
      gcMs: roundMs(watched.gc.filter((entry) => entry.startMs < startMs + stall.ms && entry.startMs + entry.ms > startMs - 1).reduce((sum, entry) => sum + entry.ms, 0)),
    })),
    gcMaxMs: Math.max(0, ...watched.gc.map((entry) => entry.ms)),
  };
}
