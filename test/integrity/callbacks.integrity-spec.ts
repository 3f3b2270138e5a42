import { createPostgresDatabase, createSqliteDatabase, NO_POSTGRES, postgresServer, ScenarioDatabase } from '../reliability/support/databases';
import { ClientLedger, Fleet, waitFor } from '../reliability/support/fleet';
import { HttpClient } from '../reliability/support/http';
import { createApp, ManagedProcess, RELIABILITY_API_KEY, RELIABILITY_CALLBOX_TOKEN, stopAll } from '../reliability/support/processes';
import { OUTCOMES_PATH, OutcomeReceiver, outOfOrder, startOutcomeReceiver } from './support/outcome-receiver';

/**
 * Issue 20 item 5, with real processes: the main system's endpoint redirects some first attempts
 * (302 and 307 to a page that answers 200 to anything) and refuses every needs_review message the
 * first time. A box dies with work started (needs_review), an admin settles that work while its
 * needs_review message is still refused, and the other boxes complete the rest. Every outcome
 * must reach the receiver once, acknowledged by a 2xx to its own POST, one transaction's messages
 * in sequence order. On SQLite (one process) and on two PostgreSQL replicas.
 */
const SECRET = 'integrity-callback-secret-000001';
const TRANSACTIONS = 60;
const VICTIM = 'int_victim';
const STARTED_BY_VICTIM = 5;
const HEALTHY_BOXES = 4;
const EXPECTED_MESSAGES = TRANSACTIONS + STARTED_BY_VICTIM;
const ENV = {
  SYNC_INTERVAL_MS: '300',
  SYNC_AUTOSTART_DELAY_MS: '0',
  HEARTBEAT_TIMEOUT_MS: '3000',
  TRANSACTION_TIMEOUT_MS: '120000',
  CALLBACK_SECRET: SECRET,
};

const engines: Array<{ engine: 'postgres' | 'sqlite'; replicas: number }> = [{ engine: 'sqlite', replicas: 1 }];
if (postgresServer()) engines.unshift({ engine: 'postgres', replicas: 2 });
else process.stdout.write(`[integrity] callbacks-postgres: skipped (${NO_POSTGRES})\n`);

type OutboxRow = { id: unknown; transaction_id: string; outcome: string; sequence: unknown; state: string; created_at: unknown; delivered_at: unknown };

