import { Client } from 'pg';
import { PostgresWorkBus, WorkBus } from '../../src/callbox/long-poll/work-bus';
import { WorkSignalSql } from '../../src/callbox/long-poll/work-signal.statements';
import { createTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { detail } from '../sync/sync-api';
import { claim, expectStatus, paths, registerBox, submit } from './callbox-api';
import { heldCount, holdPoll, until, untilHeld } from './long-poll-api';

const WAIT_MS = 20_000;
const ids = (answer: { body: { transactions: Array<{ id: string }> } } | null) => answer?.body.transactions.map((x) => x.id) ?? [];

describe('Long polling: clients that leave, shutdown, concurrency', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => t.close());

  it('a held poll whose client hung up claims nothing: the work waits for a box that is there', async () => {
    for (const id of ['callbox_001', 'callbox_002', 'callbox_003']) await registerBox(t.api, id);
    const held = ['callbox_001', 'callbox_002'].map((id) => holdPoll(t, id, WAIT_MS));
    await untilHeld(t, 2);
    for (const poll of held) poll.drop();
    await untilHeld(t, 0);
    const tx = await submit(t.api);
    expect((await detail(t.api, tx.id)).status).toBe('pending');
    expect(ids(await claim(t.api, 'callbox_003').then((body) => ({ body })))).toEqual([tx.id]);
  });

  it('connections dropped while the work arrives: each transaction reaches exactly one box, the first poll after gets it', async () => {
    const boxes = ['callbox_001', 'callbox_002', 'callbox_003', 'callbox_004'];
    for (const id of boxes) await registerBox(t.api, id);
    const submitted: string[] = [];
    const deliveries = new Map<string, string[]>();
    for (let round = 0; round < 5; round++) {
      const held = boxes.map((id) => holdPoll(t, id, WAIT_MS));
      await untilHeld(t, boxes.length);
      // The drop and the submit race: a woken poll may claim just before or after its client left.
      const [tx] = await Promise.all([submit(t.api), Promise.resolve().then(() => held.forEach((poll) => poll.drop()))]);
      submitted.push(tx.id);
      await until(() => heldCount(t) === 0, 15_000, 'every dropped poll to end');
      // Each box polls again: what it claimed before its client left comes back first; else it claims what is pending.
      for (const id of boxes) {
        for (const got of (await claim(t.api, id)).transactions) {
          deliveries.set(got.id, [...(deliveries.get(got.id) ?? []), id]);
          expectStatus(await t.api.put(paths.status(got.id), { status: 'completed', callboxId: id, attempt: got.attempt }), 200);
        }
      }
    }
    expect([...deliveries.keys()].sort()).toEqual([...submitted].sort());
    expect([...deliveries.values()].filter((by) => by.length !== 1)).toEqual([]);
  });

  it('app.close (the SIGTERM path) answers every held poll empty at once', async () => {
    for (const id of ['callbox_001', 'callbox_002', 'callbox_003']) await registerBox(t.api, id);
    const held = ['callbox_001', 'callbox_002', 'callbox_003'].map((id) => holdPoll(t, id, WAIT_MS));
    await untilHeld(t, 3);
    const began = Date.now();
    const closing = t.app.close();
    const answers = await Promise.all(held.map((poll) => poll.answer));
    await closing;
    for (const answer of answers) {
      expect(answer!.status).toBe(200);
      expect(answer!.body).toMatchObject({ success: true, transactions: [], count: 0 });
      expect(answer!.at - began).toBeLessThan(WAIT_MS);
    }
    // afterEach closes again: a second close is harmless.
  });

  it('two boxes long-polling, many submits: every transaction reaches exactly one box', async () => {
    await registerBox(t.api, 'callbox_001');
    await registerBox(t.api, 'callbox_002');
    const received = new Map<string, string[]>();
    let running = true;
    const loop = async (callboxId: string) => {
      while (running) {
        const answer = await holdPoll(t, callboxId, 2_000, 5).answer;
        for (const tx of answer?.body.transactions ?? []) {
          received.set(tx.id, [...(received.get(tx.id) ?? []), callboxId]);
          expectStatus(await t.api.put(paths.status(tx.id), { status: 'completed', callboxId, attempt: tx.attempt }), 200);
        }
      }
    };
    const loops = [loop('callbox_001'), loop('callbox_002')];
    const submitted = (await Promise.all(Array.from({ length: 40 }, () => submit(t.api)))).map((tx) => tx.id as string);
    await until(() => submitted.every((id) => received.has(id)), 30_000, 'every transaction to reach a box');
    running = false;
    await Promise.all(loops);
    expect([...received.values()].filter((by) => by.length !== 1)).toEqual([]);
    expect([...received.keys()].sort()).toEqual([...submitted].sort());
  });
});

const onPostgres = /^postgres(ql)?:\/\//.test(process.env.TEST_DATABASE_URL ?? '') ? describe : describe.skip;

onPostgres('Long polling across replicas (PostgreSQL LISTEN/NOTIFY)', () => {
  let db: TestDatabase;
  let replicas: TestApp[];
  beforeEach(async () => {
    db = await createTestDatabase();
    replicas = [];
    for (let i = 0; i < 2; i++) replicas.push(await createTestApp({ env: { DATABASE_URL: db.url } }));
  });
  afterEach(async () => {
    for (const replica of replicas) await replica.close();
    await db.drop();
  });

  it('a submit on one replica wakes a box held on the other', async () => {
    const [a, b] = replicas;
    await registerBox(b.api, 'callbox_001');
    const held = holdPoll(b, 'callbox_001', WAIT_MS);
    await untilHeld(b, 1);
    const submittedAt = Date.now();
    const tx = await submit(a.api);
    const answer = await held.answer;
    expect(ids(answer)).toEqual([tx.id]);
    expect(answer!.at - submittedAt).toBeLessThan(WAIT_MS);
  });

  it('listens again after losing its listening connection, and wakes across replicas again', async () => {
    const [a, b] = replicas;
    const bus = b.app.get(WorkBus) as PostgresWorkBus;
    await until(() => bus.listening, 15_000, 'the listener');
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = current_database() AND query = $1", [WorkSignalSql.listen]);
      expect(rows.length).toBeGreaterThanOrEqual(2);
    } finally {
      await client.end();
    }
    await until(() => !bus.listening, 15_000, 'the loss to be noticed');
    await until(() => bus.listening, 15_000, 'the listener to come back');
    await registerBox(b.api, 'callbox_001');
    const held = holdPoll(b, 'callbox_001', WAIT_MS);
    await untilHeld(b, 1);
    const submittedAt = Date.now();
    const tx = await submit(a.api);
    const answer = await held.answer;
    expect(ids(answer)).toEqual([tx.id]);
    expect(answer!.at - submittedAt).toBeLessThan(WAIT_MS);
  });
});
