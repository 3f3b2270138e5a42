import { performance } from 'node:perf_hooks';
import { openTestDatabase } from '../../test/support/test-database';
import { SqlOutcomeOutbox } from '../callbacks/sql-outcome-outbox';
import { SqlCallBoxRepository } from '../callbox/registry/sql-callbox.repository';
import type { AppConfig } from '../config/app-config';
import type { Database } from '../database/database';
import { statement } from '../database/statement';
import { SqlCommandJournal } from '../topup/journal/sql-command-journal';
import { IDLE_ANSWER_MAX_AGE_MS, SqlTransactionRepository } from './sql-transaction.repository';
import type { NewTransaction, Transaction, TransactionType } from './transaction';
import type { BoxClaim, DispatchRound } from './transaction.repository';
import { TransactionTransitions } from './transaction-transitions';

const T = 1_700_000_000_000;
const LEASE_MS = 60_000;
const TYPES: readonly TransactionType[] = ['recharge'];

const newTransaction = (payItemId: string): NewTransaction => ({
  type: 'recharge',
  phoneNumber: '+237677123456',
  amount: 1000,
  payItemId,
  customerInfo: { operator: 'MTN' },
  priority: 'normal',
  maxRetries: 3,
  source: 'main',
});

/**
 * The persistence contract the services rely on, run against the engine under test (SQLite, or
 * PostgreSQL with TEST_DATABASE_URL: CI runs every `*.db.spec.ts` on both): idempotent creates,
 * transitions and their consequences in one unit, claims and dispatch rounds that hand each
 * transaction to exactly one box however they race, sweeps, and the TopUp command journal.
 */
