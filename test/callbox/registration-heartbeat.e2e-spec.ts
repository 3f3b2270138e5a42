import { heartbeat, registration } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectError, expectInvalidField, expectStatus, iso, paths, registerBox, report, stats, submit } from './callbox-api';

/** The spec's register response config ("Système de Retry": maxRetries défaut 3; the rest from its example). */
/** The spec's defaults, and (added beside them) how long a poll with waitMs may be held. */
const SPEC_DEFAULT_CONFIG = { maxRetries: 3, timeoutMs: 30000, batchSize: 5, pollIntervalMs: 5000, longPollMaxWaitMs: 25000 };

describe('CallBox registration (POST /api/call-box/register)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true });
  });
  afterEach(async () => t.close());

  const instanceOf = async (id: string) => (await stats(t.api)).instances.filter((i: { id: string }) => i.id === id);

  it("answers with exactly the spec's response", async () => {
    const body = registration('callbox_001');
    const res = await t.api.post(paths.register, body);
    expectStatus(res, 200);
    expect(res.body).toEqual({
      success: true,
      message: 'CallBox enregistré avec succès',
      config: SPEC_DEFAULT_CONFIG,
      instance: { id: body.callboxId, status: 'active', lastHeartbeat: iso(t.clock!.now()) },
    });
  });

  it('is idempotent: registering again updates capabilities, version and location', async () => {
    await registerBox(t.api, 'callbox_001');
    t.clock!.advance(60_000);
    const update = registration('callbox_001', {
      capabilities: { maxConcurrentTransactions: 2, supportedTypes: ['voucher', 'deposit'] },
      version: '1.1.0',
      location: 'Bafoussam',
    });
    const res = await t.api.post(paths.register, update);
    expectStatus(res, 200);
    expect(res.body.instance).toEqual({ id: 'callbox_001', status: 'active', lastHeartbeat: iso(t.clock!.now()) });

    const instances = await instanceOf('callbox_001');
    expect(instances).toHaveLength(1);
    expect(instances[0]).toMatchObject({
      maxConcurrentTransactions: update.capabilities.maxConcurrentTransactions,
      supportedTypes: update.capabilities.supportedTypes,
      version: update.version,
      location: update.location,
      lastHeartbeat: iso(t.clock!.now()),
    });
  });

  it('registers several boxes side by side', async () => {
    await registerBox(t.api, 'callbox_001');
    await registerBox(t.api, 'callbox-002', { location: 'Yaoundé' });
    const instances = (await stats(t.api)).instances;
    expect(instances.map((i: { id: string }) => i.id).sort()).toEqual(['callbox-002', 'callbox_001']);
  });

  it('accepts a registration without version and location', async () => {
    const { callboxId, capabilities } = registration('callbox_001');
    expectStatus(await t.api.post(paths.register, { callboxId, capabilities }), 200);
    expect((await instanceOf('callbox_001'))[0]).toMatchObject({ version: null, location: null });
  });

  const capabilities = (overrides: Record<string, unknown>) => ({
    capabilities: { ...registration().capabilities, ...overrides },
  });

  it.each([
    ['callboxId with a space', { callboxId: 'callbox 001' }, 'callboxId'],
    ['callboxId with a slash', { callboxId: 'callbox/001' }, 'callboxId'],
    ['empty callboxId', { callboxId: '' }, 'callboxId'],
    ['callboxId of 65 characters', { callboxId: 'c'.repeat(65) }, 'callboxId'],
    ['numeric callboxId', { callboxId: 1 }, 'callboxId'],
    ['no callboxId', { callboxId: undefined }, 'callboxId'],
    ['no capabilities', { capabilities: undefined }, 'capabilities'],
    ['maxConcurrentTransactions 0', capabilities({ maxConcurrentTransactions: 0 }), 'capabilities.maxConcurrentTransactions'],
    ['maxConcurrentTransactions 101', capabilities({ maxConcurrentTransactions: 101 }), 'capabilities.maxConcurrentTransactions'],
    ['maxConcurrentTransactions as a string', capabilities({ maxConcurrentTransactions: '5' }), 'capabilities.maxConcurrentTransactions'],
    ['fractional maxConcurrentTransactions', capabilities({ maxConcurrentTransactions: 2.5 }), 'capabilities.maxConcurrentTransactions'],
    ['empty supportedTypes', capabilities({ supportedTypes: [] }), 'capabilities.supportedTypes'],
    ['unknown supported type', capabilities({ supportedTypes: ['recharge', 'sms'] }), 'capabilities.supportedTypes'],
    ['duplicate supported types', capabilities({ supportedTypes: ['recharge', 'recharge'] }), 'capabilities.supportedTypes'],
    ['supportedTypes as a string', capabilities({ supportedTypes: 'recharge' }), 'capabilities.supportedTypes'],
    ['numeric version', { version: 1 }, 'version'],
  ])('refuses %s with 400 and registers nothing', async (_, overrides, field) => {
    const body = { ...registration('callbox_001'), ...overrides };
    expectInvalidField(await t.api.post(paths.register, body), field);
    expect((await stats(t.api)).instances).toEqual([]);
  });

  it('lists every invalid field at once', async () => {
    const res = await t.api.post(paths.register, {
      callboxId: 'bad id',
      capabilities: { maxConcurrentTransactions: 0, supportedTypes: [] },
    });
    expectStatus(res, 400);
    expect(Object.keys(res.body.fields).sort()).toEqual([
      'callboxId',
      'capabilities.maxConcurrentTransactions',
      'capabilities.supportedTypes',
    ]);
  });
});

