import { Client } from 'pg';
import { createTestApp, TestApp } from '../support/test-app';
import { expectError, expectStatus, paths, registerBox, submit } from './callbox-api';

/**
 * A poll or a report that PostgreSQL rolls back for a passing reason (a deadlock, its backend
 * terminated under it) is run again by the gateway, and answered 503 with Retry-After once the
 * attempts are spent: never a 500. The box's retry of that request then gets its normal answer.
 * The rolled-back unit is forced with a second connection that holds the rows the request needs.
 */
const onPostgres = process.env.TEST_DATABASE_URL?.startsWith('postgres') ? describe : describe.skip;

const BOX = 'callbox_transient';

/** node-postgres keeps the server's pid of a connected client (not in its typings). */
const backendPid = (client: Client) => (client as unknown as { processID: number }).processID;

onPostgres('Transient database errors on a poll or a report (PostgreSQL)', () => {
  let t: TestApp;
  let holder: Client;
  let inspector: Client;

  beforeAll(async () => {
    t = await createTestApp();
    const url = t.config.database.engine === 'postgres' ? t.config.database.url : '';
    inspector = new Client({ connectionString: url });
    await inspector.connect();
  });
  afterAll(async () => {
    await inspector?.end();
    await t?.close();
  });
  beforeEach(async () => {
    holder = new Client({ connectionString: t.config.database.engine === 'postgres' ? t.config.database.url : '' });
    await holder.connect();
    await registerBox(t.api, BOX);
  });
  afterEach(async () => {
    await holder.end();
    // Whatever a case left assigned to the box is settled, so the next case starts empty.
    await inspector.query(`UPDATE transactions SET status = 'completed' WHERE status IN ('pending', 'assigned', 'processing', 'retry')`);
  });

  /**
   * The pid of the gateway backend waiting for a row lock, once there is one: another backend than
   * `previous` (a terminated one is replaced), or one whose statement starts with `statement`.
   */
  async function waitingBackend(previous: number | null = null, statement = ''): Promise<number> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const { rows } = await inspector.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
           AND pid NOT IN ($1, $2) AND query LIKE $3`,
        [backendPid(holder), backendPid(inspector), `${statement}%`],
      );
      const found = rows.map((row) => row.pid).find((pid) => pid !== previous);
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('no gateway backend came to wait for the held lock');
  }

  const holdBox = async () => {
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM callboxes WHERE id = $1 FOR UPDATE', [BOX]);
  };

  /** Terminates the waiting backend `times` times in a row (each retry of the unit comes to wait again). */
  async function terminateWaiters(times: number): Promise<void> {
    let previous: number | null = null;
    for (let i = 0; i < times; i++) {
      previous = await waitingBackend(previous);
      await inspector.query('SELECT pg_terminate_backend($1)', [previous]);
    }
  }

  const poll = () => t.api.get(paths.pending(BOX, 5));

  async function assignedTransaction(): Promise<string> {
    const tx = await submit(t.api);
    const res = await poll();
    expectStatus(res, 200);
    expect(res.body.transactions.map((x: { id: string }) => x.id)).toEqual([tx.id]);
    return tx.id;
  }

  it('a poll whose backend is terminated while it waits for the box is run again and answers 200', async () => {
    const tx = await submit(t.api);
    await holdBox();
    const answer = poll();
    await terminateWaiters(1);
    await waitingBackend(); // the second attempt waits for the box again
    await holder.query('ROLLBACK');
    const res = await answer;
    expectStatus(res, 200);
    expect(res.body.transactions.map((x: { id: string }) => x.id)).toEqual([tx.id]);
  });

  it('a poll that loses its connection on every attempt answers 503 with Retry-After; the next poll gets the work', async () => {
    const tx = await submit(t.api);
    await holdBox();
    const answer = poll();
    await terminateWaiters(3);
    const res = await answer;
    expectError(res, 503, 'DATABASE.UNAVAILABLE');
    expect(res.headers.get('retry-after')).toBe('1');
    await holder.query('ROLLBACK');
    const again = await poll();
    expectStatus(again, 200);
    expect(again.body.transactions.map((x: { id: string }) => x.id)).toEqual([tx.id]);
  });

  it('a report that loses a deadlock is run again and answers 200, journaled once', async () => {
    const txId = await assignedTransaction();
    expectStatus(await t.api.put(paths.status(txId), { status: 'processing', callboxId: BOX }), 200);
    // The holder waits longer than the gateway before looking for a deadlock, so the report is the one rolled back.
    await holder.query(`SET deadlock_timeout = '20s'`);
    await holdBox();
    const report = t.api.put(paths.status(txId), { status: 'failed', callboxId: BOX, result: { success: false, message: 'USSD refusé' } });
    await waitingBackend(); // the report holds the transaction row and waits for the box
    // Granted once the report's first attempt was rolled back as the deadlock's victim.
    await holder.query('SELECT id FROM transactions WHERE id = $1 FOR UPDATE', [txId]);
    // Its second attempt (on the same connection: a deadlock ends the transaction, not the session) waits for the row.
    await waitingBackend(null, 'SELECT * FROM transactions WHERE id');
    await holder.query('ROLLBACK');
    const res = await report;
    expectStatus(res, 200);
    expect(res.body.transaction.status).toBe('retry');
    const { rows } = await inspector.query(`SELECT to_status FROM transaction_events WHERE transaction_id = $1 AND from_status = 'processing'`, [txId]);
    expect(rows).toEqual([{ to_status: 'retry' }]);
  });

  it('a report that loses its connection on every attempt answers 503; sent again it settles the transaction once', async () => {
    const txId = await assignedTransaction();
    expectStatus(await t.api.put(paths.status(txId), { status: 'processing', callboxId: BOX }), 200);
    await holdBox();
    const completed = { status: 'completed', callboxId: BOX, result: { success: true, transactionRef: 'MTN42', message: 'ok' } };
    const answer = t.api.put(paths.status(txId), completed);
    await terminateWaiters(3);
    const res = await answer;
    expectError(res, 503, 'DATABASE.UNAVAILABLE');
    expect(res.headers.get('retry-after')).toBe('1');
    await holder.query('ROLLBACK');
    const again = await t.api.put(paths.status(txId), completed);
    expectStatus(again, 200);
    expect(again.body.transaction.status).toBe('completed');
    const repeat = await t.api.put(paths.status(txId), completed);
    expectStatus(repeat, 200);
    const { rows } = await inspector.query(`SELECT COUNT(*)::int AS n FROM transaction_events WHERE transaction_id = $1 AND to_status = 'completed'`, [
      txId,
    ]);
    expect(rows[0].n).toBe(1);
  });
});
