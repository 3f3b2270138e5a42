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

  it('counts each answer in its own series, label sets reused or not', async () => {
    const { sut } = service(async () => countersFrom([]));
    stop = () => sut.onModuleDestroy();
    sut.observeResponse('POST', '/api/call-box/heartbeat', 200, 0.002);
    sut.observeResponse('POST', '/api/call-box/heartbeat', 200, 0.02);
    sut.observeResponse('POST', '/api/call-box/heartbeat', 404, 0.001);
    sut.observeResponse('GET', '/api/call-box/heartbeat', 200, 0.001);
    const text = await sut.registry.getSingleMetricAsString('http_request_duration_seconds');
    expect(text).toContain('http_request_duration_seconds_count{method="POST",route="/api/call-box/heartbeat",status="200"} 2');
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.005",method="POST",route="/api/call-box/heartbeat",status="200"} 1');
    expect(text).toContain('http_request_duration_seconds_count{method="POST",route="/api/call-box/heartbeat",status="404"} 1');
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/api/call-box/heartbeat",status="200"} 1');
    const answers = await sut.registry.getSingleMetricAsString('http_responses_total');
    expect(answers).toContain('http_responses_total{method="POST",route="/api/call-box/heartbeat",class="2xx"} 2');
    expect(answers).toContain('http_responses_total{method="POST",route="/api/call-box/heartbeat",class="4xx"} 1');
    expect(answers).toContain('http_responses_total{method="GET",route="/api/call-box/heartbeat",class="2xx"} 1');
  });
});
