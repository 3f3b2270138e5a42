import type { OutboxRepository } from '../callbacks/outbox.repository';
import { countersFrom } from '../transactions/transaction-counters';
import type { TransactionRepository } from '../transactions/transaction.repository';
import type { TransactionTransitions } from '../transactions/transaction-transitions';
import { MetricsService } from './metrics.service';

function service(counters: () => Promise<unknown>) {
  const read = jest.fn(counters);
  const countPending = jest.fn(async () => 0);
  const sut = new MetricsService(
    { counters: read } as unknown as TransactionRepository,
    { subscribe: () => undefined } as unknown as TransactionTransitions,
    { countPending } as unknown as OutboxRepository,
  );
  return { sut, read, countPending };
}

describe(MetricsService.name, () => {
  let stop: () => void = () => undefined;
  afterEach(() => stop());

  it('collects once at boot, before any scrape (the first collection compiles and prepares what every scrape runs)', async () => {
    const { sut, read, countPending } = service(async () => countersFrom([]));
    stop = () => sut.onModuleDestroy();
    await sut.onApplicationBootstrap();
    expect(read).toHaveBeenCalledTimes(1);
    expect(countPending).toHaveBeenCalledTimes(1);
  });

  it('boots even when that collection fails (the first scrape collects again)', async () => {
    const { sut, read } = service(async () => {
      throw new Error('database gone');
    });
    stop = () => sut.onModuleDestroy();
    await expect(sut.onApplicationBootstrap()).resolves.toBeUndefined();
    expect(read).toHaveBeenCalledTimes(1);
  });
});
