import { CallbackDeliveryService } from '../../src/callbacks/callback-delivery.service';
import { verifyCallback } from '../../src/callbacks/callback-signature';
import { createTestApp, TestApp } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';
import { claim, expectStatus, registerBox, report, submit } from '../callbox/callbox-api';
import { CallbackReceiver, Received, startReceiver, takeOverDelivery } from './callback-receiver';
import { beat, configure, detail, tick } from './sync-api';

const SECRET = 'test-callback-secret-0123456789';
const A = 'callbox_001';
const B = 'callbox_002';
/** Longer than any outbox backoff (capped at 10 minutes). */
const PAST_ANY_BACKOFF_MS = 11 * 60_000;

/** The receiver's check of a request, on a clock reading `nowMs` (by default, the request's own timestamp). */
const verdictOf = (r: Received, nowMs = Number(r.headers['x-merecharge-timestamp']) * 1000) =>
  verifyCallback({
    secret: SECRET,
    timestamp: r.headers['x-merecharge-timestamp'],
    delivery: r.headers['x-merecharge-delivery'],
    signature: r.headers['x-merecharge-signature'],
    body: r.body,
    nowMs,
  });
const parsed = (r: Received) => JSON.parse(r.body) as { transactionId: string; status: string; event: string; sequence: number };

describe('Outcome callbacks to the main system (MAIN_CALLBACK_URL)', () => {
  let receiver: CallbackReceiver;
  let t: TestApp;
  let delivery: CallbackDeliveryService;
  const FAIL_FIRST = 2;

  beforeEach(async () => {
    receiver = await startReceiver(FAIL_FIRST);
    t = await createTestApp({
      fakeClock: true,
      env: { MAIN_CALLBACK_URL: receiver.url, CALLBACK_SECRET: SECRET, MAX_RETRIES: '0', TRANSACTION_TIMEOUT_MS: '600000' },
    });
    delivery = takeOverDelivery(t);
  });
  afterEach(async () => {
    await t.close();
    await receiver.close();
  });

  /** Delivers, and moves the clock past the backoff, until `expected` messages were acknowledged. */
  const deliverAll = async (expected: number) => {
    for (let pass = 0; pass < 10 && receiver.acknowledged().length < expected; pass++) {
      await delivery.deliverDue();
      if (receiver.acknowledged().length < expected) t.clock!.advance(PAST_ANY_BACKOFF_MS);
    }
    expect(receiver.acknowledged()).toHaveLength(expected);
  };

  /** Box A completes one transaction and fails one; then goes silent with a third in processing. */
  const produceOutcomes = async () => {
    await registerBox(t.api, A);
    await registerBox(t.api, B);
    const ids = { completed: '', failed: '', needs_review: '' };
    for (const status of Object.keys(ids) as Array<keyof typeof ids>) {
      ids[status] = (await submit(t.api, { payItemId: `OUTCOME_${status}` })).id;
      t.clock!.advance(1);
    }
    expect((await claim(t.api, A)).count).toBe(3);
    for (const id of Object.values(ids)) expectStatus(await report(t.api, id, A, 'processing'), 200);
    expectStatus(await report(t.api, ids.completed, A, 'completed', { success: true, transactionRef: 'MTN1' }), 200);
    expectStatus(await report(t.api, ids.failed, A, 'failed', { success: false, errorCode: 'USSD_TIMEOUT' }), 200);
    t.clock!.advance(t.config.heartbeatTimeoutMs + 1);
    await beat(t.api, B);
    expect((await tick(t.api)).needsReview).toBe(1);
    for (const [status, id] of Object.entries(ids)) expect((await detail(t.api, id)).status).toBe(status);
    return ids;
  };

  it('delivers each outcome once acknowledged, retrying after refusals, signed with CALLBACK_SECRET', async () => {
    const ids = await produceOutcomes();
    await deliverAll(3);

    const acknowledged = receiver.acknowledged().map(parsed);
    expect(acknowledged.map((m) => [m.transactionId, m.status, m.event, m.sequence]).sort()).toEqual(
      Object.entries(ids).map(([status, id]) => [id, status, `transaction.${status}`, 1]).sort(),
    );
    // Every request, refused or not, was signed over its timestamp, delivery id and exact body, and said what it carries.
    expect(receiver.received).toHaveLength(3 + FAIL_FIRST);
    for (const request of receiver.received) {
      expect(verdictOf(request)).toBe('valid');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-merecharge-event']).toBe(parsed(request).event);
    }
    // The refused ones were sent again, the same message under the same delivery id.
    for (const refused of receiver.received.filter((r) => r.answered === 500)) {
      const redelivered = receiver.acknowledged().find((r) => r.headers['x-merecharge-delivery'] === refused.headers['x-merecharge-delivery']);
      expect(redelivered?.body).toBe(refused.body);
    }
  });

  it('waits for the backoff before sending a refused message again', async () => {
    await produceOutcomes();
    expect(await delivery.deliverDue()).toEqual({ delivered: 3 - FAIL_FIRST, failed: FAIL_FIRST });
    expect(await delivery.deliverDue()).toEqual({ delivered: 0, failed: 0 });
    expect(receiver.received).toHaveLength(3);
    t.clock!.advance(PAST_ANY_BACKOFF_MS);
    expect(await delivery.deliverDue()).toEqual({ delivered: FAIL_FIRST, failed: 0 });
  });

  it('never sends an acknowledged message again', async () => {
    await produceOutcomes();
    await deliverAll(3);
    const sent = receiver.received.length;
    for (let pass = 0; pass < 3; pass++) {
      t.clock!.advance(PAST_ANY_BACKOFF_MS);
      expect(await delivery.deliverDue()).toEqual({ delivered: 0, failed: 0 });
    }
    expect(receiver.received).toHaveLength(sent);
  });

  it('sends nothing for steps that are not outcomes (assigned, processing, retry)', async () => {
    await configure(t.api, { maxRetries: 1 });
    await registerBox(t.api, A);
    const { id } = await submit(t.api);
    await claim(t.api, A);
    expectStatus(await report(t.api, id, A, 'processing'), 200);
    expect((await report(t.api, id, A, 'failed')).body.transaction.status).toBe('retry');
    t.clock!.advance(PAST_ANY_BACKOFF_MS);
    expect(await delivery.deliverDue()).toEqual({ delivered: 0, failed: 0 });
    expect(receiver.received).toEqual([]);
  });
});