describe('Transaction persistence contract', () => {
  let db: Database;
  let close: () => Promise<void>;
  let sut: SqlTransactionRepository;
  let boxes: SqlCallBoxRepository;

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
    const outbox = new SqlOutcomeOutbox(db, { callback: { url: 'http://127.0.0.1:9/hook', secret: 'contract-secret' } } as AppConfig);
    sut = new SqlTransactionRepository(db, outbox, new TransactionTransitions());
    boxes = new SqlCallBoxRepository(db);
  });
  afterAll(() => close());
  beforeEach(async () => {
    for (const table of ['transaction_events', 'outbox', 'transactions', 'callbox_events', 'callboxes', 'topup_command_journal']) {
      await db.unit(statement(`DELETE FROM ${table}`));
    }
  });

  const register = (id: string, maxConcurrent = 50) =>
    boxes.register({ id, maxConcurrent, supportedTypes: ['recharge'], operators: null, version: null, location: null }, T);
  const queue = async (count: number, prefix = 'item') => {
    const created: Transaction[] = [];
    for (let i = 0; i < count; i++) created.push((await sut.create(newTransaction(`${prefix}-${i}`), 'main-system', T + i)).transaction);
    return created;
  };
  const claimFor = (callboxId: string, limit: number): BoxClaim => ({
    callboxId,
    lockBox: (unit) => boxes.lockForClaim(unit, callboxId),
    limit,
    maxConcurrent: 50,
    types: TYPES,
    operators: null,
    freshSince: () => 0,
    leaseMs: LEASE_MS,
    now: T + 10_000,
  });
  const assignmentsOf = async () =>
    db.read<{ transaction_id: string; actor: string }>(
      statement(`SELECT transaction_id, actor FROM transaction_events WHERE from_status = 'pending' AND to_status = 'assigned'`),
    );

  describe('create', () => {
    const key = { key: 'scope:order-1', clientKey: 'order-1', requestHash: 'hash-a' };

    it('writes a pending transaction and its creation event', async () => {
      const { transaction, created } = await sut.create(newTransaction('one'), 'main-system', T);
      expect(created).toBe(true);
      expect(transaction).toMatchObject({ status: 'pending', attempt: 0, assignedTo: null });
      await expect(sut.findById(transaction.id)).resolves.toEqual(transaction);
      expect((await sut.listEvents(transaction.id)).map((e) => [e.from, e.to])).toEqual([[null, 'pending']]);
    });

    it('answers a repeated key with the first transaction, and refuses it for another request', async () => {
      const first = await sut.create(newTransaction('keyed'), 'main-system', T, key);
      const again = await sut.create(newTransaction('keyed'), 'main-system', T + 1, key);
      expect(again).toEqual({ transaction: first.transaction, created: false });
      await expect(sut.create(newTransaction('other'), 'main-system', T + 2, { ...key, requestHash: 'hash-b' })).rejects.toMatchObject({
        code: 'IDEMPOTENCY.KEY_REUSED',
      });
    });

    it('creates one transaction for racing requests with one key', async () => {
      const answers = await Promise.all(Array.from({ length: 10 }, () => sut.create(newTransaction('raced'), 'main-system', T, key)));
      expect(new Set(answers.map((a) => a.transaction.id)).size).toBe(1);
      expect(answers.filter((a) => a.created)).toHaveLength(1);
    });
  });

  describe('transition', () => {
    it('applies the planned step with its event and runs the consequence in the same unit', async () => {
      const [tx] = await queue(1);
      const outcome = await sut.transition(
        tx.id,
        (current) => ({ to: 'expired', patch: {}, actor: 'dispatcher', at: T + 5, details: { from: current.status } }),
        async (unit) => (await unit.run(statement('SELECT COUNT(*) AS n FROM outbox WHERE transaction_id = ?', [tx.id]))).rows,
      );
      expect(outcome).toMatchObject({ changed: true, transaction: { status: 'expired', updatedAt: T + 5 } });
      // The outcome's outbox message is written in the unit, before the consequence reads it.
      expect(Number((outcome.consequence as Array<{ n: unknown }>)[0].n)).toBe(1);
      expect((await sut.listEvents(tx.id)).map((e) => e.to)).toEqual(['pending', 'expired']);
    });

    it('writes nothing when the plan says nothing, or when the consequence fails', async () => {
      const [tx] = await queue(1);
      await expect(sut.transition(tx.id, () => null)).resolves.toMatchObject({ changed: false, transaction: { status: 'pending' } });
      const failing = sut.transition(
        tx.id,
        () => ({ to: 'expired', patch: {}, actor: 'dispatcher', at: T + 5, details: null }),
        async () => {
          throw new Error('the consequence failed');
        },
      );
      await expect(failing).rejects.toThrow('the consequence failed');
      await expect(sut.findById(tx.id)).resolves.toMatchObject({ status: 'pending' });
      expect(await sut.listEvents(tx.id)).toHaveLength(1);
    });

    it('refuses an unknown transaction', async () => {
      await expect(sut.transition('tx_unknown', () => null)).rejects.toMatchObject({ code: 'TRANSACTION.NOT_FOUND' });
    });
  });

  describe('claims and dispatch rounds', () => {
    it('hands each transaction to exactly one box when boxes claim at once', async () => {
      const ids = ['box-a', 'box-b', 'box-c', 'box-d', 'box-e'];
      for (const id of ids) await register(id);
      await queue(60);
      const answers = await Promise.all(ids.flatMap((id) => [sut.claimForBox(claimFor(id, 10)), sut.claimForBox(claimFor(id, 10))]));
      const handed = answers.flat().filter((tx) => tx.attempt === 1);
      const byTransaction = new Map<string, Set<string>>();
      for (const tx of handed) byTransaction.set(tx.id, new Set([...(byTransaction.get(tx.id) ?? []), tx.assignedTo!]));
      expect([...byTransaction.values()].filter((holders) => holders.size !== 1)).toEqual([]);
      const assignments = await assignmentsOf();
      expect(new Set(assignments.map((a) => a.transaction_id)).size).toBe(assignments.length);
      expect(assignments.length).toBe(50);
    });

    it('hands each transaction to exactly one box when a dispatch round races the polls', async () => {
      const ids = ['box-a', 'box-b', 'box-c'];
      for (const id of ids) await register(id);
      const queued = await queue(40);
      const round: DispatchRound = {
        callboxIds: ids,
        lockBoxes: (unit) => boxes.lockForRound(unit, ids),
        window: () => 40,
        types: TYPES,
        freshSince: () => 0,
        now: T + 10_000,
        actor: 'dispatcher',
        plan: (window) => window.map((tx, i) => ({ transactionId: tx.id, callboxId: ids[i % ids.length], leaseMs: LEASE_MS })),
      };
      await Promise.all([sut.dispatch(round), ...ids.map((id) => sut.claimForBox(claimFor(id, 10))), sut.dispatch(round)]);
      const assignments = await assignmentsOf();
      expect(assignments.map((a) => a.transaction_id).sort()).toEqual(queued.map((tx) => tx.id).sort());
    });

    it('sweeps only what matches, at most the limit, each move with its event', async () => {
      await register('box-a');
      await queue(5);
      await sut.claimForBox(claimFor('box-a', 5));
      const moved = await sut.sweep({
        from: 'assigned',
        to: 'pending',
        match: { assignedToIn: ['box-a'] },
        patch: { assignedTo: null, assignedAt: null, leaseExpiresAt: null },
        actor: 'dispatcher',
        details: { reason: 'contract' },
        now: T + 20_000,
        limit: 3,
      });
      expect(moved).toHaveLength(3);
      expect(moved.every((tx) => tx.status === 'assigned')).toBe(true);
      await expect(sut.countInStatus('pending')).resolves.toBe(3);
      await expect(sut.countAssignedTo('box-a', ['assigned'])).resolves.toBe(2);
    });
  });

  describe('work promised to woken polls (BoxClaim.promised)', () => {
    const claimWith = (callboxId: string, promised: Set<string>, overrides: Partial<BoxClaim> = {}) => {
      const outcomes: unknown[] = [];
      return { claim: { ...claimFor(callboxId, 10), promised, onOutcome: (o) => outcomes.push(o), ...overrides } satisfies BoxClaim, outcomes };
    };

    it('a box whose every claimable transaction is promised opens no unit and takes nothing', async () => {
      await register('box-a');
      const queued = await queue(3);
      const units = jest.spyOn(db, 'unit');
      const { claim, outcomes } = claimWith('box-a', new Set(queued.map((tx) => tx.id)));
      await expect(sut.claimForBox(claim)).resolves.toEqual([]);
      expect(units).not.toHaveBeenCalled();
      expect(outcomes).toEqual([{ claimed: 0, exhausted: true }]);
      await expect(sut.countInStatus('pending')).resolves.toBe(3);
      units.mockRestore();
    });

    it('one claimable transaction not promised, even behind promised ones, and the claim runs as before (head of the queue first)', async () => {
      await register('box-a');
      const queued = await queue(4);
      const { claim } = claimWith('box-a', new Set(queued.slice(0, 3).map((tx) => tx.id)), { limit: 2 });
      const claimed = await sut.claimForBox(claim);
      // The claim itself ignores promises: it takes the head, promised or not.
      expect(claimed.map((tx) => tx.id)).toEqual(queued.slice(0, 2).map((tx) => tx.id));
    });

    it('work of other operators is not what the box may take: the promised work alone decides', async () => {
      await boxes.register({ id: 'box-o', maxConcurrent: 50, supportedTypes: ['recharge'], operators: ['orange'], version: null, location: null }, T);
      await queue(2, 'mtn');
      const orange = (await sut.create({ ...newTransaction('orange'), customerInfo: { operator: 'Orange' } }, 'main-system', T + 5)).transaction;
      const units = jest.spyOn(db, 'unit');
      const { claim, outcomes } = claimWith('box-o', new Set([orange.id]), { operators: ['orange'] });
      await expect(sut.claimForBox(claim)).resolves.toEqual([]);
      expect(units).not.toHaveBeenCalled();
      expect(outcomes).toEqual([{ claimed: 0, exhausted: true }]);
      units.mockRestore();
      // Not promised, it is claimed.
      await expect(sut.claimForBox(claimWith('box-o', new Set(), { operators: ['orange'] }).claim)).resolves.toMatchObject([{ id: orange.id }]);
    });

    it('a box holding assigned work gets it whatever is promised', async () => {
      await register('box-a');
      const [held] = await queue(1, 'held');
      await sut.claimForBox(claimFor('box-a', 1));
      const more = await queue(2, 'more');
      const { claim } = claimWith('box-a', new Set(more.map((tx) => tx.id)));
      const answer = await sut.claimForBox(claim);
      expect(answer.map((tx) => tx.id)).toEqual(expect.arrayContaining([held.id]));
    });
  });

  describe("an idle fleet's polls (on SQLite, answered from memory while no batch ends)", () => {
    const onSqlite = () => db.dialect.engine === 'sqlite';
    const pollAt = (now: number, outcomes: unknown[] = []) => sut.claimForBox({ ...claimFor('box-a', 10), now, onOutcome: (o) => outcomes.push(o) });

    it('finds work created right after a poll that found none, on the next poll', async () => {
      await register('box-a');
      await expect(pollAt(T + 10_000)).resolves.toEqual([]);
      const [tx] = await queue(1);
      await expect(pollAt(T + 10_000)).resolves.toMatchObject([{ id: tx.id, status: 'assigned', assignedTo: 'box-a' }]);
    });

    it('finds work queued after polls that found none while another box held all there was', async () => {
      await register('box-a');
      await register('box-b');
      await queue(1);
      await pollAt(T + 10_000);
      // All the work is held by box-a now: nothing pending, but something assigned.
      await expect(sut.claimForBox({ ...claimFor('box-b', 10) })).resolves.toEqual([]);
      await expect(sut.claimForBox({ ...claimFor('box-b', 10) })).resolves.toEqual([]);
      const [tx] = await queue(1, 'for-b');
      await expect(sut.claimForBox({ ...claimFor('box-b', 10) })).resolves.toMatchObject([{ id: tx.id }]);
    });

    it('after one read that found nothing for anyone, reads nothing until a batch ends or the answer is a second old', async () => {
      await register('box-a');
      // The age is the monotonic clock's (performance.now), whatever the app's clock says.
      let monotonic = 5_000_000;
      const clock = jest.spyOn(performance, 'now').mockImplementation(() => monotonic);
      const reads = jest.spyOn(db, 'read');
      const outcomes: unknown[] = [];
      await expect(pollAt(T + 10_000, outcomes)).resolves.toEqual([]);
      monotonic += 1;
      await expect(pollAt(T - 60_000, outcomes)).resolves.toEqual([]);
      monotonic += IDLE_ANSWER_MAX_AGE_MS - 2;
      await expect(pollAt(T + 10_000, outcomes)).resolves.toEqual([]);
      // On PostgreSQL other replicas write: every poll reads.
      expect(reads).toHaveBeenCalledTimes(onSqlite() ? 1 : 3);
      expect(outcomes).toEqual([0, 1, 2].map(() => ({ claimed: 0, exhausted: true })));
      monotonic += 1;
      await pollAt(T + 10_000, outcomes);
      expect(reads).toHaveBeenCalledTimes(onSqlite() ? 2 : 4);
      // A batch that touches no transaction still ends the answer.
      await register('box-other');
      await pollAt(T + 10_000, outcomes);
      expect(reads).toHaveBeenCalledTimes(onSqlite() ? 3 : 5);
      reads.mockRestore();
      clock.mockRestore();
    });

    /**
     * Expires `txId` in a unit whose consequence polls from inside the batch (where nothing is left
     * for anyone, seemingly), then runs `afterPoll` (which undoes the unit or dooms the COMMIT).
     */
    const pollInsideExpiry = (txId: string, afterPoll: () => void) => {
      let seenInside: Transaction[] | null = null;
      const settled = sut.transition(
        txId,
        () => ({ to: 'expired', patch: {}, actor: 'dispatcher', at: T + 5, details: {} }),
        async () => {
          seenInside = await pollAt(T + 10_000);
          afterPoll();
        },
      );
      return { settled, seen: () => seenInside };
    };

    it('a poll read between two units of a batch, which saw the only pending work gone, is not trusted once that unit is rolled back', async () => {
      if (!onSqlite()) return; // on PostgreSQL a read outside the unit never sees its rows
      await register('box-a');
      const [tx] = await queue(1);
      const inside = pollInsideExpiry(tx.id, () => {
        throw new Error('changed its mind');
      });
      await expect(inside.settled).rejects.toThrow('changed its mind');
      expect(inside.seen()).toEqual([]);
      await expect(pollAt(T + 10_000)).resolves.toMatchObject([{ id: tx.id, status: 'assigned' }]);
    });

    it('a poll read inside a batch whose COMMIT then fails is not trusted: the next poll, at once, finds the work', async () => {
      if (!onSqlite()) return; // on PostgreSQL a read outside the unit never sees its rows
      await register('box-a');
      const [tx] = await queue(1);
      const connection = (db as unknown as { sqliteConnection(): { exec(sql: string): void } }).sqliteConnection();
      const exec = connection.exec.bind(connection);
      let failNextCommit = false;
      const commits = jest.spyOn(connection, 'exec').mockImplementation((sql: string) => {
        if (sql === 'COMMIT' && failNextCommit) {
          failNextCommit = false;
          throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
        }
        return exec(sql);
      });
      const inside = pollInsideExpiry(tx.id, () => (failNextCommit = true));
      await expect(inside.settled).rejects.toThrow('disk I/O error');
      commits.mockRestore();
      expect(inside.seen()).toEqual([]);
      await expect(pollAt(T + 10_000)).resolves.toMatchObject([{ id: tx.id, status: 'assigned' }]);
    });
  });

  describe('TopUp command journal', () => {
    const command = { msisdn: '77123456', transactionId: 'dtapp1', operation: 'recharge_account', requestHash: 'req', pinDigest: 'pin' };

    it('lets the first request run, then answers its recorded outcome, a conflict or a running command', async () => {
      const journal = new SqlCommandJournal(db);
      await expect(journal.begin(command, T)).resolves.toEqual({ kind: 'started' });
      await expect(journal.begin(command, T)).resolves.toEqual({ kind: 'running' });
      await journal.finish('77123456', 'dtapp1', { state: 'done', result: 'executed', httpStatus: 200, response: { ok: true } }, T + 1);
      await expect(journal.begin(command, T + 2)).resolves.toEqual({ kind: 'replay', httpStatus: 200, response: { ok: true } });
      await expect(journal.begin({ ...command, pinDigest: 'other' }, T + 3)).resolves.toEqual({ kind: 'pin_mismatch' });
      await expect(journal.begin({ ...command, requestHash: 'other', pinDigest: 'other' }, T + 3)).resolves.toEqual({ kind: 'conflict' });
      await expect(journal.begin({ ...command, msisdn: '77654321' }, T + 4)).resolves.toEqual({ kind: 'started' });
    });

    it('starts one of many racing requests with one id', async () => {
      const journal = new SqlCommandJournal(db);
      const starts = await Promise.all(Array.from({ length: 10 }, () => journal.begin(command, T)));
      expect(starts.filter((s) => s.kind === 'started')).toHaveLength(1);
    });
  });
});
