import type { HttpResult } from '../reliability/support/http';
import { ClientLedger, waitFor } from '../reliability/support/fleet';
import { sleep } from '../reliability/support/processes';
import { DeviceScenario, enginesFor, FailureBudget, printIntegrity } from './support/device-scenario';

/**
 * Issue 20, items 3 and 4, with real processes: boxes that replay their earlier attempts' reports
 * (with and without the attempt number), and boxes that try to skip a retry's backoff by handing
 * the work back. On SQLite (one process) and on two PostgreSQL replicas.
 */
const OK = (status: number) => status >= 200 && status < 300;

describe.each(enginesFor('stale-reports'))('Integrity: replays of stale reports across attempts ($engine, $replicas replica(s))', (engine) => {
  const name = `stale-reports-${engine.engine}`;
  const TRANSACTIONS = 40;
  /** Two boxes: work handed out again often comes back to the box that reported on it before. */
  const BOXES = ['int_replay_1', 'int_replay_2'];
  /** One box's firmware echoes the attempt, the other's does not. */
  const ECHOES = new Set(BOXES.slice(0, 1));
  const s = new DeviceScenario(name, engine, { MAX_RETRIES: '3', RETRY_BASE_DELAY_MS: '200', RETRY_MAX_DELAY_MS: '400' });
  let deadline = 0;
  beforeAll(() => s.start((deadline = Date.now() + 150_000)), 90_000);
  afterAll(() => s.stop(), 30_000);

  it('settles every transaction by its own attempts only: every replay refused, retries counted once per real failure', async () => {
    type Report = { box: string; status: string; attempt: number };
    const history = new Map<string, Report[]>();
    const violations: string[] = [];
    const refused = { stale: 0, processingFirst: 0, otherBox: 0 };
    const budget = new FailureBudget();
    /** Per transaction: failures the gateway charged (answered retry), and the last attempt a poll handed out. */
    const charged = new Map<string, number>();
    const lastAttempt = new Map<string, number>();
    let stopped = false;

    const judge = (what: string, res: HttpResult) => {
      if (OK(res.status)) violations.push(`replay accepted: ${what} -> ${res.status} ${res.text.slice(0, 160)}`);
      else if (res.status === 403) refused.otherBox += 1;
      else if (res.status === 409 && res.body?.code === 'TRANSACTION.STALE_ATTEMPT') refused.stale += 1;
      else if (res.status === 409 && res.body?.code === 'TRANSACTION.PROCESSING_REPORT_REQUIRED') refused.processingFirst += 1;
      else violations.push(`replay ${what}: unexpected ${res.status} ${res.text.slice(0, 160)}`);
    };

    /**
     * Fails the first two attempts when the box can afford it (see FailureBudget), completes the
     * third; before each new attempt, the earlier reports come back.
     */
    const work = async (box: string, tx: { id: string; attempt: number }) => {
      lastAttempt.set(tx.id, Math.max(lastAttempt.get(tx.id) ?? 0, tx.attempt));
      const earlier = history.get(tx.id) ?? [];
      // Replays without a number first, one by one: they land before this attempt starts.
      for (const r of earlier.filter((e) => e.status !== 'processing')) {
        judge(`${r.status} of attempt ${r.attempt} by ${r.box}, no number`, await s.report(r.box, tx.id, r.status));
      }
      // Numbered replays (and a forged earlier completion) race this attempt's start.
      const numbered = earlier.map((r) => ({ what: `${r.status} of attempt ${r.attempt} by ${r.box}`, send: () => s.report(r.box, tx.id, r.status, r.attempt) }));
      if (earlier.length > 0) {
        const last = earlier[earlier.length - 1];
        numbered.push({ what: `completed forged for attempt ${last.attempt} by ${last.box}`, send: () => s.report(last.box, tx.id, 'completed', last.attempt, { success: true }) });
      }
      const echo = ECHOES.has(box) ? tx.attempt : undefined;
      const [started, ...replays] = await Promise.all([s.report(box, tx.id, 'processing', echo), ...numbered.map((n) => n.send())]);
      replays.forEach((res, i) => judge(numbered[i].what, res));
      if (started.status !== 200) return void s.ledger.anomaly(`processing ${tx.id} attempt ${tx.attempt} by ${box}: ${started.status}`);
      history.set(tx.id, [...earlier, { box, status: 'processing', attempt: tx.attempt }]);
      const outcome = tx.attempt < 3 && budget.mayFail(box) ? 'failed' : 'completed';
      const res = await s.report(box, tx.id, outcome, echo, { success: outcome === 'completed', transactionRef: `REF_${tx.id}_${tx.attempt}` });
      if (res.status !== 200) return void s.ledger.anomaly(`${outcome} ${tx.id} attempt ${tx.attempt} by ${box}: ${res.status}`);
      budget.record(box, outcome === 'completed');
      // Failed attempts ran the USSD too, without moving money: the ledger's executions are the ones that did.
      if (outcome === 'completed') ClientLedger.push(s.ledger.executedBy, tx.id, box);
      if (outcome === 'completed') ClientLedger.push(s.ledger.completedBy, tx.id, box);
      if (res.body.transaction.status === 'retry') charged.set(tx.id, (charged.get(tx.id) ?? 0) + 1);
      history.get(tx.id)!.push({ box, status: outcome, attempt: tx.attempt });
    };

    const runBox = async (box: string) => {
      let nextBeat = 0;
      while (!stopped && Date.now() < deadline) {
        if (Date.now() >= nextBeat) {
          await s.fleet.heartbeat(box);
          nextBeat = Date.now() + 1000;
        }
        const polled = await s.fleet.poll(box, 5);
        const transactions: Array<{ id: string; attempt: number }> = polled.status === 200 ? polled.body.transactions : [];
        for (const tx of transactions) await work(box, tx);
        if (transactions.length === 0) await sleep(30);
      }
    };

    for (const box of BOXES) await s.fleet.register(box);
    await s.fleet.submit(`${name}-${Date.now()}`, Array.from({ length: TRANSACTIONS }, (_, i) => i), 8);
    const loops = BOXES.map(runBox);
    const settled = await waitFor(async () => (await s.statusCounts()).completed === TRANSACTIONS, deadline);
    stopped = true;
    await Promise.all(loops);

    const rows = await s.probe.query<{ id: string; status: string; retry_count: unknown; attempt: unknown }>('SELECT id, status, retry_count, attempt FROM transactions');
    const events = await s.events();
    for (const row of rows) {
      const own = events.filter((e) => e.transaction_id === row.id);
      const retries = own.filter((e) => e.to_status === 'retry').length;
      const completion = own.find((e) => e.to_status === 'completed');
      const failures = charged.get(row.id) ?? 0;
      const attempts = lastAttempt.get(row.id) ?? 0;
      if (row.status !== 'completed' || Number(row.retry_count) !== failures || retries !== failures || Number(row.attempt) !== attempts) {
        violations.push(
          `${row.id}: ${row.status}, retryCount ${Number(row.retry_count)}, ${retries} retries, attempt ${Number(row.attempt)} ` +
            `(${failures} real failures, ${attempts} attempts)`,
        );
      }
      if (completion && completion.details?.attempt !== attempts) violations.push(`${row.id}: completed by a report about attempt ${completion.details?.attempt}`);
    }
    const redispatched = [...lastAttempt.values()].filter((n) => n > 1).length;
    const { report, violations: audited } = await s.auditViolations();
    violations.push(...audited);

    printIntegrity(
      name,
      {
        transactions: report.transactions,
        completed: report.byStatus.completed ?? 0,
        redispatched,
        refused_stale_attempt: refused.stale,
        refused_processing_first: refused.processingFirst,
        refused_other_box: refused.otherBox,
        requests: s.client.sent,
        '5xx': s.client.serverErrors,
        replicas: engine.replicas,
      },
      violations,
    );
    expect(settled).toBe(true);
    expect(violations).toEqual([]);
    expect(redispatched).toBeGreaterThan(TRANSACTIONS / 4);
    expect(refused.stale).toBeGreaterThan(0);
    expect(refused.processingFirst).toBeGreaterThan(0);
  }, 200_000);
});

