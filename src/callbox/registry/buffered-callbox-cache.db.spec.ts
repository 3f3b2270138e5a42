import { openTestDatabase } from '../../../test/support/test-database';
import type { Clock } from '../../common/clock/clock';
import type { AppConfig } from '../../config/app-config';
import type { Database } from '../../database/database';
import { BufferedCallBoxRepository } from './buffered-callbox.repository';
import { SqlCallBoxRepository } from './sql-callbox.repository';

const T = 1_700_000_000_000;
const A = 'box-a';
const beat = { reportedStatus: 'active', queueSize: 0, metrics: null };

/**
 * A box of the fleet heartbeats every 9 to 11 s and long-polls between: its steady traffic is
 * served from the cache (on PostgreSQL each heartbeat flush renews the entry with the row it wrote;
 * on SQLite, the only writer, the entry lasts 5 min), and a write made elsewhere still shows within
 * the cache's bound, on PostgreSQL sooner when the box heartbeats.
 */
describe(`${BufferedCallBoxRepository.name} (the box cache under a fleet's traffic)`, () => {
  let db: Database;
  let close: () => Promise<void>;
  let store: SqlCallBoxRepository;
  let boxes: BufferedCallBoxRepository;
  let reads: jest.SpyInstance;
  let now: number;

  beforeEach(async () => {
    ({ db, close } = await openTestDatabase());
    now = T;
    store = new SqlCallBoxRepository(db);
    boxes = new BufferedCallBoxRepository(store, { now: () => now } as Clock, { heartbeatTimeoutMs: 30_000 } as AppConfig);
    await boxes.register({ id: A, maxConcurrent: 5, supportedTypes: ['recharge'], operators: null, version: null, location: null }, now);
    reads = jest.spyOn(store, 'findById');
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await boxes.onModuleDestroy();
    await close();
  });

  /** A heartbeat, the flush of the next second, and a poll a few seconds later. */
  async function cycle(intervalMs: number) {
    now += intervalMs;
    expect(await boxes.recordHeartbeat(A, beat, now)).toMatchObject({ reconnected: false });
    now += 600;
    await boxes.flushHeartbeats();
    now += 3_000;
    expect((await boxes.findById(A))?.lastHeartbeatAt).toBe(now - 3_600);
    now -= 3_600;
  }

  it('answers cachedById only from an entry findById would use, with the heartbeat waiting in memory laid over', async () => {
    boxes.forgetBox(A);
    expect(boxes.cachedById(A)).toBeUndefined();
    expect(boxes.cachedById('box-never-registered')).toBeUndefined();
    const read = await boxes.findById(A);
    expect(boxes.cachedById(A)).toEqual(read);

    now += 5_000;
    await boxes.recordHeartbeat(A, { reportedStatus: 'busy', queueSize: 2, metrics: null }, now);
    expect(boxes.cachedById(A)).toMatchObject({ reportedStatus: 'busy', queueSize: 2, lastHeartbeatAt: now });
    expect(boxes.cachedById(A)).toEqual(await boxes.findById(A));

    boxes.forgetBox(A);
    expect(boxes.cachedById(A)).toBeUndefined();
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('reads a steadily heartbeating box once, whatever its requests', async () => {
    for (const interval of [9_000, 11_000, 10_000, 11_000, 9_500, 11_000, 10_500]) await cycle(interval);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  // Replicas write the same rows on PostgreSQL only.
  const withReplicas = () => (process.env.TEST_DATABASE_URL ? it : it.skip);

  withReplicas()('sees another replica mark the box disconnected after one flush: its next heartbeat reconnects it', async () => {
    await cycle(10_000);
    const elsewhere = new SqlCallBoxRepository(db);
    expect((await elsewhere.markDisconnected(now + 1, now + 1, 10)).map((box) => box.id)).toEqual([A]);

    now += 10_000;
    expect(await boxes.recordHeartbeat(A, beat, now)).toMatchObject({ reconnected: false });
    now += 600;
    await boxes.flushHeartbeats();
    expect((await boxes.findById(A))?.connection).toBe('disconnected');

    now += 9_400;
    expect(await boxes.recordHeartbeat(A, beat, now)).toMatchObject({ reconnected: true, box: { connection: 'connected' } });
    expect((await store.findById(A))?.connection).toBe('connected');
  });

  it('reads a box again once its entry is boxCacheMs old, when nothing renewed it', async () => {
    expect(boxes.boxCacheMs).toBe(store.shared ? 15_000 : 300_000);
    await boxes.findById(A);
    const elsewhere = new SqlCallBoxRepository(db);
    const until = now + 600_000;
    await elsewhere.markDegraded([A], 'too_many_failures', until, now);
    now += boxes.boxCacheMs;
    expect((await boxes.findById(A))?.degradedUntil).toBeNull();
    now += 1;
    expect((await boxes.findById(A))?.degradedUntil).toBe(until);
    expect(reads).toHaveBeenCalledTimes(2);
  });
});
