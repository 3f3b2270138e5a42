import { CallbackDeliveryService } from '../../src/callbacks/callback-delivery.service';
import { verifyCallback } from '../../src/callbacks/callback-signature';
import { OutboxRepository } from '../../src/callbacks/outbox.repository';
import { claim, expectStatus, registerBox, report, submit } from '../callbox/callbox-api';
import type { ApiClient } from '../support/api-client';
import { createTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { Answer, CallbackReceiver, RECEIVER_PATH, Received, startReceiver, takeOverDelivery } from './callback-receiver';
import { beat, syncPaths, tick } from './sync-api';

/**
 * Issue 20 item 5: a redirect is never a delivery, and one transaction's messages reach the main
 * system strictly in order (numbered by `sequence`), across passes and across replicas.
 */
const SECRET = 'test-callback-secret-0123456789';
const PAST_ANY_BACKOFF_MS = 11 * 60_000;
const onPostgres = /^postgres(ql)?:\/\//.test(process.env.TEST_DATABASE_URL ?? '') ? describe : describe.skip;

type Message = { transactionId: string; status: string; sequence: number };
const parsed = (r: Received) => JSON.parse(r.body) as Message;
const posts = (receiver: CallbackReceiver) => receiver.received.filter((r) => r.method === 'POST' && r.path === RECEIVER_PATH);
const signedAtItsTimestamp = (r: Received) =>
  verifyCallback({
    secret: SECRET,
    timestamp: r.headers['x-merecharge-timestamp'],
    delivery: r.headers['x-merecharge-delivery'],
    signature: r.headers['x-merecharge-signature'],
    body: r.body,
    nowMs: Number(r.headers['x-merecharge-timestamp']) * 1000,
  });

/**
 * Broken promises of order in what the receiver saw: a message sent while an earlier one of its
 * transaction was not yet acknowledged, or acknowledgements out of sequence.
 */
function orderProblems(receiver: CallbackReceiver): string[] {
  const problems: string[] = [];
  const acknowledgedUpTo = new Map<string, number>();
  for (const request of posts(receiver)) {
    const { transactionId, sequence } = parsed(request);
    const upTo = acknowledgedUpTo.get(transactionId) ?? 0;
    if (sequence > upTo + 1) problems.push(`${transactionId}: #${sequence} sent before #${upTo + 1} was acknowledged`);
    if (request.answered >= 200 && request.answered < 300 && sequence === upTo + 1) acknowledgedUpTo.set(transactionId, sequence);
  }
  return problems;
}

/** Boxes take `count` transactions, start them, and go silent: the tick sets them all aside for review. */
async function inReview(t: TestApp, count: number, clocks: TestApp[] = [t]): Promise<string[]> {
  const ids: string[] = [];
  const boxes = Array.from({ length: Math.ceil(count / 5) }, (_, i) => `callbox_${String(i + 1).padStart(3, '0')}`);
  for (const box of boxes) await registerBox(t.api, box);
  for (let i = 0; i < count; i++) ids.push((await submit(t.api, { payItemId: `ORDER_${i}` })).id);
  for (const box of boxes) {
    for (const tx of (await claim(t.api, box)).transactions) expectStatus(await report(t.api, tx.id, box, 'processing'), 200);
  }
  await registerBox(t.api, 'callbox_alive');
  for (const app of clocks) app.clock!.advance(t.config.heartbeatTimeoutMs + 1);
  await beat(t.api, 'callbox_alive');
  expect((await tick(t.api)).needsReview).toBe(count);
  return ids;
}

const resolveCompleted = async (api: ApiClient, id: string) =>
  expectStatus(await api.post(syncPaths.resolve(id), { outcome: 'completed', note: 'vérifié' }, { auth: 'admin' }), 200);

describe('Outcome callbacks: redirects and order', () => {
  let receiver: CallbackReceiver;
  let t: TestApp;
  let delivery: CallbackDeliveryService;

  const boot = async (answer: Answer) => {
    receiver = await startReceiver(answer);
    t = await createTestApp({ fakeClock: true, env: { MAIN_CALLBACK_URL: receiver.url, CALLBACK_SECRET: SECRET, MAX_RETRIES: '0' } });
    delivery = takeOverDelivery(t);
  };
  afterEach(async () => {
    await t?.close();
    await receiver?.close();
  });

  it.each([302, 307])('counts a %i as a failed attempt, never follows it, and delivers once the receiver answers 2xx', async (status) => {
    // A follower would reach /elsewhere, which answers 200 to anything.
    await boot((_request, before) => (before.length === 0 ? { status, headers: { location: `${receiver.url.replace(RECEIVER_PATH, '')}/elsewhere` } } : { status: 200 }));
    await registerBox(t.api, 'callbox_001');
    const { id } = await submit(t.api);
    await claim(t.api, 'callbox_001');
    expectStatus(await report(t.api, id, 'callbox_001', 'completed', { success: true, transactionRef: 'MTN1' }), 200);
    const outbox = t.app.get(OutboxRepository);

    await expect(delivery.deliverDue()).resolves.toEqual({ delivered: 0, failed: 1 });
    await expect(outbox.countPending()).resolves.toBe(1);
    // Not again before its backoff.
    await expect(delivery.deliverDue()).resolves.toEqual({ delivered: 0, failed: 0 });
    t.clock!.advance(PAST_ANY_BACKOFF_MS);
    await expect(delivery.deliverDue()).resolves.toEqual({ delivered: 1, failed: 0 });
    await expect(outbox.countPending()).resolves.toBe(0);

    // Two POSTs of the same message to the receiver's path, nothing anywhere else.
    expect(receiver.received.map((r) => [r.method, r.path, r.answered])).toEqual([
      ['POST', RECEIVER_PATH, status],
      ['POST', RECEIVER_PATH, 200],
    ]);
    const [redirected, acknowledged] = receiver.received;
    expect(acknowledged.headers['x-merecharge-delivery']).toBe(redirected.headers['x-merecharge-delivery']);
    expect(acknowledged.body).toBe(redirected.body);
    expect(parsed(acknowledged)).toMatchObject({ transactionId: id, status: 'completed', sequence: 1 });
  });

  it('holds the completed message back until the refused needs_review one is delivered: needs_review then completed, sequences 1, 2', async () => {
    await boot((_request, before) => ({ status: before.length === 0 ? 503 : 200 }));
    const [id] = await inReview(t, 1);

    await expect(delivery.deliverDue()).resolves.toEqual({ delivered: 0, failed: 1 });
    await resolveCompleted(t.api, id);
    // The completed message is due, its predecessor backing off: nothing goes out, on any pass.
    await expect(delivery.deliverDue()).resolves.toEqual({ delivered: 0, failed: 0 });
    await expect(delivery.deliverDue()).resolves.toEqual({ delivered: 0, failed: 0 });
    expect(receiver.received).toHaveLength(1);

    t.clock!.advance(PAST_ANY_BACKOFF_MS);
    await delivery.deliverBacklog();
    await delivery.deliverBacklog();

    expect(posts(receiver).map((r) => [parsed(r).status, parsed(r).sequence, r.answered])).toEqual([
      ['needs_review', 1, 503],
      ['needs_review', 1, 200],
      ['completed', 2, 200],
    ]);
    // A receiver keeping the last message it acknowledged ends on the real outcome.
    expect(parsed(receiver.acknowledged().at(-1)!)).toMatchObject({ transactionId: id, status: 'completed', sequence: 2 });
    expect(orderProblems(receiver)).toEqual([]);
    for (const request of receiver.received) expect(signedAtItsTimestamp(request)).toBe('valid');
  });

  it('sends a later message only after the earlier one, even when both are due in the same pass', async () => {
    await boot(() => ({ status: 200 }));
    const [id] = await inReview(t, 1);
    await resolveCompleted(t.api, id);

    await delivery.deliverDue();
    await delivery.deliverDue();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.acknowledged().map((r) => [parsed(r).status, parsed(r).sequence])).toEqual([
      ['needs_review', 1],
      ['completed', 2],
    ]);
  });
});