describe.each(engines)('Integrity: outcome callbacks to a redirecting and refusing receiver ($engine, $replicas replica(s))', ({ engine, replicas }) => {
  const name = `callbacks-${engine}`;
  let db: ScenarioDatabase;
  let receiver: OutcomeReceiver;
  let apps: ManagedProcess[] = [];
  beforeAll(async () => {
    db = engine === 'postgres' ? await createPostgresDatabase('callbacks') : createSqliteDatabase();
    receiver = await startOutcomeReceiver(SECRET, ({ delivery, status, earlierAttempts }) => {
      if (earlierAttempts > 0) return 200;
      if (status === 'needs_review') return 500;
      return [302, 307, 200][Number(delivery) % 3];
    });
    // One after the other, so that two replicas do not race to run the migrations.
    for (let i = 0; i < replicas; i++) {
      const app = await createApp({ name: `${engine}-${i}`, databaseUrl: db.url, env: { ...ENV, MAIN_CALLBACK_URL: receiver.url } });
      await app.start();
      apps.push(app);
    }
  }, 90_000);
  afterAll(async () => {
    await stopAll();
    await receiver?.close();
    await db?.drop();
    apps = [];
  }, 30_000);

  it('delivers every outcome once, in sequence order per transaction, never through a redirect', async () => {
    const deadline = Date.now() + 120_000;
    const probe = db.probe();
    const client = new HttpClient(32);
    const fleet = new Fleet({ client, endpoints: () => apps.map((a) => a.url), token: RELIABILITY_CALLBOX_TOKEN, ledger: new ClientLedger(), deadline, heartbeatEveryMs: 500 });
    const healthy = Array.from({ length: HEALTHY_BOXES }, (_, i) => `int_healthy_${i + 1}`);
    await fleet.register(VICTIM);
    for (const box of healthy) await fleet.register(box);
    await fleet.submit(`${name}-${Date.now()}`, Array.from({ length: TRANSACTIONS }, (_, i) => i), 8);

    // The victim starts a full batch and dies; the others complete the rest.
    const batch = await fleet.poll(VICTIM, STARTED_BY_VICTIM);
    const started: string[] = batch.body.transactions.map((tx: { id: string }) => tx.id);
    expect(started).toHaveLength(STARTED_BY_VICTIM);
    for (const id of started) expect((await fleet.report(VICTIM, id, 'processing')).status).toBe(200);
    for (const box of healthy) fleet.startBox(box);
    const counts = async () => {
      const rows = await probe.query<{ status: string; n: unknown }>('SELECT status, COUNT(*) AS n FROM transactions GROUP BY status');
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    };
    const reviewed = await waitFor(async () => (await counts()).needs_review === STARTED_BY_VICTIM, deadline, 100);

    // Each needs_review message refused once; then an admin settles the work while it backs off.
    const refusedReview = () => new Set(receiver.requests.filter((r) => r.status === 'needs_review' && r.answered === 500).map((r) => r.transactionId));
    const refusedAll = await waitFor(() => refusedReview().size === STARTED_BY_VICTIM, deadline, 50);
    const admin = new HttpClient(4);
    for (const [i, id] of started.entries()) {
      const res = await admin.request(apps[i % apps.length].url, 'POST', `/api/call-box/transactions/${id}/resolve`, {
        json: { outcome: 'completed', note: 'vérifié chez l’opérateur' },
        headers: { 'x-api-key': RELIABILITY_API_KEY },
      });
      expect(res.status).toBe(200);
    }
    admin.close();
    const completedAll = await waitFor(async () => (await counts()).completed === TRANSACTIONS, deadline);
    await fleet.stop();
    client.close();

    const drained = await waitFor(async () => {
      const [row] = await probe.query<{ total: unknown; waiting: unknown }>(
        `SELECT COUNT(*) AS total, SUM(CASE WHEN state = 'delivered' THEN 0 ELSE 1 END) AS waiting FROM outbox`,
      );
      return Number(row.total) === EXPECTED_MESSAGES && Number(row.waiting) === 0;
    }, deadline);

    const rows = (await probe.query<OutboxRow>('SELECT id, transaction_id, outcome, sequence, state, created_at, delivered_at FROM outbox ORDER BY id')).map((r) => ({
      ...r,
      id: String(r.id),
      sequence: Number(r.sequence),
      created_at: Number(r.created_at),
      delivered_at: r.delivered_at === null ? null : Number(r.delivered_at),
    }));
    const finalStatus = new Map(
      (await probe.query<{ id: string; status: string }>('SELECT id, status FROM transactions')).map((tx) => [tx.id, tx.status]),
    );
    const acknowledged = receiver.acknowledged();
    const violations: string[] = [];
    let deliveredOnce = 0;
    for (const row of rows) {
      const acks = acknowledged.filter((r) => r.delivery === row.id);
      if (row.state !== 'delivered') violations.push(`message ${row.id} (${row.transaction_id} #${row.sequence}) not delivered`);
      if (acks.length === 1) deliveredOnce += 1;
      else violations.push(`message ${row.id} acknowledged ${acks.length} times`);
      for (const ack of acks) {
        if (ack.transactionId !== row.transaction_id || ack.status !== row.outcome || ack.sequence !== row.sequence) {
          violations.push(`message ${row.id} arrived as ${ack.transactionId} ${ack.status} #${ack.sequence}`);
        }
      }
    }
    for (const [id, status] of finalStatus) {
      const own = rows.filter((r) => r.transaction_id === id);
      const numbers = own.map((r) => r.sequence).sort((a, b) => a - b);
      if (numbers.join(',') !== own.map((_, i) => i + 1).join(',')) violations.push(`${id}: sequences ${numbers.join(',')}`);
      const last = acknowledged.filter((r) => r.transactionId === id).at(-1);
      if (last?.status !== status) violations.push(`${id}: a receiver keeping the last message ends on ${last?.status}, the transaction is ${status}`);
    }
    const elsewhere = receiver.requests.filter((r) => r.method !== 'POST' || r.path !== OUTCOMES_PATH);
    for (const r of elsewhere) violations.push(`a redirect was followed: ${r.method} ${r.path}`);
    for (const r of receiver.requests.filter((q) => q.signature !== 'valid')) violations.push(`delivery ${r.delivery}: signature ${r.signature}`);
    const disorder = outOfOrder(receiver);
    // The completed message was written while its needs_review one was still refused: the ordering was really put to the test.
    const heldBack = started.filter((id) => {
      const [review, completed] = rows.filter((r) => r.transaction_id === id);
      return review && completed && review.delivered_at !== null && completed.created_at < review.delivered_at;
    }).length;
    const redirected = receiver.requests.filter((r) => r.answered >= 300 && r.answered < 400).length;
    const redirectsLogged = apps.reduce((n, app) => n + app.output(200).split('\n').filter((l) => l.includes('locationHost') && l.includes('127.0.0.1')).length, 0);

    process.stdout.write(
      `[integrity] ${name}: messages=${rows.length} delivered_once=${deliveredOnce} out_of_order=${disorder.length} violations=${violations.length}` +
        ` redirected=${redirected} refused=${receiver.requests.filter((r) => r.answered === 500).length} held_back=${heldBack}` +
        ` redirects_logged=${redirectsLogged} replicas=${replicas}\n`,
    );

    expect({ reviewed, refusedAll, completedAll, drained }).toEqual({ reviewed: true, refusedAll: true, completedAll: true, drained: true });
    expect(disorder).toEqual([]);
    expect(violations).toEqual([]);
    expect(rows).toHaveLength(EXPECTED_MESSAGES);
    expect(deliveredOnce).toBe(EXPECTED_MESSAGES);
    expect(redirected).toBeGreaterThan(0);
    expect(redirectsLogged).toBeGreaterThan(0);
    expect(heldBack).toBeGreaterThan(0);
    expect(fleet.errors).toEqual([]);
    await probe.close();
  }, 180_000);
});