describe('CallBox heartbeat (POST /api/call-box/heartbeat)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true });
    await registerBox(t.api, 'callbox_001');
    await registerBox(t.api, 'callbox_002');
  });
  afterEach(async () => t.close());

  it("answers with the spec's fields and the box's effective config", async () => {
    const { config } = (await t.api.get(paths.config('callbox_001'))).body;
    const res = await t.api.post(paths.heartbeat, heartbeat('callbox_001'));
    expectStatus(res, 200);
    expect(res.body).toEqual({ success: true, message: 'Heartbeat reçu', pendingTransactions: 0, config });
  });

  it("counts the box's unstarted assigned work plus the unassigned queue", async () => {
    const submitted = [];
    for (let i = 0; i < 4; i++) submitted.push(await submit(t.api, { payItemId: `HB_${i}` }));
    const { transactions } = await claim(t.api, 'callbox_001', 2);
    const queued = submitted.length - transactions.length;

    const pendingFor = async (id: string) => (await t.api.post(paths.heartbeat, heartbeat(id))).body.pendingTransactions;
    expect(await pendingFor('callbox_001')).toBe(transactions.length + queued);
    expect(await pendingFor('callbox_002')).toBe(queued);

    // Work the box has started is no longer waiting.
    expectStatus(await report(t.api, transactions[0].id, 'callbox_001', 'processing'), 200);
    expect(await pendingFor('callbox_001')).toBe(transactions.length - 1 + queued);
  });

  it('records the reported status, queue size and time, seen in the stats', async () => {
    t.clock!.advance(12_000);
    const beat = { ...heartbeat('callbox_001'), status: 'busy', queueSize: 7 };
    expectStatus(await t.api.post(paths.heartbeat, beat), 200);
    const instance = (await stats(t.api)).instances.find((i: { id: string }) => i.id === 'callbox_001');
    expect(instance).toMatchObject({ status: beat.status, queueSize: beat.queueSize, lastHeartbeat: iso(t.clock!.now()) });
  });

  it('accepts the minimal heartbeat (callboxId and status)', async () => {
    expectStatus(await t.api.post(paths.heartbeat, { callboxId: 'callbox_001', status: 'active' }), 200);
  });

  it('is 404 CALLBOX.NOT_REGISTERED for a box that never registered', async () => {
    const res = await t.api.post(paths.heartbeat, heartbeat('callbox_999'));
    expectError(res, 404, 'CALLBOX.NOT_REGISTERED');
    expect((await stats(t.api)).instances.map((i: { id: string }) => i.id)).not.toContain('callbox_999');
  });

  it.each([
    ['no status', { status: undefined }, 'status'],
    ['a status with spaces', { status: 'en ligne' }, 'status'],
    ['a negative queueSize', { queueSize: -1 }, 'queueSize'],
    ['a fractional queueSize', { queueSize: 1.5 }, 'queueSize'],
    ['memoryUsage over 100 %', { metrics: { memoryUsage: 150 } }, 'metrics.memoryUsage'],
    ['a negative uptime', { metrics: { uptime: -3 } }, 'metrics.uptime'],
    ['metrics as a string', { metrics: 'ok' }, 'metrics'],
  ])('refuses %s with 400', async (_, overrides, field) => {
    expectInvalidField(await t.api.post(paths.heartbeat, { ...heartbeat('callbox_001'), ...overrides }), field);
  });
});
