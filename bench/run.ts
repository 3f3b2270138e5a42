/**
 * `npm run bench [-- --db postgres://...]`: measures the service the way a fleet uses it and writes
 * bench/results.json. Each step runs against a fresh service on a fresh database.
 */
import { ChildProcess, fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase, TestDatabase } from '../test/support/test-database';
import { endToEnd, heartbeatLoad, idlePollLoad, load, registerBoxes, submitLoad } from './phases';
import { peakRssMb, startService, stopService } from './service';
import { measureTicks, seedPending } from './tick';

const { values } = parseArgs({ options: { db: { type: 'string' }, transactions: { type: 'string', default: '20000' } } });
const PORT = 3900;
const BASE = `http://127.0.0.1:${PORT}`;
const results: Record<string, unknown> = {};
let peakRss = 0;
/** Peak RSS of the service in each step, to tell which one sets the peak. */
const rssByStep: Record<string, number> = {};

function notePeakRss(label: string, pid: number): void {
  const mb = peakRssMb(pid);
  rssByStep[label] = Math.max(rssByStep[label] ?? 0, mb);
  peakRss = Math.max(peakRss, mb);
}
/** Every database a step made, dropped at the end. */
const made: TestDatabase[] = [];

/** A fresh database, made the way every test suite makes one: a SQLite file, or a database on the --db server. */
async function freshDatabase(label: string): Promise<string> {
  const database = await createTestDatabase({ server: values.db, label: `bench_${label}` });
  made.push(database);
  return database.url;
}

/** `replicas` services on one fresh database (ports PORT, PORT + 1, ...); `work` gets their base URLs. */
async function withService<T>(label: string, work: (baseUrls: string[]) => Promise<T>, replicas = 1): Promise<T> {
  const databaseUrl = await freshDatabase(label);
  const services: ChildProcess[] = [];
  try {
    // One after the other: the first runs the migrations.
    for (let i = 0; i < replicas; i++) services.push(await startService(PORT + i, databaseUrl));
    return await work(services.map((_, i) => `http://127.0.0.1:${PORT + i}`));
  } finally {
    for (const service of services) {
      notePeakRss(label, service.pid!);
      await stopService(service);
    }
  }
}

async function ceiling() {
  const server = fork(join(__dirname, 'ceiling-server.js'), [], { env: { ...process.env, PORT: String(PORT) }, stdio: 'ignore' });
  await new Promise((resolve) => server.once('message', resolve));
  try {
    return await load({ url: `http://127.0.0.1:${PORT}/` });
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

async function main(): Promise<void> {
  const started = Date.now();
  const step = async (name: string, run: () => Promise<unknown>) => {
    process.stdout.write(`${name}... `);
    results[name] = await run();
    console.log(JSON.stringify(results[name]));
  };
  await step('ceiling', ceiling);
  await step('submit', () => withService('submit', ([base]) => submitLoad(base)));
  await step('idle_poll', () => withService('poll', async ([base]) => idlePollLoad(base, await registerBoxes(base, 100))));
  await step('heartbeat', () => withService('heartbeat', async ([base]) => heartbeatLoad(base, await registerBoxes(base, 100))));
  // On PostgreSQL the end-to-end step runs two replicas, the fleet and the pushes split between them.
  const replicas = values.db ? 2 : 1;
  await step('end_to_end', () =>
    withService('e2e', async (bases) => ({ replicas, ...(await endToEnd(bases, Number(values.transactions), 100)) }), replicas),
  );
  await step('tick', tickScaling);
  results.peak_rss_mb = peakRss;
  results.peak_rss_mb_by_step = rssByStep;
  console.log(`peak RSS by step (MB): ${JSON.stringify(rssByStep)}`);

  const ceilingRps = (results.ceiling as { requestsPerSecond: number }).requestsPerSecond;
  const ratio = (name: string) => Math.round(((results[name] as { requestsPerSecond: number }).requestsPerSecond / ceilingRps) * 1000) / 10;
  const e2e = results.end_to_end as { completedPerSecond: number; p99Ms: number };
  const tick = results.tick as { ratio: number };
  const submit = results.submit as { p99Ms: number };
  const targets = [
    ['submit >= 15 % of ceiling', `${ratio('submit')} %`, ratio('submit') >= 15],
    ['submit p99 < 50 ms', `${submit.p99Ms} ms`, submit.p99Ms < 50],
    ['idle poll >= 40 % of ceiling', `${ratio('idle_poll')} %`, ratio('idle_poll') >= 40],
    ['heartbeat >= 40 % of ceiling', `${ratio('heartbeat')} %`, ratio('heartbeat') >= 40],
    values.db
      ? ['end to end, two replicas >= 1000 completed/s', `${e2e.completedPerSecond}/s`, e2e.completedPerSecond >= 1000]
      : ['end to end >= 1500 completed/s', `${e2e.completedPerSecond}/s`, e2e.completedPerSecond >= 1500],
    ['end to end p99 < 2 s', `${e2e.p99Ms} ms`, e2e.p99Ms < 2000],
    ['tick(200k) / tick(1k) <= 2', String(tick.ratio), tick.ratio <= 2],
    ['peak RSS < 300 MB', `${peakRss} MB`, peakRss < 300],
  ] as const;
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
  writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  for (const database of made) await database.drop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
