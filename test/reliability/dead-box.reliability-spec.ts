import { audit, printSkipped, printSummary } from './support/audit';
import { createPostgresDatabase, createSqliteDatabase, NO_POSTGRES, postgresServer, ScenarioDatabase } from './support/databases';
import { ClientLedger, Fleet, waitFor } from './support/fleet';
import { HttpClient } from './support/http';
import { createApp, ManagedProcess, RELIABILITY_API_KEY, RELIABILITY_CALLBOX_TOKEN, sleep, stopAll } from './support/processes';

/**
 * Item 3: a box dies while processing. What it had started goes to needs_review (the carrier may
 * have run it) and is never dispatched again; what it held without starting goes back to the
 * queue and is completed by other boxes. Later the same box comes back and settles one of its
 * needs_review transactions itself, which the lifecycle allows.
 * On PostgreSQL with two replicas when TEST_DATABASE_URL names a server, and always on SQLite.
 */
const TRANSACTIONS = 150;
const HEALTHY_BOXES = 8;
const VICTIM = 'rel_victim';
const STARTED_BY_VICTIM = 2;
const SYNC_INTERVAL_MS = 300;
const ENV = {
  SYNC_INTERVAL_MS: String(SYNC_INTERVAL_MS),
  SYNC_AUTOSTART_DELAY_MS: '0',
  HEARTBEAT_TIMEOUT_MS: '3000',
  TRANSACTION_TIMEOUT_MS: '120000',
};

const engines: Array<{ engine: 'postgres' | 'sqlite'; replicas: number }> = [{ engine: 'sqlite', replicas: 1 }];
if (postgresServer()) engines.unshift({ engine: 'postgres', replicas: 2 });
else printSkipped('dead-box-postgres', NO_POSTGRES);

