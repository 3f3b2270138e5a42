import { ApiClient } from '../support/api-client';
import { createTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { expectStatus } from '../callbox/callbox-api';
import { syncPaths, syncStatus } from './sync-api';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Two boots, a real wait and PostgreSQL databases: more than Jest's default 5 s. */
const RESTART_SPEC_TIMEOUT_MS = 20_000;
/** The restarted apps beat fast (real clock), so that scheduled ticks can be seen, or not. */
const FAST = { SYNC_INTERVAL_MS: '100', SYNC_AUTOSTART_DELAY_MS: '50' };

type SyncStatus = Record<string, any>;

/** Polls the sync status until `done` says so, or the deadline passes; returns the last status. */
async function waitForStatus(api: ApiClient, done: (status: SyncStatus) => boolean, deadlineMs = 3_000): Promise<SyncStatus> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const status = await syncStatus(api);
    if (done(status) || Date.now() > until) return status;
    await sleep(25);
  }
}

describe('Synchronisation switch across a restart', () => {
  let db: TestDatabase;
  let apps: TestApp[];
  beforeEach(async () => {
    db = await createTestDatabase();
    apps = [];
  });
  afterEach(async () => {
    for (const app of apps) await app.close();
    await db.drop();
  });

  /** An app on the shared database; the first one of a spec creates the schema. */
  const boot = async (env: Record<string, string> = {}) => {
    const app = await createTestApp({ env: { DATABASE_URL: db.url, ...env } });
    apps.push(app);
    return app;
  };
  const shutDown = async (app: TestApp) => {
    apps.splice(apps.indexOf(app), 1);
    await app.close();
  };

  it('without an admin stop, the restarted app starts the dispatcher after SYNC_AUTOSTART_DELAY_MS', async () => {
    await shutDown(await boot());
    const delay = 1_000;
    const bootedAt = Date.now();
    const second = await boot({ ...FAST, SYNC_AUTOSTART_DELAY_MS: String(delay) });
    expect(await syncStatus(second.api)).toMatchObject({ running: false, totalRuns: 0 });

    const started = await waitForStatus(second.api, (s) => s.running === true, delay + 3_000);
    expect(started.running).toBe(true);
    expect(Date.now() - bootedAt).toBeGreaterThanOrEqual(delay);
    // The schedule ticks by itself, on the replica that leads; no admin change is recorded.
    const ticked = await waitForStatus(second.api, (s) => s.totalRuns >= 2);
    expect(ticked).toMatchObject({ running: true, leader: true, changedBy: null });
    expect(ticked.totalRuns).toBeGreaterThanOrEqual(2);
  }, RESTART_SPEC_TIMEOUT_MS);

  it("an admin's stop survives a restart: the new app neither says it runs nor ticks", async () => {
    const first = await boot();
    expectStatus(await first.api.post(syncPaths.start, undefined, { auth: 'admin' }), 200);
    const stopped = await first.api.post(syncPaths.stop, undefined, { auth: 'admin' });
    expectStatus(stopped, 200);
    await shutDown(first);

    const second = await boot(FAST);
    // Long enough for the autostart and several beats (100 ms apart) to have looked at the switch.
    await sleep(600);
    expect(await syncStatus(second.api)).toMatchObject({
      running: false,
      nextRunAt: null,
      totalRuns: 0,
      changedBy: 'admin',
      changedAt: stopped.body.status.changedAt,
    });

    // The admin can still start it by hand, and then it ticks.
    expectStatus(await second.api.post(syncPaths.start, undefined, { auth: 'admin' }), 200);
    const ticked = await waitForStatus(second.api, (s) => s.totalRuns >= 1);
    expect(ticked).toMatchObject({ running: true });
    expect(ticked.totalRuns).toBeGreaterThanOrEqual(1);
  }, RESTART_SPEC_TIMEOUT_MS);

  it("an admin's start after a stop survives a restart too", async () => {
    const first = await boot();
    expectStatus(await first.api.post(syncPaths.stop, undefined, { auth: 'admin' }), 200);
    expectStatus(await first.api.post(syncPaths.start, undefined, { auth: 'admin' }), 200);
    await shutDown(first);

    const second = await boot(FAST);
    const ticked = await waitForStatus(second.api, (s) => s.running === true && s.totalRuns >= 1);
    expect(ticked).toMatchObject({ running: true, changedBy: 'admin' });
    expect(ticked.totalRuns).toBeGreaterThanOrEqual(1);
  }, RESTART_SPEC_TIMEOUT_MS);
});
