import { createTestApp, TestApp } from '../support/test-app';
import { expectError, expectStatus, registerBox, submit } from '../callbox/callbox-api';
import { counts, NO_COUNTS, syncPaths, syncStatus, tick } from './sync-api';

const STATUS_FIELDS = [
  'running', 'intervalMs', 'lastRunAt', 'lastRunDurationMs', 'disconnected', 'requeued', 'needsReview',
  'retried', 'failed', 'assigned', 'expired', 'totalRuns', 'nextRunAt', 'connectedInstances', 'changedBy', 'changedAt',
  'leader', 'instanceId',
];
const ROUTES: Array<[string, string]> = [
  ['GET', syncPaths.status],
  ['POST', syncPaths.start],
  ['POST', syncPaths.stop],
  ['POST', syncPaths.force],
];
// Long enough that no scheduled tick fires while a spec runs: only forced ticks count.
const INTERVAL_MS = 600_000;

describe('Synchronisation endpoints (/api/sync/*)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true, env: { SYNC_INTERVAL_MS: String(INTERVAL_MS) } });
  });
  afterEach(async () => t.close());

  const iso = () => new Date(t.clock!.now()).toISOString();

  describe('authentication', () => {
    it.each(ROUTES)('%s %s with only the CallBox Bearer token is 403 AUTH.ADMIN_REQUIRED', async (method, path) => {
      expectError(await t.api.request(method, path, { auth: 'callbox' }), 403, 'AUTH.ADMIN_REQUIRED');
    });

    it.each(ROUTES)('%s %s without credentials is 401 AUTH.MISSING_API_KEY', async (method, path) => {
      expectError(await t.api.request(method, path, { auth: 'none' }), 401, 'AUTH.MISSING_API_KEY');
    });

    it.each(ROUTES)('%s %s with a wrong x-api-key is 401 AUTH.INVALID_API_KEY', async (method, path) => {
      expectError(await t.api.request(method, path, { auth: { apiKey: 'not-the-api-key-0123456789' } }), 401, 'AUTH.INVALID_API_KEY');
    });

    it('a refused call changes nothing: no start, no tick', async () => {
      await t.api.post(syncPaths.start, undefined, { auth: 'callbox' });
      await t.api.post(syncPaths.force, undefined, { auth: 'none' });
      expect(await syncStatus(t.api)).toMatchObject({ running: false, totalRuns: 0, changedBy: null });
    });
  });

  it('reports every status field; stopped and never run at first (autostart not reached)', async () => {
    const res = await t.api.get(syncPaths.status, { auth: 'admin' });
    expectStatus(res, 200);
    expect(res.body.success).toBe(true);
    expect(Object.keys(res.body.status).sort()).toEqual([...STATUS_FIELDS].sort());
    expect(res.body.status).toEqual({
      ...NO_COUNTS,
      running: false,
      intervalMs: INTERVAL_MS,
      lastRunAt: null,
      lastRunDurationMs: null,
      totalRuns: 0,
      nextRunAt: null,
      connectedInstances: 0,
      changedBy: null,
      changedAt: null,
      // One process on a SQLite file leads; on PostgreSQL the lead is taken when the schedule starts.
      leader: process.env.TEST_DATABASE_URL ? false : true,
      instanceId: expect.stringMatching(/^.+:\d+:[0-9a-f]{6}$/),
    });
  });

  it('start runs the schedule and says when the next run is; stop halts it', async () => {
    const startedAt = t.clock!.now();
    const started = await t.api.post(syncPaths.start, undefined, { auth: 'admin' });
    expectStatus(started, 200);
    expect(started.body).toMatchObject({ success: true, message: expect.stringMatching(/\S/) });
    expect(started.body.status).toMatchObject({
      running: true,
      nextRunAt: new Date(startedAt + INTERVAL_MS).toISOString(),
      changedBy: 'admin',
      changedAt: iso(),
    });
    // Leadership is taken in the background once the schedule starts (PostgreSQL): not compared here.
    const withoutLeader = ({ leader: _, ...rest }: Record<string, unknown>) => rest;
    expect(withoutLeader(await syncStatus(t.api))).toEqual(withoutLeader(started.body.status));

    // One and a half intervals later, the next run is the second one.
    t.clock!.advance(INTERVAL_MS * 1.5);
    expect((await syncStatus(t.api)).nextRunAt).toBe(new Date(startedAt + 2 * INTERVAL_MS).toISOString());

    const stopped = await t.api.post(syncPaths.stop, undefined, { auth: 'admin' });
    expectStatus(stopped, 200);
    expect(stopped.body.status).toMatchObject({ running: false, nextRunAt: null, changedBy: 'admin', changedAt: iso() });
    expect((await syncStatus(t.api)).running).toBe(false);
  });

  it('force runs one tick now, counts it, and the status shows its counts', async () => {
    await registerBox(t.api, 'callbox_001');
    for (let i = 0; i < 2; i++) await submit(t.api, { payItemId: `FORCE_${i}` });

    const res = await t.api.post(syncPaths.force, undefined, { auth: 'admin' });
    expectStatus(res, 200);
    expect(res.body).toEqual({
      success: true,
      message: expect.stringMatching(/\S/),
      counts: counts({ assigned: 2 }),
      ranAt: iso(),
      durationMs: expect.any(Number),
    });
    expect(await syncStatus(t.api)).toMatchObject({
      ...counts({ assigned: 2 }),
      totalRuns: 1,
      lastRunAt: res.body.ranAt,
      lastRunDurationMs: res.body.durationMs,
      connectedInstances: 1,
      // Forcing a tick does not start the schedule.
      running: false,
    });

    t.clock!.advance(1_000);
    expect(await tick(t.api)).toEqual(counts());
    expect(await syncStatus(t.api)).toMatchObject({ ...NO_COUNTS, totalRuns: 2, lastRunAt: iso() });
  });
});