describe.each(engines)('Reliability: a box dies while processing ($engine, $replicas replica(s))', ({ engine, replicas }) => {
  const name = `dead-box-${engine}`;
  let db: ScenarioDatabase;
  let apps: ManagedProcess[] = [];
  beforeAll(async () => {
    db = engine === 'postgres' ? await createPostgresDatabase('deadbox') : createSqliteDatabase();
    for (let i = 0; i < replicas; i++) {
      const app = await createApp({ name: `${engine}-${i}`, databaseUrl: db.url, env: ENV });
      await app.start();
      apps.push(app);
    }
  }, 90_000);
  afterAll(async () => {
    await stopAll();
    await db?.drop();
    apps = [];
  }, 30_000);

  it('sets its started work aside for review, never dispatches it again, and gives its unstarted work to others', async () => {
    const began = Date.now();
    const deadline = began + 90_000;
    const probe = db.probe();
    const client = new HttpClient(64);
    const ledger = new ClientLedger();
    const fleet = new Fleet({ client, endpoints: () => apps.map((a) => a.url), token: RELIABILITY_CALLBOX_TOKEN, ledger, deadline, heartbeatEveryMs: 500 });
    const healthy = Array.from({ length: HEALTHY_BOXES }, (_, i) => `rel_healthy_${i + 1}`);
    await fleet.register(VICTIM);
    for (const box of healthy) await fleet.register(box);
    await fleet.submit(`${name}-${Date.now()}`, Array.from({ length: TRANSACTIONS }, (_, i) => i), 10);

    // The victim takes a full batch, starts two (runs their USSD), and dies: no report, no heartbeat.
    const batch = await fleet.poll(VICTIM, 5);
    expect(batch.status).toBe(200);
    const taken: string[] = batch.body.transactions.map((tx: { id: string }) => tx.id);
    for (const id of taken) ClientLedger.push(ledger.deliveredTo, id, VICTIM);
    expect(taken.length).toBe(5);
    const started = taken.slice(0, STARTED_BY_VICTIM);
    for (const id of started) {
      const res = await fleet.report(VICTIM, id, 'processing');
      expect(res.status).toBe(200);
      ClientLedger.push(ledger.executedBy, id, VICTIM);
    }
    const diedAt = Date.now();

    for (const box of healthy) fleet.startBox(box);
    // Everything else completed, the victim's started work set aside once the victim is found silent.
    const settled = await waitFor(async () => {
      const rows = await probe.query<{ status: string; n: unknown }>('SELECT status, COUNT(*) AS n FROM transactions GROUP BY status');
      const counts = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
      return counts.needs_review === STARTED_BY_VICTIM && counts.completed === TRANSACTIONS - STARTED_BY_VICTIM;
    }, deadline);
    const detectedMs = Date.now() - diedAt;
    const held: string[] = (
      await probe.query<{ transaction_id: string }>(
        `SELECT DISTINCT transaction_id FROM transaction_events WHERE to_status = 'assigned' AND (actor = ? OR details LIKE ?)`,
        [`callbox:${VICTIM}`, `%"callboxId":"${VICTIM}"%`],
      )
    )
      .map((r) => r.transaction_id)
      .filter((id) => !started.includes(id));

    // Boxes keep polling and the dispatcher keeps ticking: the work in review must stay where it is.
    const leaderTicks = async () => {
      const all = await Promise.all(apps.map((a) => client.request(a.url, 'GET', '/api/sync/status', { headers: { 'x-api-key': RELIABILITY_API_KEY } })));
      return all.reduce((sum, res) => sum + Number(res.body.status.totalRuns), 0);
    };
    const ticksBefore = await leaderTicks();
    await sleep(6 * SYNC_INTERVAL_MS);
    const ticksDuring = (await leaderTicks()) - ticksBefore;
    await fleet.stop();

    const report = await audit(probe, ledger);
    const statusOf = async (id: string) => (await probe.query<{ status: string; assigned_to: string }>('SELECT status, assigned_to FROM transactions WHERE id = ?', [id]))[0];
    const eventsOf = (id: string) =>
      probe.query<{ from_status: string | null; to_status: string; actor: string }>(
        'SELECT from_status, to_status, actor FROM transaction_events WHERE transaction_id = ? ORDER BY id',
        [id],
      );

    expect(settled).toBe(true);
    expect(ticksDuring).toBeGreaterThanOrEqual(3);
    for (const id of started) {
      expect(await statusOf(id)).toEqual({ status: 'needs_review', assigned_to: VICTIM });
      const events = await eventsOf(id);
      // Its last move is the dispatcher setting it aside: no assignment, no requeue afterwards.
      expect(events.at(-1)).toEqual({ from_status: 'processing', to_status: 'needs_review', actor: 'dispatcher' });
      expect(events.filter((e) => e.to_status === 'assigned')).toHaveLength(1);
      expect(ledger.deliveredTo.get(id)).toEqual([VICTIM]);
      expect(ledger.executedBy.get(id)).toEqual([VICTIM]);
    }
    expect(held.length).toBeGreaterThanOrEqual(taken.length - STARTED_BY_VICTIM);
    for (const id of held) {
      const row = await statusOf(id);
      expect(row.status).toBe('completed');
      expect(row.assigned_to).not.toBe(VICTIM);
      const events = await eventsOf(id);
      expect(events).toContainEqual({ from_status: 'assigned', to_status: 'pending', actor: 'dispatcher' });
      expect(ledger.executedBy.get(id)).toEqual([row.assigned_to]);
    }
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.eventProblems).toEqual([]);
    expect(ledger.anomalies).toEqual([]);

    // The box comes back: its reviewed work is not handed out again, but it may settle it itself.
    expect((await fleet.heartbeat(VICTIM)).status).toBe(200);
    const again = await fleet.poll(VICTIM, 5);
    expect(again.status).toBe(200);
    expect(again.body.transactions.map((tx: { id: string }) => tx.id)).not.toEqual(expect.arrayContaining([started[0]]));
    const settledByBox = await fleet.report(VICTIM, started[0], 'completed', { success: true, transactionRef: 'REF_LATE' });
    expect(settledByBox.status).toBe(200);
    expect(settledByBox.body.transaction.status).toBe('completed');
    expect(await statusOf(started[1])).toEqual({ status: 'needs_review', assigned_to: VICTIM });
    const final = await audit(probe, ledger);
    expect(final.eventProblems).toEqual([]);
    client.close();

    printSummary(name, {
      requests: client.sent,
      transactions: final.transactions,
      lost: final.lost.length,
      duplicated: final.duplicated.length,
      '5xx': client.serverErrors,
      needsReview: STARTED_BY_VICTIM,
      requeuedToOthers: held.length,
      detectedMs,
      ticksAfter: ticksDuring,
      seconds: ((Date.now() - began) / 1000).toFixed(1),
    });
    expect(client.serverErrors).toBe(0);
  }, 150_000);
});
