import { heartbeat, registration } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectStatus, iso, paths, registerBox, registerWith, report, stats, submit } from './callbox-api';

/** The spec's `stats` fields (section 7); ours come on top. */
const SPEC_STATS_FIELDS = [
  'connectedInstances', 'queueLength', 'pendingTransactions', 'assignedTransactions',
  'processingTransactions', 'completedTransactions', 'failedTransactions', 'instances',
];
const SPEC_INSTANCE_FIELDS = ['id', 'status', 'lastHeartbeat', 'queueSize', 'processedTransactions'];

describe('CallBox statistics (GET /api/call-box/stats)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true });
  });
  afterEach(async () => t.close());

  const instance = async (id: string) => (await stats(t.api)).instances.find((i: { id: string }) => i.id === id);

  it('starts empty', async () => {
    const res = await t.api.get(paths.stats);
    expectStatus(res, 200);
    expect(res.body).toEqual({ success: true, stats: expect.objectContaining({ instances: [] }) });
    for (const field of SPEC_STATS_FIELDS.filter((f) => f !== 'instances')) expect(res.body.stats[field]).toBe(0);
  });

  it('counts transactions by status as the boxes moved them', async () => {
    await registerWith(t.api, 'callbox_001', { maxConcurrentTransactions: 10 });
    await registerBox(t.api, 'callbox_002');
    // Failures here must be final, whatever MAX_RETRIES says.
    expectStatus(await t.api.put(paths.config(), { maxRetries: 0 }, { auth: 'admin' }), 200);
    const submitted = 9;
    for (let i = 0; i < submitted; i++) await submit(t.api, { payItemId: `STATS_${i}` });

    const one = (await claim(t.api, 'callbox_001', 5)).transactions;
    const two = (await claim(t.api, 'callbox_002', 2)).transactions;
    const moves: Array<[string, string, string]> = [
      [one[0].id, 'callbox_001', 'processing'],
      [one[1].id, 'callbox_001', 'completed'],
      [one[2].id, 'callbox_001', 'completed'],
      [one[3].id, 'callbox_001', 'failed'],
      [two[0].id, 'callbox_002', 'completed'],
    ];
    for (const [id, box, status] of moves) expectStatus(await report(t.api, id, box, status), 200);

    const claimed = one.length + two.length;
    const count = (status: string) => moves.filter(([, , s]) => s === status).length;
    const assigned = claimed - moves.length;
    const pending = submitted - claimed;
    const s = await stats(t.api);
    expect(Object.keys(s)).toEqual(expect.arrayContaining(SPEC_STATS_FIELDS));
    expect(s).toMatchObject({
      connectedInstances: 2,
      pendingTransactions: pending,
      assignedTransactions: assigned,
      processingTransactions: count('processing'),
      completedTransactions: count('completed'),
      failedTransactions: count('failed'),
      queueLength: pending + assigned,
    });

    const processedBy = (box: string) => moves.filter(([, b, st]) => b === box && ['completed', 'failed'].includes(st)).length;
    expect(s.instances.map((i: { id: string; processedTransactions: number }) => [i.id, i.processedTransactions]).sort()).toEqual([
      ['callbox_001', processedBy('callbox_001')],
      ['callbox_002', processedBy('callbox_002')],
    ]);
  });

  it('counts a transaction waiting for a retry in the queue length, not as failed', async () => {
    await registerBox(t.api, 'callbox_001');
    const tx = await submit(t.api);
    expect(tx.maxRetries).toBeGreaterThan(0);
    await claim(t.api, 'callbox_001');
    expectStatus(await report(t.api, tx.id, 'callbox_001', 'failed'), 200);
    expect(await stats(t.api)).toMatchObject({ queueLength: 1, failedTransactions: 0, retryTransactions: 1, pendingTransactions: 0 });
  });

  it("describes each instance with the spec's fields and what it registered", async () => {
    const capabilities = { maxConcurrentTransactions: 4, supportedTypes: ['recharge', 'deposit'] };
    const registered = await registerWith(t.api, 'callbox_001', capabilities);
    const { version, location } = registration();
    t.clock!.advance(7_000);
    const beat = { ...heartbeat('callbox_001'), queueSize: 2 };
    expectStatus(await t.api.post(paths.heartbeat, beat), 200);

    const found = await instance('callbox_001');
    expect(Object.keys(found)).toEqual(expect.arrayContaining(SPEC_INSTANCE_FIELDS));
    expect(found).toMatchObject({
      id: 'callbox_001',
      status: beat.status,
      lastHeartbeat: iso(t.clock!.now()),
      queueSize: beat.queueSize,
      processedTransactions: 0,
      maxConcurrentTransactions: capabilities.maxConcurrentTransactions,
      supportedTypes: capabilities.supportedTypes,
      version,
      location,
    });
    expect(Date.parse(found.lastHeartbeat)).toBeGreaterThan(Date.parse(registered.instance.lastHeartbeat));
  });

  it('shows a box silent past HEARTBEAT_TIMEOUT_MS as disconnected, and stops counting it', async () => {
    const timeout = t.config.heartbeatTimeoutMs;
    await registerBox(t.api, 'callbox_001');
    await registerBox(t.api, 'callbox_002');

    t.clock!.advance(timeout);
    expectStatus(await t.api.post(paths.heartbeat, heartbeat('callbox_002')), 200);
    let s = await stats(t.api);
    expect(s.connectedInstances).toBe(2);
    expect((await instance('callbox_001')).status).toBe('active');

    t.clock!.advance(1);
    s = await stats(t.api);
    expect(s.connectedInstances).toBe(1);
    expect((await instance('callbox_001')).status).toBe('disconnected');
    expect((await instance('callbox_002')).status).toBe('active');

    // It comes back with its next heartbeat.
    expectStatus(await t.api.post(paths.heartbeat, heartbeat('callbox_001')), 200);
    expect((await stats(t.api)).connectedInstances).toBe(2);
    expect((await instance('callbox_001')).status).toBe(heartbeat().status);
  });

  it('reads the same with the CallBox token and the API key', async () => {
    await registerBox(t.api, 'callbox_001');
    await submit(t.api);
    const asBox = await t.api.get(paths.stats, { auth: 'callbox' });
    const asAdmin = await t.api.get(paths.stats, { auth: 'admin' });
    expectStatus(asAdmin, 200);
    expect(asAdmin.body).toEqual(asBox.body);
    expect(asAdmin.body.stats.pendingTransactions).toBe(1);
  });
});
