import { FakeClock } from '../../../test/support/fake-clock';
import type { AppConfig } from '../../config/app-config';
import { countersFrom } from '../../transactions/transaction-counters';
import type { TransactionRepository } from '../../transactions/transaction.repository';
import type { CallBox, CallBoxRepository } from '../registry/callbox';
import { CallBoxStatsService, INSTANCES_PER_STEP, instanceOf } from './callbox-stats.service';

const clock = new FakeClock();
const HEARTBEAT_TIMEOUT_MS = 30_000;

const box = (i: number): CallBox => ({
  id: `box_${String(i).padStart(4, '0')}`,
  reportedStatus: 'active',
  connection: 'connected',
  maxConcurrent: 3,
  supportedTypes: ['recharge'],
  operators: null,
  version: '1.0.0',
  // Text a box chose: quotes, a NUL, non-ASCII, as any registration may carry.
  location: i % 2 === 0 ? 'Douala "Akwa" \u0000 é' : null,
  queueSize: i % 5,
  metrics: null,
  // One in three silent for longer than the timeout: disconnected in the answer.
  lastHeartbeatAt: clock.now() - (i % 3 === 0 ? HEARTBEAT_TIMEOUT_MS + 1 : 0),
  registeredAt: clock.now(),
  recentOutcomes: '',
  consecutiveFailures: 0,
  degradedUntil: null,
  degradedReason: null,
});

function service(boxes: CallBox[] | Error) {
  const counters = countersFrom([
    { type: 'recharge', status: 'completed', callboxId: 'box_0001', n: 4, timed: 4, processingMs: 4_000 },
    { type: 'recharge', status: 'pending', callboxId: '', n: 2, timed: 0, processingMs: 0 },
  ] as never);
  const transactions = { counters: async () => counters, countInFlightByBox: async () => new Map([['box_0002', 2]]) };
  const list = jest.fn(async () => {
    if (boxes instanceof Error) throw boxes;
    return boxes;
  });
  const sut = new CallBoxStatsService(
    transactions as unknown as TransactionRepository,
    { list } as unknown as CallBoxRepository,
    { heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS } as AppConfig,
    clock,
  );
  return { sut, list, counters };
}

const body = async (sut: CallBoxStatsService) => {
  const { pieces, bytes } = await sut.answer();
  const buffer = Buffer.concat(pieces);
  expect(buffer.length).toBe(bytes);
  return buffer.toString('utf8');
};

describe(CallBoxStatsService.name, () => {
  it('serializes in steps exactly what one JSON.stringify of the answer gives, fields in the same order', async () => {
    const boxes = Array.from({ length: INSTANCES_PER_STEP * 2 + 7 }, (_, i) => box(i));
    const { sut, counters } = service(boxes);
    const text = await body(sut);
    const instances = boxes.map((b) =>
      instanceOf(b, clock.now(), HEARTBEAT_TIMEOUT_MS, counters.processedByBox.get(b.id) ?? 0, b.id === 'box_0002' ? 2 : 0),
    );
    const parsed = JSON.parse(text);
    expect(parsed.stats.instances).toEqual(instances);
    expect(parsed.stats.connectedInstances).toBe(instances.filter((i) => i.status !== 'disconnected').length);
    expect(parsed.stats).toMatchObject({ pendingTransactions: 2, completedTransactions: 4, averageProcessingTimeMs: 1_000 });
    // The same bytes as the whole answer serialized in one piece, key order included.
    expect(text).toBe(JSON.stringify({ success: true, stats: { ...parsed.stats } }));
    expect(Object.keys(parsed.stats).indexOf('instances')).toBe(10);
  });

  it('answers an empty fleet with an empty list', async () => {
    const parsed = JSON.parse(await body(service([]).sut));
    expect(parsed.stats.instances).toEqual([]);
    expect(parsed.stats.connectedInstances).toBe(0);
  });

  it('builds one answer at boot, before any request', async () => {
    const { sut, list } = service([box(1)]);
    await sut.onApplicationBootstrap();
    expect(list).toHaveBeenCalledTimes(1);
  });

  it('boots even when that first build fails (the first request builds again)', async () => {
    const { sut, list } = service(new Error('database gone'));
    await expect(sut.onApplicationBootstrap()).resolves.toBeUndefined();
    await expect(sut.answer()).rejects.toThrow('database gone');
    expect(list).toHaveBeenCalledTimes(2);
  });
});