describe.each(enginesFor('retry-hand-back'))('Integrity: handing back retry work ($engine, $replicas replica(s))', (engine) => {
  const name = `retry-hand-back-${engine.engine}`;
  const TRANSACTIONS = 25;
  const MAX_RETRIES = 2;
  const BOXES = ['int_skipper_1', 'int_skipper_2', 'int_skipper_3', 'int_skipper_4'];
  /** One customer in five cannot be served (every attempt fails); the others succeed at once. */
  const hopeless = (tx: { payItemId: string }) => Number(tx.payItemId.split('_').at(-1)) % 5 === 0;
  const s = new DeviceScenario(name, engine, { MAX_RETRIES: String(MAX_RETRIES), RETRY_BASE_DELAY_MS: '1000', RETRY_MAX_DELAY_MS: '2000' });
  let deadline = 0;
  beforeAll(() => s.start((deadline = Date.now() + 150_000)), 90_000);
  afterAll(() => s.stop(), 30_000);

  it('never lets a box skip the backoff: each hand-back of retry work is refused, each retry waits its nextAttemptAt', async () => {
    const violations: string[] = [];
    const budget = new FailureBudget();
    let refused = 0;
    let retried = 0;
    let stopped = false;

    /** Starts, fails (when it can afford to), and at once tries to hand the retry back, with and without the attempt, as the box did. */
    const work = async (box: string, tx: { id: string; attempt: number; payItemId: string }) => {
      if ((await s.report(box, tx.id, 'processing')).status !== 200) return void s.ledger.anomaly(`processing ${tx.id} by ${box} refused`);
      if (!hopeless(tx) || !budget.mayFail(box)) {
        const done = await s.report(box, tx.id, 'completed', undefined, { success: true });
        if (done.status !== 200) return void s.ledger.anomaly(`completed ${tx.id} by ${box}: ${done.status}`);
        ClientLedger.push(s.ledger.executedBy, tx.id, box);
        ClientLedger.push(s.ledger.completedBy, tx.id, box);
        return void budget.record(box, true);
      }
      const failed = await s.report(box, tx.id, 'failed', undefined, { success: false, errorCode: 'USSD_TIMEOUT' });
      if (failed.status !== 200) return void s.ledger.anomaly(`failed ${tx.id} by ${box}: ${failed.status}`);
      budget.record(box, false);
      if (failed.body.transaction.status !== 'retry') return;
      retried += 1;
      for (const attempt of [undefined, tx.attempt]) {
        const back = await s.report(box, tx.id, 'pending', attempt);
        if (back.status === 409) refused += 1;
        else violations.push(`hand-back of retry work ${tx.id} (attempt ${attempt ?? 'not named'}) answered ${back.status}`);
      }
    };
    const runBox = async (box: string) => {
      let nextBeat = 0;
      while (!stopped && Date.now() < deadline) {
        if (Date.now() >= nextBeat) {
          await s.fleet.heartbeat(box);
          nextBeat = Date.now() + 1000;
        }
        const polled = await s.fleet.poll(box, 5);
        const transactions: Array<{ id: string; attempt: number; payItemId: string }> = polled.status === 200 ? polled.body.transactions : [];
        for (const tx of transactions) await work(box, tx);
        if (transactions.length === 0) await sleep(20);
      }
    };

    for (const box of BOXES) await s.fleet.register(box);
    await s.fleet.submit(`${name}-${Date.now()}`, Array.from({ length: TRANSACTIONS }, (_, i) => i), 5);
    const loops = BOXES.map(runBox);
    const settled = await waitFor(async () => {
      const counts = await s.statusCounts();
      return (counts.failed ?? 0) + (counts.completed ?? 0) === TRANSACTIONS;
    }, deadline);
    stopped = true;
    await Promise.all(loops);

    const events = await s.events();
    let earliestFinalMs = Number.POSITIVE_INFINITY;
    for (const id of new Set(events.map((e) => e.transaction_id))) {
      const own = events.filter((e) => e.transaction_id === id);
      own.forEach((e, i) => {
        if (e.from_status === 'retry' && e.actor !== 'dispatcher') violations.push(`${id}: retry left by ${e.actor}`);
        if (e.to_status !== 'retry') return;
        const due = Date.parse(e.details?.nextAttemptAt);
        const release = own[i + 1];
        if (!release || release.to_status !== 'pending' || release.at < due) {
          violations.push(`${id}: retry due ${e.details?.nextAttemptAt} left at ${release ? new Date(release.at).toISOString() : 'never'} to ${release?.to_status}`);
        }
      });
      const final = own.at(-1)!;
      const firstFailure = own.find((e) => e.to_status === 'retry');
      if (firstFailure && final.to_status === 'failed') earliestFinalMs = Math.min(earliestFinalMs, final.at - firstFailure.at);
    }
    const { report, violations: audited } = await s.auditViolations();
    violations.push(...audited);

    printIntegrity(
      name,
      {
        transactions: report.transactions,
        failed: report.byStatus.failed ?? 0,
        completed: report.byStatus.completed ?? 0,
        retries: retried,
        hand_backs_refused: refused,
        fastest_first_failure_to_final_ms: earliestFinalMs,
        requests: s.client.sent,
        '5xx': s.client.serverErrors,
        replicas: engine.replicas,
      },
      violations,
    );
    expect(settled).toBe(true);
    expect(violations).toEqual([]);
    expect(retried).toBeGreaterThan(0);
    expect(report.byStatus.failed ?? 0).toBeGreaterThan(0);
    expect(refused).toBe(retried * 2);
  }, 200_000);
});
