import { createTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { expectStatus } from '../callbox/callbox-api';
import { syncPaths, syncStatus } from './sync-api';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Replicas beating fast on the real clock, so that who ticks can be seen. */
const FAST = { SYNC_INTERVAL_MS: '100', SYNC_AUTOSTART_DELAY_MS: '50' };
const SPEC_TIMEOUT_MS = 30_000;

/** Several replicas on one database is the PostgreSQL deployment (an advisory lock elects the leader). */
const onPostgres = /^postgres(ql)?:\/\//.test(process.env.TEST_DATABASE_URL ?? '') ? describe : describe.skip;

onPostgres('Synchronisation with several replicas on one PostgreSQL database', () => {
  let db: TestDatabase;
  let replicas: TestApp[];
  beforeEach(async () => {
    db = await createTestDatabase();
    replicas = [];
  });
  afterEach(async () => {
    for (const replica of replicas) await replica.close();
    await db.drop();
  });

  const boot = async () => {
    const replica = await createTestApp({ env: { DATABASE_URL: db.url, ...FAST } });
    replicas.push(replica);
    return replica;
  };
  const statuses = () => Promise.all(replicas.map((r) => syncStatus(r.api)));
  /** Polls every replica's status until `done` says so (or 5 s pass); returns the last ones. */
  const waitFor = async (done: (all: Array<Record<string, any>>) => boolean) => {
    const until = Date.now() + 5_000;
    for (;;) {
      const all = await statuses();
      if (done(all) || Date.now() > until) return all;
      await sleep(25);
    }
  };
  const runs = (all: Array<Record<string, any>>) => all.reduce((sum, s) => sum + s.totalRuns, 0);

  it('only the leader ticks; a stop or start sent to any replica applies to all; another takes over when it goes', async () => {
    await boot();
    await boot();
    let all = await waitFor((s) => runs(s) >= 3);
    expect(runs(all)).toBeGreaterThanOrEqual(3);
    expect(all.map((s) => s.leader).sort()).toEqual([false, true]);
    expect(new Set(all.map((s) => s.instanceId)).size).toBe(2);
    const leader = all.findIndex((s) => s.leader);
    const follower = 1 - leader;
    expect(all[follower].totalRuns).toBe(0);

    // Stopped through the follower: the leader stops ticking (a beat already past the switch may finish).
    expectStatus(await replicas[follower].api.post(syncPaths.stop, undefined, { auth: 'admin' }), 200);
    all = await statuses();
    expect(all.map((s) => s.running)).toEqual([false, false]);
    const runsAtStop = all[leader].totalRuns;
    await sleep(500);
    expect((await syncStatus(replicas[leader].api)).totalRuns).toBeLessThanOrEqual(runsAtStop + 1);

    // Started through the follower: the leader ticks again.
    expectStatus(await replicas[follower].api.post(syncPaths.start, undefined, { auth: 'admin' }), 200);
    all = await waitFor((s) => s[leader].totalRuns >= runsAtStop + 3);
    expect(all[leader].totalRuns).toBeGreaterThanOrEqual(runsAtStop + 3);
    expect(all.map((s) => s.running)).toEqual([true, true]);
    expect(all[follower].totalRuns).toBe(0);

    // The leader goes away: the follower takes the lead at a following beat and ticks.
    const [gone] = replicas.splice(leader, 1);
    await gone.close();
    all = await waitFor(([s]) => s.leader === true && s.totalRuns >= 2);
    expect(all[0]).toMatchObject({ leader: true, running: true });
    expect(all[0].totalRuns).toBeGreaterThanOrEqual(2);
  }, SPEC_TIMEOUT_MS);
});