describe('Outcome callbacks across a restart', () => {
  it('an outcome written before a restart is delivered by the next app', async () => {
    const receiver = await startReceiver(0);
    const db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, MAIN_CALLBACK_URL: receiver.url, CALLBACK_SECRET: SECRET };
    try {
      const first = await createTestApp({ fakeClock: true, env });
      let id: string;
      let completedAt: number;
      try {
        takeOverDelivery(first);
        await registerBox(first.api, A);
        id = (await submit(first.api)).id;
        await claim(first.api, A);
        first.clock!.advance(4_000);
        expectStatus(await report(first.api, id, A, 'completed', { success: true }), 200);
        completedAt = first.clock!.now();
      } finally {
        await first.close();
      }
      expect(receiver.received).toEqual([]);

      const second = await createTestApp({ fakeClock: true, env });
      try {
        const delivery = takeOverDelivery(second);
        second.clock!.set(completedAt);
        expect(await delivery.deliverDue()).toEqual({ delivered: 1, failed: 0 });
        expect(receiver.received).toHaveLength(1);
        const [message] = receiver.received;
        expect(parsed(message)).toMatchObject({ transactionId: id, status: 'completed', sequence: 1, occurredAt: new Date(completedAt).toISOString() });
        expect(message.headers['x-merecharge-timestamp']).toBe(String(Math.floor(completedAt / 1000)));
        expect(verdictOf(message, second.clock!.now())).toBe('valid');
      } finally {
        await second.close();
      }
    } finally {
      await receiver.close();
      await db.drop();
    }
  }, 20_000);
});
