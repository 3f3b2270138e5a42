import { expectStatus, registerBox, submit } from '../callbox/callbox-api';
import { createTestApp, TestApp } from '../support/test-app';
import { detail, syncPaths, syncStatus } from './sync-api';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** An interval far longer than any wait below: a tick seen here did not come from the schedule's interval. */
const LONG_INTERVAL = { SYNC_INTERVAL_MS: '600000' };

/**
 * Spec 000, Démarrage: the sync service "démarre automatiquement après 2 secondes". The first tick
 * comes at SYNC_AUTOSTART_DELAY_MS, not one interval later; an admin's start ticks at once (issue 15, 1).
 */
describe('Synchronisation autostart and start', () => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('the first tick runs at SYNC_AUTOSTART_DELAY_MS after boot, without waiting a whole interval', async () => {
    const delay = 500;
    const bootedAt = Date.now();
    t = await createTestApp({ env: { ...LONG_INTERVAL, SYNC_AUTOSTART_DELAY_MS: String(delay) } });
    // A loaded machine may be slow: wait up to 15 s, still 40 times shorter than the interval.
    let status = await syncStatus(t.api);
    for (const until = Date.now() + 15_000; status.totalRuns < 1 && Date.now() < until; status = await syncStatus(t.api)) await sleep(50);
    expect(status).toMatchObject({ running: true, totalRuns: 1 });
    expect(Date.parse(status.lastRunAt) - bootedAt).toBeGreaterThanOrEqual(delay);
    // The next one is an interval after the first, not two.
    expect(Date.parse(status.nextRunAt) - Date.parse(status.lastRunAt)).toBeLessThanOrEqual(600_000 + 1_000);
  }, 30_000);

  it('POST /api/sync/start ticks at once: work waiting is dealt before the answer', async () => {
    t = await createTestApp({ env: LONG_INTERVAL });
    await registerBox(t.api, 'callbox_001');
    const tx = await submit(t.api);
    expect((await syncStatus(t.api)).totalRuns).toBe(0);

    const started = await t.api.post(syncPaths.start, undefined, { auth: 'admin' });
    expectStatus(started, 200);
    expect(started.body.status).toMatchObject({ running: true, totalRuns: 1, assigned: 1, lastRunAt: expect.any(String) });
    expect(await detail(t.api, tx.id)).toMatchObject({ status: 'assigned', assignedTo: 'callbox_001' });

    // A start while running ticks again (the admin asked for the dispatcher now).
    const again = await t.api.post(syncPaths.start, undefined, { auth: 'admin' });
    expect(again.body.status.totalRuns).toBe(2);
  });

  it('a start after an admin stop ticks at once too; the stop itself does not tick', async () => {
    t = await createTestApp({ env: LONG_INTERVAL });
    expectStatus(await t.api.post(syncPaths.stop, undefined, { auth: 'admin' }), 200);
    await registerBox(t.api, 'callbox_001');
    const tx = await submit(t.api);
    expect((await syncStatus(t.api)).totalRuns).toBe(0);
    const started = await t.api.post(syncPaths.start, undefined, { auth: 'admin' });
    expect(started.body.status).toMatchObject({ running: true, totalRuns: 1, changedBy: 'admin' });
    expect((await detail(t.api, tx.id)).status).toBe('assigned');
  });
});