onPostgres('Outcome callbacks from two replicas on one PostgreSQL database', () => {
  const TRANSACTIONS = 15;
  let db: TestDatabase;
  let receiver: CallbackReceiver;
  let replicas: TestApp[] = [];
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    for (const replica of replicas) await replica.close();
    replicas = [];
    await receiver?.close();
    await db.drop();
  });

  it("never delivers a transaction's messages out of order, whichever replica sends them", async () => {
    // Refuses each needs_review message once, redirects every other completed message once.
    const attempted = new Set<string>();
    receiver = await startReceiver((request) => {
      const deliveryId = String(request.headers['x-merecharge-delivery']);
      const first = !attempted.has(deliveryId);
      attempted.add(deliveryId);
      const message = JSON.parse(request.body) as Message;
      if (first && message.status === 'needs_review') return { status: 500 };
      if (first && Number(deliveryId) % 2 === 0) return { status: 302, headers: { location: '/elsewhere' } };
      return { status: 200 };
    });
    const env = { DATABASE_URL: db.url, MAIN_CALLBACK_URL: receiver.url, CALLBACK_SECRET: SECRET, MAX_RETRIES: '0' };
    for (let i = 0; i < 2; i++) replicas.push(await createTestApp({ fakeClock: true, env }));
    const senders = replicas.map(takeOverDelivery);
    const advanceAll = (ms: number) => replicas.forEach((r) => r.clock!.advance(ms));

    const ids = await inReview(replicas[0], TRANSACTIONS, replicas);
    // A third settled before any delivery (both messages due at the first pass), the rest between passes.
    const early = ids.slice(0, 5);
    for (const [i, id] of early.entries()) await resolveCompleted(replicas[i % 2].api, id);
    const tallies = senders.map(() => ({ delivered: 0, failed: 0 }));
    const pass = async () => {
      const results = await Promise.all(senders.map((sender) => sender.deliverDue()));
      results.forEach((r, i) => {
        tallies[i].delivered += r.delivered;
        tallies[i].failed += r.failed;
      });
    };
    await pass();
    for (const [i, id] of ids.slice(5).entries()) {
      await resolveCompleted(replicas[i % 2].api, id);
      if (i % 3 === 0) await pass();
    }
    // Each round one replica alone, then the other, then both at once: on a loaded machine one
    // replica could otherwise win every race for the batch, and the other would never send.
    const passOf = async (i: number) => {
      const r = await senders[i].deliverDue();
      tallies[i].delivered += r.delivered;
      tallies[i].failed += r.failed;
    };
    for (let round = 0; round < 12 && receiver.acknowledged().length < 2 * TRANSACTIONS; round++) {
      advanceAll(PAST_ANY_BACKOFF_MS);
      await passOf(round % 2);
      await passOf((round + 1) % 2);
      await pass();
    }

    const acknowledged = receiver.acknowledged();
    expect(acknowledged).toHaveLength(2 * TRANSACTIONS);
    expect(new Set(acknowledged.map((r) => r.headers['x-merecharge-delivery'])).size).toBe(2 * TRANSACTIONS);
    expect(orderProblems(receiver)).toEqual([]);
    for (const id of ids) {
      expect(acknowledged.map(parsed).filter((m) => m.transactionId === id).map((m) => [m.status, m.sequence])).toEqual([
        ['needs_review', 1],
        ['completed', 2],
      ]);
    }
    // Refusals and redirects happened, only POSTs to the receiver's path arrived, and both replicas sent.
    expect(posts(receiver).filter((r) => r.answered === 500)).toHaveLength(TRANSACTIONS);
    expect(posts(receiver).filter((r) => r.answered === 302).length).toBeGreaterThan(0);
    expect(receiver.received.filter((r) => r.method !== 'POST' || r.path !== RECEIVER_PATH)).toEqual([]);
    expect(tallies.map((t) => t.delivered + t.failed).every((n) => n > 0)).toBe(true);
    for (const request of receiver.received) expect(signedAtItsTimestamp(request)).toBe('valid');
    await expect(replicas[1].app.get(OutboxRepository).countPending()).resolves.toBe(0);
  }, 60_000);
});
