/**
 * `npm run bench [-- --db postgres://...]`: measures the service the way a fleet uses it and writes
 * bench/results.json. Each step runs against a fresh service on a fresh database.
 */
import { ChildProcess, fork } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { Client } from 'pg';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase, TestDatabase } from '../test/support/test-database';
import { heartbeat as heartbeatExample } from '../test/support/fixtures';
import { endToEnd, heartbeatLoad, idlePollLoad, JSON_HEADERS, load, registerBoxes, submitLoad } from './phases';
import { peakRssMb, startService, stopService } from './service';
import { measureTicks, seedPending } from './tick';
import { dispatchLatency } from './dispatch-latency';
import { Fleet10kFigures, fleet10k } from './fleet-10k';
import { BigTableMeasures, generateFinalTransactions, measureBigTable, measurePeriodic, PeriodicWork, worstCpuRatio, worstRatio } from './big-table';
import { createServer } from 'node:http';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    transactions: { type: 'string', default: '20000' },
    // Steps to run, comma-separated (e.g. `--only big_table`); all of them by default.
    only: { type: 'string' },
    'big-table-rows': { type: 'string', default: '5000000' },
    // A SQLite file already holding the big table (made by an earlier run, or by another version of
    // the service): copied instead of generated, so two versions are measured on the same rows; the
    // service under test migrates it at boot (bootSeconds).
    'big-table-fixture': { type: 'string' },
    // Where the figures go (bench/<out>); a partial run (--only) should not overwrite the full results.
    out: { type: 'string', default: 'results.json' },
  },
});
// BENCH_PORT: two benches on one machine (the steps use PORT and the ports after it).
const PORT = Number(process.env.BENCH_PORT ?? 3900);
const BASE = `http://127.0.0.1:${PORT}`;
const results: Record<string, unknown> = {};
let peakRss = 0;
/** Peak RSS of the service in each step, to tell which one sets the peak. */
const rssByStep: Record<string, number> = {};

/** Steps held to a memory target of their own, left out of the overall peak's. */
const OWN_RSS_TARGET = new Set(['fleet_10k']);

function notePeakRss(label: string, pid: number): void {
  const mb = peakRssMb(pid);
  rssByStep[label] = Math.max(rssByStep[label] ?? 0, mb);
  if (!OWN_RSS_TARGET.has(label)) peakRss = Math.max(peakRss, mb);
}
/** Every database a step made, dropped at the end. */
const made: TestDatabase[] = [];

/** A fresh database, made the way every test suite makes one: a SQLite file, or a database on the --db server. */
async function freshDatabase(label: string): Promise<string> {
  const database = await createTestDatabase({ server: values.db, label: `bench_${label}` });
  made.push(database);
  return database.url;
}

/** `replicas` services on one fresh database (ports PORT, PORT + 1, ...); `work` gets their base URLs and pids. */
async function withService<T>(label: string, work: (baseUrls: string[], pids: number[]) => Promise<T>, replicas = 1): Promise<T> {
  const databaseUrl = await freshDatabase(label);
  const services: ChildProcess[] = [];
  try {
    // One after the other: the first runs the migrations.
    for (let i = 0; i < replicas; i++) services.push(await startService(PORT + i, databaseUrl));
    return await work(
      services.map((_, i) => `http://127.0.0.1:${PORT + i}`),
      services.map((service) => service.pid!),
    );
  } finally {
    for (const service of services) {
      notePeakRss(label, service.pid!);
      await stopService(service);
    }
  }
}

/** The bare platform: a GET (`ceiling`), or a POST of the spec's heartbeat example body (`ceiling_post`). */
async function ceiling(method: 'GET' | 'POST' = 'GET') {
  const server = fork(join(__dirname, 'ceiling-server.js'), [], { env: { ...process.env, PORT: String(PORT) }, stdio: 'ignore' });
  await new Promise((resolve) => server.once('message', resolve));
  try {
    const post = { method, headers: JSON_HEADERS, body: JSON.stringify(heartbeatExample('callbox_001')) } as const;
    return await load({ url: `http://127.0.0.1:${PORT}/`, ...(method === 'POST' ? post : {}) });
  } finally {
    server.kill();
  }
}

