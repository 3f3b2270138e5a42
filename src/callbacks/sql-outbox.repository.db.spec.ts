import { openTestDatabase } from '../../test/support/test-database';
import type { Database } from '../database/database';
import { OutboxSequence1732710000000 } from '../migrations/1732710000000-outbox-sequence';
import { statement } from '../database/statement';
import type { DataSource } from 'typeorm';
import { OutboxMessage } from './outbox.repository';
import { SqlOutboxRepository } from './sql-outbox.repository';

const T = 1_700_000_000_000;
const LEASE_MS = 60_000;

/**
 * The outbox hands out a transaction's messages one at a time, in sequence order, whoever claims:
 * the ordering guarantee of the callbacks lives in this claim. Runs on SQLite, or on PostgreSQL
 * with TEST_DATABASE_URL (where several replicas claim at once).
 */
describe(SqlOutboxRepository.name, () => {
  let db: Database;
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let sut: SqlOutboxRepository;

  beforeAll(async () => {
    ({ db, dataSource, close } = await openTestDatabase());
    sut = new SqlOutboxRepository(db);
  });
  afterAll(() => close());
  beforeEach(() => db.unit(statement('DELETE FROM outbox')));

  /** Queues messages of `transactionId` numbered 1..count, all due at `at`. */
  const queue = (transactionId: string, count: number, at = T) =>
    db.unit(async (unit) => {
      for (let sequence = 1; sequence <= count; sequence++) {
        await unit.run(
          statement(
            `INSERT INTO outbox (transaction_id, outcome, payload, state, attempts, next_attempt_at, created_at, sequence)
             VALUES (?, ?, '{}', 'pending', 0, ?, ?, ?)`,
            [transactionId, sequence === count ? 'completed' : 'needs_review', at, at, sequence],
          ),
        );
      }
    });
  const claimed = (messages: OutboxMessage[]) => messages.map((m) => [m.transactionId, m.sequence]).sort();

  it("hands out only each transaction's earliest undelivered message", async () => {
    await queue('tx-a', 3);
    await queue('tx-b', 1);

    const first = await sut.claimDue(T, 50, LEASE_MS);

    expect(claimed(first)).toEqual([
      ['tx-a', 1],
      ['tx-b', 1],
    ]);
    expect(first.find((m) => m.transactionId === 'tx-a')).toMatchObject({ outcome: 'needs_review', attempts: 0, payload: '{}' });
  });

  it('hands out the next message once the earlier one is delivered, not before', async () => {
    await queue('tx-a', 2);
    const [first] = await sut.claimDue(T, 50, LEASE_MS);

    // Leased to a sender: nobody else gets it, and its successor stays back.
    await expect(sut.claimDue(T + 1, 50, LEASE_MS)).resolves.toEqual([]);
    await sut.markDelivered(first.id, T + 2);

    expect(claimed(await sut.claimDue(T + 3, 50, LEASE_MS))).toEqual([['tx-a', 2]]);
  });

  it('keeps the later messages back while the earlier one waits out its backoff after a refusal', async () => {
    await queue('tx-a', 2);
    const [first] = await sut.claimDue(T, 50, LEASE_MS);
    await sut.markFailed(first.id, 'HTTP 302 redirect to elsewhere.example (not followed)', T + 10_000);

    // The later message is due, the earlier one not yet: nothing goes out.
    await expect(sut.claimDue(T + 9_999, 50, LEASE_MS)).resolves.toEqual([]);
    const again = await sut.claimDue(T + 10_000, 50, LEASE_MS);
    expect(again).toEqual([expect.objectContaining({ id: first.id, sequence: 1, attempts: 1 })]);
    await sut.markDelivered(first.id, T + 10_001);
    expect(claimed(await sut.claimDue(T + 10_002, 50, LEASE_MS))).toEqual([['tx-a', 2]]);
  });

  it('gives an expired lease to the next claim, still before any later message', async () => {
    await queue('tx-a', 2);
    const [first] = await sut.claimDue(T, 50, LEASE_MS);

    expect(await sut.claimDue(T + LEASE_MS + 1, 50, LEASE_MS)).toEqual([expect.objectContaining({ id: first.id, sequence: 1 })]);
  });

  it('claims racing at once (several replicas) never hand out one message twice, nor two of one transaction', async () => {
    for (let i = 0; i < 20; i++) await queue(`tx-${String(i).padStart(2, '0')}`, 3);

    for (let sequence = 1; sequence <= 3; sequence++) {
      const rounds = await Promise.all(Array.from({ length: 6 }, () => sut.claimDue(T + sequence, 5, LEASE_MS)));
      const all = rounds.flat();
      expect(new Set(all.map((m) => m.id)).size).toBe(all.length);
      expect(new Set(all.map((m) => m.transactionId)).size).toBe(all.length);
      expect(all.every((m) => m.sequence === sequence)).toBe(true);
      // What the racing claims left (each took 5 or fewer) goes to the next claim: the same rank, nothing later.
      const rest = await sut.claimDue(T + sequence, 50, LEASE_MS);
      expect(rest.every((m) => m.sequence === sequence)).toBe(true);
      expect(all.length + rest.length).toBe(20);
      for (const message of [...all, ...rest]) await sut.markDelivered(message.id, T + sequence);
    }
    await expect(sut.countPending()).resolves.toBe(0);
  });

  it('counts the undelivered messages up to the cap it is given, delivered ones never', async () => {
    for (let i = 0; i < 4; i++) await queue(`tx-${i}`, 3);
    const [delivered] = await sut.claimDue(T, 1, LEASE_MS);
    await sut.markDelivered(delivered.id, T);
    await expect(sut.countPending()).resolves.toBe(11);
    await expect(sut.countPending(100)).resolves.toBe(11);
    // A backlog past the cap reads the cap: a scrape's count stops there, however long the backlog.
    await expect(sut.countPending(5)).resolves.toBe(5);
  });

  it('numbers the messages written before the migration in the order they were written', async () => {
    const migration = new OutboxSequence1732710000000();
    const runner = dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      for (const [tx, outcome] of [['old-a', 'needs_review'], ['old-b', 'completed'], ['old-a', 'completed'], ['old-a', 'failed']]) {
        await db.unit(
          statement(`INSERT INTO outbox (transaction_id, outcome, payload, state, attempts, next_attempt_at, created_at) VALUES (?, ?, '{}', 'pending', 0, ?, ?)`, [
            tx,
            outcome,
            T,
            T,
          ]),
        );
      }
      await migration.up(runner);
    } finally {
      await runner.release();
    }

    const rows = await db.read<{ transaction_id: string; outcome: string; sequence: unknown }>(
      statement('SELECT transaction_id, outcome, sequence FROM outbox ORDER BY id'),
    );
    expect(rows.map((r) => [r.transaction_id, r.outcome, Number(r.sequence)])).toEqual([
      ['old-a', 'needs_review', 1],
      ['old-b', 'completed', 1],
      ['old-a', 'completed', 2],
      ['old-a', 'failed', 3],
    ]);
  });
});
