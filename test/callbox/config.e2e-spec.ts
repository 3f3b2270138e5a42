import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heartbeat } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectError, expectInvalidField, expectStatus, paths, registerBox, registerWith, submit } from './callbox-api';

/** The ranges PUT /config accepts (issue 2). */
const LIMITS = {
  maxRetries: [0, 10],
  timeoutMs: [1000, 3_600_000],
  batchSize: [1, 100],
  pollIntervalMs: [500, 300_000],
} as const;

describe('CallBox configuration (GET/PUT /api/call-box/config)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
    await registerBox(t.api, 'callbox_001');
    await registerBox(t.api, 'callbox_002');
  });
  afterEach(async () => t.close());

  const read = async (callboxId?: string) => {
    const res = await t.api.get(paths.config(callboxId));
    expectStatus(res, 200);
    return res.body;
  };
  const update = (body: Record<string, unknown>) => t.api.put(paths.config(), body, { auth: 'admin' });
  /** The environment's defaults, as a box is told them: with the long-polling ceiling beside them. */
  const advertised = () => ({ ...t.config.callboxDefaults, longPollMaxWaitMs: t.config.longPollMaxWaitMs });

  describe('GET', () => {
    it('without callboxId: the global config, from the environment', async () => {
      expect(await read()).toEqual({ success: true, scope: 'global', config: advertised() });
    });

    it("with a callboxId: that box's effective config", async () => {
      expect(await read('callbox_001')).toEqual({ success: true, scope: 'callbox_001', config: advertised() });
    });

    it('is 404 CALLBOX.NOT_REGISTERED for an unknown box', async () => {
      expectError(await t.api.get(paths.config('callbox_999')), 404, 'CALLBOX.NOT_REGISTERED');
    });

    it('is 400 for a malformed callboxId', async () => {
      expectInvalidField(await t.api.get(paths.config('box one')), 'callboxId');
    });
  });

  describe('PUT', () => {
    it('a global change is seen by every box, and other settings keep their values', async () => {
      const before = (await read()).config;
      const change = { batchSize: before.batchSize + 3, pollIntervalMs: before.pollIntervalMs + 1000 };
      const res = await update(change);
      expectStatus(res, 200);
      const expected = { ...before, ...change };
      expect(res.body).toMatchObject({ success: true, scope: 'global', config: expected });

      expect((await read()).config).toEqual(expected);
      expect((await read('callbox_001')).config).toEqual(expected);
      expect((await read('callbox_002')).config).toEqual(expected);
      expect((await registerBox(t.api, 'callbox_003')).config).toEqual(expected);
      expect((await t.api.post(paths.heartbeat, heartbeat('callbox_001'))).body.config).toEqual(expected);
    });

    it('with a callboxId: an override for that box only, over later global changes', async () => {
      const global = (await read()).config;
      const override = { timeoutMs: global.timeoutMs * 2 };
      const res = await update({ callboxId: 'callbox_001', ...override });
      expectStatus(res, 200);
      expect(res.body).toMatchObject({ scope: 'callbox_001', config: { ...global, ...override } });
      expect((await read('callbox_001')).config).toEqual({ ...global, ...override });
      expect((await read('callbox_002')).config).toEqual(global);
      expect((await read()).config).toEqual(global);

      const later = { timeoutMs: global.timeoutMs + 500, maxRetries: global.maxRetries + 1 };
      expectStatus(await update(later), 200);
      expect((await read('callbox_001')).config).toEqual({ ...global, ...later, ...override });
      expect((await read('callbox_002')).config).toEqual({ ...global, ...later });
    });

    it('an empty body, or a callboxId alone, is 400', async () => {
      expectStatus(await update({}), 400);
      expectStatus(await update({ callboxId: 'callbox_001' }), 400);
      expect((await read()).config).toEqual(advertised());
    });

    const outOfRange = Object.entries(LIMITS).flatMap(([key, [min, max]]): Array<[string, unknown]> => [
      [key, min - 1],
      [key, max + 1],
      [key, min + 0.5],
      [key, String(min)],
      [key, null],
    ]);
    it.each(outOfRange)('refuses %s = %p with 400 and changes nothing', async (key, value) => {
      expectInvalidField(await update({ [key]: value }), key);
      expect((await read()).config).toEqual(advertised());
    });

    it('null does not reset a setting', async () => {
      const batchSize = t.config.callboxDefaults.batchSize + 4;
      expectStatus(await update({ batchSize }), 200);
      expectInvalidField(await update({ batchSize: null }), 'batchSize');
      expect((await read()).config.batchSize).toBe(batchSize);
    });

    const bounds = Object.entries(LIMITS).flatMap(([key, [min, max]]): Array<[string, number]> => [[key, min], [key, max]]);
    it.each(bounds)('accepts %s = %p', async (key, value) => {
      const res = await update({ [key]: value });
      expectStatus(res, 200);
      expect((await read()).config[key]).toBe(value);
    });

    it('is 404 CALLBOX.NOT_REGISTERED for an override of an unknown box, and stores nothing', async () => {
      expectError(await update({ callboxId: 'callbox_999', batchSize: 9 }), 404, 'CALLBOX.NOT_REGISTERED');
      await registerBox(t.api, 'callbox_999');
      expect((await read('callbox_999')).config).toEqual(advertised());
    });
  });

  describe('effects', () => {
    it("a changed batchSize is the new default pending limit (global, then per box)", async () => {
      await registerWith(t.api, 'box_a', { maxConcurrentTransactions: 50 });
      await registerWith(t.api, 'box_b', { maxConcurrentTransactions: 50 });
      const globalBatch = t.config.callboxDefaults.batchSize + 1;
      const boxBatch = globalBatch + 2;
      expectStatus(await update({ batchSize: globalBatch }), 200);
      expectStatus(await update({ callboxId: 'box_a', batchSize: boxBatch }), 200);
      for (let i = 0; i < globalBatch + boxBatch + 1; i++) await submit(t.api, { payItemId: `BATCH_${i}` });

      expect((await claim(t.api, 'box_b')).count).toBe(globalBatch);
      expect((await claim(t.api, 'box_a')).count).toBe(boxBatch);
    });

    it('a changed maxRetries applies to transactions submitted afterwards', async () => {
      const before = await submit(t.api, { payItemId: 'BEFORE' });
      const maxRetries = before.maxRetries === 1 ? 2 : 1;
      expectStatus(await update({ maxRetries }), 200);
      const after = await submit(t.api, { payItemId: 'AFTER' });
      expect(after.maxRetries).toBe(maxRetries);

      const seen = (await claim(t.api, 'callbox_001', 2)).transactions;
      expect(seen.map((tx) => [tx.id, tx.maxRetries])).toEqual([
        [before.id, t.config.callboxDefaults.maxRetries],
        [after.id, maxRetries],
      ]);
    });
  });
});

describe('CallBox configuration across a restart', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'merecharge-config-restart-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('global settings and box overrides survive a restart', async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, 'shared.sqlite')}` };
    const global = { batchSize: 11, maxRetries: 6 };
    const override = { pollIntervalMs: 2500 };

    const first = await createTestApp({ env });
    try {
      await registerBox(first.api, 'callbox_001');
      expectStatus(await first.api.put(paths.config(), global, { auth: 'admin' }), 200);
      expectStatus(await first.api.put(paths.config(), { callboxId: 'callbox_001', ...override }, { auth: 'admin' }), 200);
    } finally {
      await first.close();
    }

    const second = await createTestApp({ env });
    try {
      const defaults = { ...second.config.callboxDefaults, longPollMaxWaitMs: second.config.longPollMaxWaitMs };
      expect((await second.api.get(paths.config())).body.config).toEqual({ ...defaults, ...global });
      expect((await second.api.get(paths.config('callbox_001'))).body.config).toEqual({ ...defaults, ...global, ...override });
    } finally {
      await second.close();
    }
  });
});
