import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '../../test/support/fake-clock';
import type { AppConfig } from '../config/app-config';
import { CallbackDeliveryService, DELIVERY_BATCH, DELIVERY_CONCURRENCY } from './callback-delivery.service';
import { verifyCallback } from './callback-signature';
import { OutboxMessage, OutboxRepository } from './outbox.repository';

/** The outbox in memory: the spec is about how the service drains it, not about SQL. */
class MemoryOutbox extends OutboxRepository {
  readonly delivered: number[] = [];
  readonly failed: Array<{ id: number; error: string }> = [];
  claims = 0;
  private readonly due: OutboxMessage[] = [];
  private added = 0;

  add(count: number, transactionOf: (i: number) => string = (i) => `tx-${i}`): void {
    for (let i = 0; i < count; i++) {
      const transactionId = transactionOf(i);
      const sequence = this.due.filter((m) => m.transactionId === transactionId).length + 1;
      this.added += 1;
      this.due.push({ id: this.added, transactionId, outcome: 'completed', payload: `{"transactionId":"${transactionId}"}`, attempts: 0, sequence });
    }
  }

  async claimDue(_now: number, limit: number): Promise<OutboxMessage[]> {
    this.claims += 1;
    return this.due.splice(0, limit);
  }

  async markDelivered(id: number): Promise<void> {
    this.delivered.push(id);
  }

  async markFailed(id: number, error: string): Promise<void> {
    this.failed.push({ id, error });
  }

  async countPending(cap = Infinity): Promise<number> {
    return Math.min(cap, this.due.length);
  }
}

interface Seen {
  maxInFlight: number;
  /** The delivery ids of the POSTs, in arrival order. */
  order: string[];
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
}

type Answer = (delivery: string) => { status: number; headers?: Record<string, string> };

/**
 * Answers every POST after `holdMs` (or, with a `barrier`, once that many requests wait for their
 * answer), with 204 unless `answer` says otherwise (a status, and the headers to send with it);
 * records the most in flight at once and every request in arrival order.
 */
async function startReceiver(holdMs: number, answer: Answer = () => ({ status: 204 }), barrier = 0) {
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const seen: Seen = { maxInFlight: 0, order: [], requests: [] };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const delivery = String(request.headers['x-merecharge-delivery']);
    const chunks: Buffer[] = [];
    inFlight += 1;
    seen.maxInFlight = Math.max(seen.maxInFlight, inFlight);
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (request.method === 'POST') seen.order.push(delivery);
      const { status, headers } = request.method === 'POST' ? answer(delivery) : { status: 200, headers: {} };
      let answered = false;
      const respond = () => {
        if (answered) return;
        answered = true;
        inFlight -= 1;
        response.writeHead(status, headers).end();
      };
      if (barrier === 0) return void setTimeout(respond, holdMs);
      waiting.push(respond);
      if (waiting.length >= barrier) waiting.splice(0).forEach((release) => release());
      // Only so that a sender that never reaches the barrier fails the assertion instead of the spec's timeout.
      else setTimeout(respond, 5_000).unref();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/outcomes`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe(CallbackDeliveryService.name, () => {
  const SECRET = 'spec-secret-0123456789';
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let outbox: MemoryOutbox;
  let clock: FakeClock;
  let service: CallbackDeliveryService;

  /** A receiver answering as `answer` says, and the service sending to it. */
  const serve = async (answer?: Answer, barrier?: number) => {
    await receiver?.close();
    receiver = await startReceiver(20, answer, barrier);
    const config = { callback: { url: receiver.url, secret: SECRET } } as AppConfig;
    service = new CallbackDeliveryService(outbox, new SchedulerRegistry(), config, clock);
  };

  beforeEach(async () => {
    outbox = new MemoryOutbox();
    clock = new FakeClock();
    await serve();
  });

  afterEach(() => receiver.close());

  it(`sends ${DELIVERY_CONCURRENCY} messages at once, never more`, async () => {
    // Answers only once DELIVERY_CONCURRENCY requests wait, whatever the load on the machine.
    await serve(undefined, DELIVERY_CONCURRENCY);
    outbox.add(DELIVERY_BATCH);

    expect(await service.deliverDue()).toEqual({ delivered: DELIVERY_BATCH, failed: 0 });
    expect(receiver.seen.maxInFlight).toBe(DELIVERY_CONCURRENCY);
  });

  it("sends one transaction's messages one after the other, in sequence order", async () => {
    outbox.add(6, () => 'the-same-transaction');

    expect(await service.deliverDue()).toEqual({ delivered: 6, failed: 0 });
    expect(receiver.seen.maxInFlight).toBe(1);
    expect(receiver.seen.order).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(receiver.seen.requests.map((r) => JSON.parse(r.body).sequence)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('signs each request over its timestamp (the clock, in seconds), delivery id and exact body', async () => {
    outbox.add(2, () => 'tx-signed');

    await service.deliverDue();

    expect(receiver.seen.requests).toHaveLength(2);
    for (const [i, request] of receiver.seen.requests.entries()) {
      expect(request.headers).toMatchObject({
        'content-type': 'application/json',
        'x-merecharge-timestamp': String(Math.floor(clock.now() / 1000)),
        'x-merecharge-delivery': String(i + 1),
        'x-merecharge-event': 'transaction.completed',
      });
      expect(JSON.parse(request.body)).toEqual({ transactionId: 'tx-signed', sequence: i + 1 });
      const { 'x-merecharge-timestamp': timestamp, 'x-merecharge-delivery': delivery, 'x-merecharge-signature': signature } = request.headers;
      expect(verifyCallback({ secret: SECRET, timestamp, delivery, signature, body: request.body, nowMs: clock.now() })).toBe('valid');
      expect(verifyCallback({ secret: SECRET, timestamp, delivery: '99', signature, body: request.body, nowMs: clock.now() })).toBe('bad-signature');
    }
  });

  it.each([301, 302, 303, 307, 308])('never follows a %i: a failed attempt, logged with the Location host, and its transaction waits', async (status) => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await serve((delivery) => (delivery === '1' ? { status, headers: { location: '/landing?token=not-for-logs' } } : { status: 204 }));
      const host = new URL(receiver.url).host;
      outbox.add(1, () => 'redirected');
      outbox.add(1, () => 'other');
      outbox.add(1, () => 'redirected');

      expect(await service.deliverDue()).toEqual({ delivered: 1, failed: 1 });

      // Only POSTs reached the receiver: the Location was never fetched, the later message not sent.
      expect(receiver.seen.requests.map((r) => [r.method, r.url])).toEqual([
        ['POST', '/outcomes'],
        ['POST', '/outcomes'],
      ]);
      expect(receiver.seen.order.sort()).toEqual(['1', '2']);
      expect(outbox.delivered).toEqual([2]);
      expect(outbox.failed).toEqual([{ id: 1, error: `HTTP ${status} redirect to ${host} (not followed)` }]);
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ delivery: 1, status, locationHost: host, attempts: 1 }), expect.any(String));
      expect(JSON.stringify(warn.mock.calls)).not.toContain('not-for-logs');
    } finally {
      warn.mockRestore();
    }
  });

  it('sends nothing more of a transaction after a refusal in the same pass', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await serve((delivery) => ({ status: delivery === '1' ? 500 : 204 }));
      outbox.add(3, () => 'refused-first');

      expect(await service.deliverDue()).toEqual({ delivered: 0, failed: 1 });
      expect(receiver.seen.order).toEqual(['1']);
      expect(outbox.failed).toEqual([{ id: 1, error: 'HTTP 500' }]);
    } finally {
      warn.mockRestore();
    }
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