async function tickScaling() {
  const figures: Record<string, number> = {};
  for (const size of [1_000, 200_000]) {
    const databaseUrl = await freshDatabase(`tick_${size}`);
    await stopService(await startService(PORT, databaseUrl));
    await seedPending(databaseUrl, size, Date.now());
    const service = await startService(PORT, databaseUrl, { SYNC_AUTOSTART_DELAY_MS: '3600000' });
    try {
      const ticks = await measureTicks(BASE, await registerBoxes(BASE, 10), 9);
      figures[`tick_${size}_ms`] = ticks.medianMs;
      figures[`tick_${size}_first_ms`] = ticks.firstMs;
      figures[`tick_${size}_assigned`] = ticks.assignedPerTick;
    } finally {
      notePeakRss(`tick_${size}`, service.pid!);
      await stopService(service);
    }
  }
  figures.ratio = Math.round((figures.tick_200000_ms / Math.max(0.01, figures.tick_1000_ms)) * 100) / 100;
  return figures;
}

/**
 * The service on a SQLite file holding `rows` final transactions and their events (generated
 * straight into the file while the service is stopped), against the same measures on 1 000 rows.
 */
async function bigTable() {
  const measured: Record<number, BigTableMeasures & { fixtureSeconds: number; bootSeconds: number; periodic: PeriodicWork }> = {};
  const big = Number(values['big-table-rows']);
  // The main system's side of the outcome callbacks: every POST acknowledged.
  let callbacks = 0;
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      callbacks += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(PORT + 5, '127.0.0.1', resolve));
  receiver.unref();
  for (const rows of [1_000, big]) {
    // A SQLite file whatever --db says ('' names no server): the fixture is written with SQLite's own driver.
    const database = await createTestDatabase({ server: '', label: `bench_big_table_${rows}` });
    made.push(database);
    const path = database.url.slice('sqlite:'.length);
    const fixture = rows === big ? values['big-table-fixture'] : undefined;
    let fixtureSeconds = 0;
    if (fixture) copyFileSync(fixture, path);
    else {
      // Migrated by the service itself, then filled while it is stopped.
      await stopService(await startService(PORT, database.url));
      fixtureSeconds = generateFinalTransactions(path, rows, Date.now());
    }
    const booting = Date.now();
    // bench/loop-watch.js in the service: its own event-loop delay over the probed round.
    // The schedule starts when the periodic window does (POST /api/sync/start), then beats every second.
    const service = await startService(
      PORT,
      database.url,
      {
        SYNC_AUTOSTART_DELAY_MS: '3600000',
        SYNC_INTERVAL_MS: '1000',
        MAIN_CALLBACK_URL: `http://127.0.0.1:${PORT + 5}/outcomes`,
        CALLBACK_SECRET: 'bench-callback-secret-0123456789',
      },
      ['--require', join(__dirname, 'loop-watch.js')],
    );
    const bootSeconds = Math.round((Date.now() - booting) / 100) / 10;
    try {
      const measures = await measureBigTable(BASE, service);
      const periodic = await measurePeriodic(BASE, service, () => callbacks);
      measured[rows] = { ...measures, fixtureSeconds, bootSeconds, periodic };
      console.log(`\n  ${rows} rows: ${JSON.stringify(measured[rows])}`);
    } finally {
      notePeakRss(`big_table_${rows}`, service.pid!);
      await stopService(service);
    }
  }
  receiver.close();
  const small = measured[1_000];
  const large = measured[big];
  return {
    rows: big,
    statsMs: large.statsMs,
    metricsMs: large.metricsMs,
    maxEventLoopDelayMs: large.maxEventLoopDelayMs,
    maxProbeMs: large.maxProbeMs,
    periodic: large.periodic,
    ratio: worstRatio(large, small),
    // The main thread's own time per measure: the code's cost, apart from the machine's load.
    cpuMs: large.cpuMs,
    cpuRatio: worstCpuRatio(large, small),
    at1k: small,
    atRows: large,
  };
}

