import { SchedulerRegistry } from '@nestjs/schedule';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SystemClock } from '../common/clock/clock';
import type { AppConfig } from '../config/app-config';
import { CallbackDeliveryService, DELIVERY_BATCH, DELIVERY_CONCURRENCY } from './callback-delivery.service';
import { OutboxMessage, OutboxRepository } from './outbox.repository';

/** The outbox in memory: the spec is about how the service drains it, not about SQL. */
class MemoryOutbox extends OutboxRepository {
  readonly delivered: number[] = [];
  claims = 0;
  private readonly due: OutboxMessage[] = [];

  add(count: number, transactionOf: (i: number) => string = (i) => `tx-${i}`): void {
    for (let i = 0; i < count; i++) {
      this.due.push({ id: this.due.length + this.delivered.length + 1, transactionId: transactionOf(i), outcome: 'completed', payload: '{}', attempts: 0 });
    }
  }

  async claimDue(_now: number, limit: number): Promise<OutboxMessage[]> {
    this.claims += 1;
    return this.due.splice(0, limit);
  }

  async markDelivered(id: number): Promise<void> {
    this.delivered.push(id);
  }

  async markFailed(): Promise<void> {
    throw new Error('the receiver in this spec acknowledges everything');
  }

  async countPending(): Promise<number> {
    return this.due.length;
  }
}

/** Acknowledges every POST after `holdMs`; records the most in flight at once and the order deliveries arrived in. */
async function startReceiver(holdMs: number) {
  let inFlight = 0;
  const seen = { maxInFlight: 0, order: [] as string[] };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const delivery = String(request.headers['x-merecharge-delivery']);
    inFlight += 1;
    seen.maxInFlight = Math.max(seen.maxInFlight, inFlight);
    request.resume();
    request.on('end', () => {
      seen.order.push(delivery);
      setTimeout(() => {
        inFlight -= 1;
        response.writeHead(204).end();
      }, holdMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/outcomes`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe(CallbackDeliveryService.name, () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let outbox: MemoryOutbox;
  let service: CallbackDeliveryService;

  beforeEach(async () => {
    receiver = await startReceiver(20);
    outbox = new MemoryOutbox();
    const config = { callback: { url: receiver.url, secret: 'spec-secret' } } as AppConfig;
    service = new CallbackDeliveryService(outbox, new SchedulerRegistry(), config, new SystemClock());
  });

  afterEach(() => receiver.close());

  it(`sends ${DELIVERY_CONCURRENCY} messages at once, never more`, async () => {
    outbox.add(DELIVERY_BATCH);

    expect(await service.deliverDue()).toEqual({ delivered: DELIVERY_BATCH, failed: 0 });
    expect(receiver.seen.maxInFlight).toBe(DELIVERY_CONCURRENCY);
  });

  it("sends one transaction's messages one after the other, in the order claimed", async () => {
    outbox.add(6, () => 'the-same-transaction');

    expect(await service.deliverDue()).toEqual({ delivered: 6, failed: 0 });
    expect(receiver.seen.maxInFlight).toBe(1);
    expect(receiver.seen.order).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('drains a backlog of several batches in one run, then stops at the first pass that is not full', async () => {
    outbox.add(3 * DELIVERY_BATCH + 5);

    await service.deliverBacklog();

    expect(outbox.delivered).toHaveLength(3 * DELIVERY_BATCH + 5);
    expect(outbox.claims).toBe(4);
  });

  it('stops after the current pass once the app shuts down', async () => {
    outbox.add(3 * DELIVERY_BATCH);
    const backlog = service.deliverBacklog();
    await service.onApplicationShutdown();
    await backlog;

    expect(outbox.claims).toBe(1);
    expect(outbox.delivered).toHaveLength(DELIVERY_BATCH);
  });
});
