import { printSkipped, printSummary } from './support/audit';
import { createPostgresDatabase, createSqliteDatabase, NO_POSTGRES, postgresServer, ScenarioDatabase } from './support/databases';
import { waitFor } from './support/fleet';
import { HttpClient } from './support/http';
import { LoadResult, problemsOf, REPLICA_ENV, runLoad } from './support/load';
import { createApp, ManagedProcess, RELIABILITY_API_KEY, sleep, stopAll } from './support/processes';

/**
 * Item 2: `kill -9` of an app process in the middle of the load of item 1, then a restart on the
 * same port. Afterwards every acknowledged transaction is there, in a legal state, none lost and
 * none duplicated: work the dead process had handed out is assigned in the database and the
 * boxes finish it through the other replica; a report whose answer the kill cut is sent again to
 * the other replica (a legal repeat). On PostgreSQL the replica killed is the dispatcher's leader,
 * and the survivor must take the lead within a couple of intervals. Then the same on SQLite, one
 * process: everything waits for the restart.
 */
const BOXES = 50;
const TRANSACTIONS = 2000;
/** Killed once this share of the transactions is final. */
const KILL_AT = 0.3;
/** How long the killed process stays down before it is started again. */
const DOWN_MS = 1500;

interface CrashRun {
  result: LoadResult;
  killedAtFinal: number;
  downMs: number;
  takeoverMs: number | null;
}

async function syncStatus(admin: HttpClient, app: ManagedProcess) {
  return (await admin.request(app.url, 'GET', '/api/sync/status', { headers: { 'x-api-key': RELIABILITY_API_KEY } })).body.status;
}

/** The load of item 1 with one kill -9 and restart in the middle; `pickVictim` chooses whom. */
async function crashUnderLoad(db: ScenarioDatabase, apps: ManagedProcess[], pickVictim: () => Promise<number>): Promise<CrashRun> {
  const admin = new HttpClient(4);
  let killedAtFinal = -1;
  let downMs = 0;
  let takeoverMs: number | null = null;
  let recovery: Promise<void> | null = null;
  const result = await runLoad({
    name: `crash-${db.engine}-${Date.now()}`,
    probe: db.probe(),
    endpoints: () => apps.map((app) => app.url),
    boxes: BOXES,
    transactions: TRANSACTIONS,
    submitters: 10,
    budgetMs: 180_000,
    onProgress: async (final) => {
      if (killedAtFinal >= 0 || final < TRANSACTIONS * KILL_AT) return;
      const victim = apps[await pickVictim()];
      killedAtFinal = final;
      const killedAt = Date.now();
      await victim.kill9();
      recovery = (async () => {
        const survivor = apps.find((app) => app !== victim);
        if (survivor) {
          // The advisory lock died with the leader's connection: the survivor leads at a following beat.
          await waitFor(async () => (await syncStatus(admin, survivor)).leader === true, Date.now() + 15_000, 50);
          takeoverMs = Date.now() - killedAt;
        }
        await sleep(Math.max(0, DOWN_MS - (Date.now() - killedAt)));
        await victim.start();
        downMs = Date.now() - killedAt;
      })();
    },
  });
  await recovery;
  admin.close();
  return { result, killedAtFinal, downMs, takeoverMs };
}

function expectAccountedFor(run: CrashRun): void {
  const { report, ledger, client } = run.result;
  expect({ settled: run.result.settled, problems: run.result.settled ? 'none' : problemsOf(run.result) }).toEqual({ settled: true, problems: 'none' });
  expect(run.killedAtFinal).toBeGreaterThanOrEqual(TRANSACTIONS * KILL_AT);
  expect(run.killedAtFinal).toBeLessThan(TRANSACTIONS);
  expect(report.acknowledged).toBe(TRANSACTIONS);
  expect(report.transactions).toBe(TRANSACTIONS);
  expect(report.lost).toEqual([]);
  expect(report.duplicated).toEqual([]);
  expect(report.eventProblems).toEqual([]);
  // The boxes kept polling: work the dead process handed out was finished, nothing left aside.
  expect(report.byStatus).toEqual({ completed: TRANSACTIONS });
  expect(ledger.anomalies).toEqual([]);
  expect(client.serverErrors).toBe(0);
}

function summary(name: string, run: CrashRun): void {
  const { report, client } = run.result;
  printSummary(name, {
    requests: client.sent,
    transactions: report.transactions,
    lost: report.lost.length,
    duplicated: report.duplicated.length,
    '5xx': client.serverErrors,
    cutRequests: client.networkErrors,
    killedAtFinal: run.killedAtFinal,
    downMs: run.downMs,
    ...(run.takeoverMs !== null && { takeoverMs: run.takeoverMs }),
    requeues: report.requeues,
    seconds: (run.result.durationMs / 1000).toFixed(1),
  });
}

const onPostgres = postgresServer() ? describe : describe.skip;
if (!postgresServer()) printSkipped('crash-postgres', NO_POSTGRES);

onPostgres('Reliability: kill -9 of a replica under load (PostgreSQL, two replicas)', () => {
  let db: ScenarioDatabase;
  let apps: ManagedProcess[] = [];
  beforeAll(async () => {
    db = await createPostgresDatabase('crash');
    apps = [await createApp({ name: 'replica-a', databaseUrl: db.url, env: REPLICA_ENV })];
    await apps[0].start();
    apps.push(await createApp({ name: 'replica-b', databaseUrl: db.url, env: REPLICA_ENV }));
    await apps[1].start();
  }, 90_000);
  afterAll(async () => {
    await stopAll();
    await db?.drop();
  }, 30_000);

  it('loses and duplicates nothing; the survivor takes the dispatcher over', async () => {
    const admin = new HttpClient(4);
    const run = await crashUnderLoad(db, apps, async () => {
      const statuses = await Promise.all(apps.map((app) => syncStatus(admin, app)));
      const leader = statuses.findIndex((s) => s.leader === true);
      return leader >= 0 ? leader : 0;
    });
    summary('crash-postgres', run);
    expectAccountedFor(run);
    // The lead moved within a few beats of SYNC_INTERVAL_MS (500 ms), not at a lease's or a timeout's pace.
    expect(run.takeoverMs).not.toBeNull();
    expect(run.takeoverMs!).toBeLessThan(5000);
    const statuses = await Promise.all(apps.map((app) => syncStatus(admin, app)));
    admin.close();
    expect(statuses.filter((s) => s.leader === true)).toHaveLength(1);
  }, 240_000);
});

describe('Reliability: kill -9 of the only process under load (SQLite)', () => {
  let db: ScenarioDatabase;
  let apps: ManagedProcess[] = [];
  beforeAll(async () => {
    db = createSqliteDatabase();
    apps = [await createApp({ name: 'sqlite-app', databaseUrl: db.url, env: REPLICA_ENV })];
    await apps[0].start();
  }, 60_000);
  afterAll(async () => {
    await stopAll();
    await db?.drop();
  }, 30_000);

  it('loses and duplicates nothing across the restart', async () => {
    const run = await crashUnderLoad(db, apps, async () => 0);
    summary('crash-sqlite', run);
    expectAccountedFor(run);
  }, 240_000);
});
