import { performance } from 'node:perf_hooks';
import { openTestDatabase } from '../../../test/support/test-database';
import type { Database } from '../../database/database';
import { SystemClock } from '../../common/clock/clock';
import type { AppConfig } from '../../config/app-config';
import { BufferedCallBoxRepository, LIST_REUSE_MS } from './buffered-callbox.repository';
import { SqlCallBoxRepository } from './sql-callbox.repository';

const T = 1_700_000_000_000;

/**
 * The fleet's listing is shared by the requests of one moment (stats, the overview), never across
 * a write made through this registry: what a caller wrote, it reads back.
 */
describe(`${BufferedCallBoxRepository.name} (the fleet's listing)`, () => {
  let db: Database;
  let close: () => Promise<void>;
  let store: SqlCallBoxRepository;
  let boxes: BufferedCallBoxRepository;
  let reads: jest.SpyInstance;

  beforeEach(async () => {
    ({ db, close } = await openTestDatabase());
    store = new SqlCallBoxRepository(db);
    boxes = new BufferedCallBoxRepository(store, new SystemClock(), { heartbeatTimeoutMs: 30_000 } as AppConfig);
    reads = jest.spyOn(store, 'list');
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await boxes.onModuleDestroy();
    await close();
  });

  const register = (id: string, now = T) =>
    boxes.register({ id, maxConcurrent: 5, supportedTypes: ['recharge'], operators: null, version: null, location: null }, now);
  const ids = async () => (await boxes.list()).map((box) => box.id);

  it('requests of one moment share one read of the table, concurrent or one after the other', async () => {
    await register('box-a');
    await register('box-b');
    reads.mockClear();
    const lists = await Promise.all([boxes.list(), boxes.list(), boxes.list()]);
    expect(await ids()).toEqual(['box-a', 'box-b']);
    expect(lists.map((list) => list.map((box) => box.id))).toEqual([['box-a', 'box-b'], ['box-a', 'box-b'], ['box-a', 'box-b']]);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('a write through the registry is seen by the next listing', async () => {
    await register('box-a');
    expect(await ids()).toEqual(['box-a']);
    await register('box-b');
    expect(await ids()).toEqual(['box-a', 'box-b']);
    await boxes.markDegraded(['box-a'], 'test', T + 60_000, T);
    expect((await boxes.list()).find((box) => box.id === 'box-a')!.degradedReason).toBe('test');
    await db.unit((unit) => boxes.recordOutcome(unit, { callboxId: 'box-b', success: false, now: T, cooldownMs: 60_000 }));
    expect((await boxes.list()).find((box) => box.id === 'box-b')!.consecutiveFailures).toBe(1);
  });

  it('a heartbeat shows at once, buffered or written, and heartbeats alone never make the fleet be read again', async () => {
    await register('box-a');
    await register('box-b');
    await boxes.list();
    reads.mockClear();
    await boxes.recordHeartbeat('box-a', { reportedStatus: 'active', queueSize: 3, metrics: null }, T + 5_000);
    expect((await boxes.list())[0]).toMatchObject({ lastHeartbeatAt: T + 5_000, queueSize: 3 });
    await boxes.flushHeartbeats();
    expect((await boxes.list())[0]).toMatchObject({ lastHeartbeatAt: T + 5_000, queueSize: 3 });
    await boxes.recordHeartbeat('box-b', { reportedStatus: 'maintenance', queueSize: null, metrics: null }, T + 6_000);
    await boxes.flushHeartbeats();
    const [a, b] = await boxes.list();
    expect(a).toMatchObject({ lastHeartbeatAt: T + 5_000, queueSize: 3 });
    expect(b).toMatchObject({ lastHeartbeatAt: T + 6_000, reportedStatus: 'maintenance' });
    expect(reads).not.toHaveBeenCalled();
    // What the table says, read afresh, is the same.
    expect(await store.list()).toEqual(await boxes.list());
  });

  it(`a write made elsewhere (another replica) shows after at most ${LIST_REUSE_MS} ms`, async () => {
    await register('box-a');
    let now = performance.now();
    jest.spyOn(performance, 'now').mockImplementation(() => now);
    expect(await ids()).toEqual(['box-a']);
    await new SqlCallBoxRepository(db).register({ id: 'box-b', maxConcurrent: 5, supportedTypes: ['recharge'], operators: null, version: null, location: null }, T);
    expect(await ids()).toEqual(['box-a']);
    now += LIST_REUSE_MS + 1;
    expect(await ids()).toEqual(['box-a', 'box-b']);
  });

  it('a failed read is not kept', async () => {
    await register('box-a');
    reads.mockRejectedValueOnce(new Error('database gone'));
    await expect(boxes.list()).rejects.toThrow('database gone');
    expect(await ids()).toEqual(['box-a']);
  });
});
