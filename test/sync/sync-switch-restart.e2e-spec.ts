import { ApiClient } from '../support/api-client';
import { createTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { expectStatus } from '../callbox/callbox-api';
import { syncPaths, syncStatus } from './sync-api';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Two boots, a real wait and PostgreSQL databases: more than Jest's default 5 s. */
const RESTART_SPEC_TIMEOUT_MS = 20_000;

/** Polls the sync status until `running` is what is expected, or the deadline passes. */
async function waitForRunning(api: ApiClient, expected: boolean, deadlineMs: number): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const { running } = await syncStatus(api);
    if (running === expected || Date.now() > until) return running;
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
    const second = await boot({ SYNC_AUTOSTART_DELAY_MS: String(delay) });
    expect((await syncStatus(second.api)).running).toBe(false);
    expect(await waitForRunning(second.api, true, delay + 3_000)).toBe(true);
    expect(Date.now() - bootedAt).toBeGreaterThanOrEqual(delay);
    // Started by itself: no admin change recorded.
    expect((await syncStatus(second.api)).changedBy).toBeNull();
  }, RESTART_SPEC_TIMEOUT_MS);

  it("an admin's stop survives a restart: the new app does not start it", async () => {
    const first = await boot();
    expectStatus(await first.api.post(syncPaths.start, undefined, { auth: 'admin' }), 200);
    const stopped = await first.api.post(syncPaths.stop, undefined, { auth: 'admin' });
    expectStatus(stopped, 200);
    await shutDown(first);

    const second = await boot({ SYNC_AUTOSTART_DELAY_MS: '50' });
    // Ten times the autostart delay: long enough for the autostart to have looked at the switch.
    await sleep(500);
    expect(await syncStatus(second.api)).toMatchObject({
      running: false,
      changedBy: 'admin',
      changedAt: stopped.body.status.changedAt,
    });
    // The admin can still start it by hand.
    expectStatus(await second.api.post(syncPaths.start, undefined, { auth: 'admin' }), 200);
    expect((await syncStatus(second.api)).running).toBe(true);
  }, RESTART_SPEC_TIMEOUT_MS);

  it("an admin's start after a stop survives a restart too", async () => {
    const first = await boot();
    expectStatus(await first.api.post(syncPaths.stop, undefined, { auth: 'admin' }), 200);
    expectStatus(await first.api.post(syncPaths.start, undefined, { auth: 'admin' }), 200);
    await shutDown(first);

    const second = await boot({ SYNC_AUTOSTART_DELAY_MS: '50' });
    expect(await waitForRunning(second.api, true, 3_000)).toBe(true);
  }, RESTART_SPEC_TIMEOUT_MS);
});