/** The --db server's postmaster, if it runs on this machine (its CPU is read from /proc): null on SQLite or if unknown. */
async function postgresPid(): Promise<number | null> {
  if (!values.db) return null;
  const client = new Client({ connectionString: values.db });
  try {
    await client.connect();
    const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
    return Number(readFileSync(join(rows[0].data_directory, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const only = values.only?.split(',').map((name) => name.trim());
  const step = async (name: string, run: () => Promise<unknown>) => {
    if (only && !only.includes(name)) return;
    process.stdout.write(`${name}... `);
    results[name] = await run();
    console.log(JSON.stringify(results[name]));
  };
  await step('ceiling', () => ceiling('GET'));
  // A JSON body costs the platform itself several times a bare GET: the device POSTs are measured against this.
  await step('ceiling_post', () => ceiling('POST'));
  await step('submit', () => withService('submit', ([base]) => submitLoad(base)));
  await step('idle_poll', () => withService('poll', async ([base]) => idlePollLoad(base, await registerBoxes(base, 100))));
  await step('heartbeat', () => withService('heartbeat', async ([base]) => heartbeatLoad(base, await registerBoxes(base, 100))));
  // On PostgreSQL the end-to-end step runs two replicas, the fleet and the pushes split between them.
  const replicas = values.db ? 2 : 1;
  await step('end_to_end', () =>
    withService(
      'e2e',
      async (bases, servicePids) => ({
        replicas,
        ...(await endToEnd(bases, Number(values.transactions), 100, { servicePids, databasePid: await postgresPid() })),
      }),
      replicas,
    ),
  );
  // Submit-to-processing at the documents' defaults (pollIntervalMs 5 s, a tick every 10 s): polling, then long polling.
  await step('dispatch_latency', async () => ({
    poll: await withService('dispatch_poll', ([base]) => dispatchLatency(base, false)),
    long_poll: await withService('dispatch_long_poll', ([base]) => dispatchLatency(base, true)),
  }));
  // 10 000 long-polling boxes on one instance: its memory, CPU and dispatch latency.
  await step('fleet_10k', () => withService('fleet_10k', ([base], [pid]) => fleet10k(base, pid)));
  await step('tick', tickScaling);
  await step('big_table', bigTable);
  results.peak_rss_mb = peakRss;
  results.peak_rss_mb_by_step = rssByStep;
  console.log(`peak RSS by step (MB): ${JSON.stringify(rssByStep)}`);

  const ran = (name: string) => name in results;
  const ceilingRps = ran('ceiling') ? (results.ceiling as { requestsPerSecond: number }).requestsPerSecond : 0;
  const ratio = (name: string, of = ceilingRps) => Math.round(((results[name] as { requestsPerSecond: number }).requestsPerSecond / of) * 1000) / 10;
  const postRps = ran('ceiling_post') ? (results.ceiling_post as { requestsPerSecond: number }).requestsPerSecond : 0;
  const e2e = results.end_to_end as { completedPerSecond: number; p99Ms: number };
  const tick = results.tick as { ratio: number };
  const submit = results.submit as { p99Ms: number };
  const big = results.big_table as {
    rows: number;
    statsMs: number;
    metricsMs: number;
    maxEventLoopDelayMs: number;
    maxProbeMs: number;
    ratio: number;
    cpuMs: Record<string, number> | null;
    cpuRatio: number | null;
  };
  const worstCpu = big?.cpuMs ? Math.max(...Object.values(big.cpuMs)) : null;
  type Target = readonly [string, string, boolean];
  const targets: Target[] = [
    ...(ran('ceiling') && ran('submit') ? [['submit >= 15 % of ceiling', `${ratio('submit')} %`, ratio('submit') >= 15] as const] : []),
    ...(ran('submit') ? [['submit p99 < 50 ms', `${submit.p99Ms} ms`, submit.p99Ms < 50] as const] : []),
    ...(ran('ceiling') && ran('idle_poll') ? [['idle poll >= 40 % of ceiling', `${ratio('idle_poll')} %`, ratio('idle_poll') >= 40] as const] : []),
    ...(ran('ceiling') && ran('heartbeat') ? [['heartbeat >= 40 % of ceiling', `${ratio('heartbeat')} %`, ratio('heartbeat') >= 40] as const] : []),
    ...(ran('ceiling_post') && ran('heartbeat')
      ? [['heartbeat >= 50 % of ceiling_post', `${ratio('heartbeat', postRps)} %`, ratio('heartbeat', postRps) >= 50] as const]
      : []),
    ...(ran('ceiling_post') && ran('submit') ? [['submit >= 30 % of ceiling_post', `${ratio('submit', postRps)} %`, ratio('submit', postRps) >= 30] as const] : []),
    ...(ran('end_to_end')
      ? [
          values.db
            ? (['end to end, two replicas >= 1000 completed/s', `${e2e.completedPerSecond}/s`, e2e.completedPerSecond >= 1000] as const)
            : (['end to end >= 1500 completed/s', `${e2e.completedPerSecond}/s`, e2e.completedPerSecond >= 1500] as const),
          ['end to end p99 < 2 s', `${e2e.p99Ms} ms`, e2e.p99Ms < 2000] as const,
        ]
      : []),
    ...(ran('dispatch_latency') ? dispatchTargets(results.dispatch_latency as DispatchResults) : []),
    ...(ran('fleet_10k') ? fleetTargets(results.fleet_10k as Fleet10kFigures) : []),
    ...(ran('tick') ? [['tick(200k) / tick(1k) <= 2', String(tick.ratio), tick.ratio <= 2] as const] : []),
    ...(ran('big_table')
      ? [
          [`stats at ${big.rows} rows < 20 ms`, `${big.statsMs} ms`, big.statsMs < 20] as const,
          [`metrics at ${big.rows} rows < 20 ms`, `${big.metricsMs} ms`, big.metricsMs < 20] as const,
          [
            `service's event-loop delay at ${big.rows} rows < 20 ms`,
            `${big.maxEventLoopDelayMs} ms (slowest /health/live probe, bench-timed: ${big.maxProbeMs} ms)`,
            big.maxEventLoopDelayMs < 20,
          ] as const,
          [`worst request at ${big.rows} rows / at 1k <= 2`, String(big.ratio), big.ratio <= 2] as const,
          ...(worstCpu === null
            ? []
            : ([
                [`main-thread time of each measure at ${big.rows} rows < 20 ms`, `${worstCpu} ms (${JSON.stringify(big.cpuMs)})`, worstCpu < 20],
                [`main-thread time at ${big.rows} rows / at 1k <= 2`, String(big.cpuRatio), big.cpuRatio! <= 2],
              ] as const)),
        ]
      : []),
    ...(Object.keys(rssByStep).some((label) => !OWN_RSS_TARGET.has(label)) ? [['peak RSS < 300 MB', `${peakRss} MB`, peakRss < 300] as const] : []),
  ];
  console.log('\n| target | measured | met |\n|---|---|---|');
  for (const [name, measured, met] of targets) console.log(`| ${name} | ${measured} | ${met ? 'yes' : 'NO'} |`);
  const report = {
    date: new Date().toISOString(),
    database: values.db ? 'postgres' : 'sqlite',
    machine: { cores: cpus().length, cpu: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    durationSeconds: Math.round((Date.now() - started) / 1000),
    results,
    targets: targets.map(([name, measured, met]) => ({ name, measured, met })),
  };
  writeFileSync(resolve(__dirname, values.out!), `${JSON.stringify(report, null, 2)}\n`);
  for (const database of made) await database.drop();
}

type DispatchResults = Record<'poll' | 'long_poll', { p99Ms: number; idleRequestsPerSecond: number; idlePollsPerSecond: number }>;

/** Long polling: dispatch p99 under 100 ms, the idle fleet's request rate at most a tenth of polling's. */
function dispatchTargets(figures: DispatchResults): Array<readonly [string, string, boolean]> {
  const { poll, long_poll: longPoll } = figures;
  const share = Math.round((longPoll.idleRequestsPerSecond / Math.max(0.01, poll.idleRequestsPerSecond)) * 1000) / 10;
  const pollShare = Math.round((longPoll.idlePollsPerSecond / Math.max(0.01, poll.idlePollsPerSecond)) * 1000) / 10;
  return [
    ['long polling: dispatch p99 < 100 ms', `${longPoll.p99Ms} ms (polling: ${poll.p99Ms} ms)`, longPoll.p99Ms < 100],
    // Heartbeats (10 a second for 100 boxes) are the same in both modes: the polls alone are the part long polling changes.
    ['long polling: idle request rate <= 10 % of polling', `${longPoll.idleRequestsPerSecond}/s, ${share} % of ${poll.idleRequestsPerSecond}/s (polls alone: ${pollShare} %)`, share <= 10],
  ];
}

/** 10 000 boxes on one instance: RSS under 400 MB, CPU under 60 % of one core, dispatch p99 under 250 ms, no errors. */
function fleetTargets(fleet: Fleet10kFigures): Array<readonly [string, string, boolean]> {
  const boxes = fleet.boxes.toLocaleString('en');
  return [
    [`fleet of ${boxes}: service RSS < 400 MB`, `${fleet.peakRssMb} MB`, fleet.peakRssMb < 400],
    [`fleet of ${boxes}: service CPU < 60 % of one core`, `${fleet.cpuPercent} % (fleet ${fleet.fleetCpuPercent} %, submitter ${fleet.submitterCpuPercent} %)`, fleet.cpuPercent < 60],
    [`fleet of ${boxes}: dispatch p99 < 250 ms`, `${fleet.p99Ms} ms (p50 ${fleet.p50Ms} ms)`, fleet.p99Ms < 250],
    [`fleet of ${boxes}: no errors`, `${fleet.errors} ${JSON.stringify(fleet.errorDetail)}`, fleet.errors === 0],
  ];
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
