import { MAX_CONSECUTIVE_FAILURES } from '../../src/callbox/registry/box-health';
import type { HttpResult } from '../reliability/support/http';
import { waitFor } from '../reliability/support/fleet';
import { sleep } from '../reliability/support/processes';
import { DeviceScenario, enginesFor, printIntegrity } from './support/device-scenario';

/**
 * Issue 20, item 6, with real processes: a greedy box with a bad SIM that fails everything it
 * takes, and a box that claims and hands back in a loop, each beside healthy boxes. On SQLite (one
 * process) and on two PostgreSQL replicas.
 */
const HEALTHY = ['int_healthy_1', 'int_healthy_2', 'int_healthy_3'];

/** Every box's degradation as stored: `id -> reason` for those degraded now. */
async function degraded(s: DeviceScenario): Promise<Map<string, string>> {
  const rows = await s.probe.query<{ id: string; degraded_until: unknown; degraded_reason: string | null }>('SELECT id, degraded_until, degraded_reason FROM callboxes');
  return new Map(rows.filter((r) => r.degraded_until !== null && Number(r.degraded_until) > Date.now()).map((r) => [r.id, r.degraded_reason ?? '']));
}

describe.each(enginesFor('bad-sim'))('Integrity: a greedy box with a bad SIM ($engine, $replicas replica(s))', (engine) => {
  const name = `bad-sim-${engine.engine}`;
  const TRANSACTIONS = 150;
  const BAD = 'int_bad_sim';
  const BAD_BATCH = 50;
  const s = new DeviceScenario(name, engine, { MAX_RETRIES: '0' });
  let deadline = 0;
  beforeAll(() => s.start((deadline = Date.now() + 150_000)), 90_000);
  afterAll(() => s.stop(), 30_000);

  it(`ends at most ${MAX_CONSECUTIVE_FAILURES} customers' transactions, whatever it claims and fails at once`, async () => {
    const violations: string[] = [];
    const answers = new Map<number, number>();
    let largestPoll = 0;
    let stopped = false;
    const count = (res: HttpResult) => answers.set(res.status, (answers.get(res.status) ?? 0) + 1);

    /** Asks for 100 (its batchSize is 50), then fails the whole batch at once: half after processing, half straight from assigned. */
    const runBadBox = async () => {
      let nextBeat = 0;
      while (!stopped && Date.now() < deadline) {
        if (Date.now() >= nextBeat) {
          await s.fleet.heartbeat(BAD);
          nextBeat = Date.now() + 1000;
        }
        const polled = await s.fleet.poll(BAD, 100);
        const batch: Array<{ id: string }> = polled.status === 200 ? polled.body.transactions : [];
        largestPoll = Math.max(largestPoll, batch.length);
        if (batch.length > BAD_BATCH) violations.push(`a poll asking for 100 got ${batch.length} (batchSize ${BAD_BATCH})`);
        await Promise.all(
          batch.map(async (tx, i) => {
            if (i % 2 === 0) count(await s.report(BAD, tx.id, 'processing'));
            count(await s.report(BAD, tx.id, 'failed', undefined, { success: false, errorCode: 'SIM_ERROR' }));
          }),
        );
        if (batch.length === 0) await sleep(25);
      }
    };

    await s.fleet.register(BAD, { maxConcurrentTransactions: 100 });
    for (const box of HEALTHY) await s.fleet.register(box);
    expect((await s.admin('PUT', '/api/call-box/config', { callboxId: BAD, batchSize: BAD_BATCH })).status).toBe(200);
    // The first poll must meet a full queue: with the dispatcher running, its claim races a round
    // (on PostgreSQL it skips rows a round holds) and may take fewer than the ceiling, then the box
    // is degraded before another poll could show the ceiling. The dispatcher resumes right after.
    expect((await s.admin('POST', '/api/sync/stop')).status).toBe(200);
    await sleep(1000);
    await s.fleet.submit(`${name}-${Date.now()}`, Array.from({ length: TRANSACTIONS }, (_, i) => i), 10);
    const bad = runBadBox();
    await waitFor(() => largestPoll > 0, deadline, 20);
    expect((await s.admin('POST', '/api/sync/start')).status).toBe(200);
    for (const box of HEALTHY) s.fleet.startBox(box);
    const settled = await waitFor(async () => {
      const counts = await s.statusCounts();
      return (counts.completed ?? 0) + (counts.failed ?? 0) === TRANSACTIONS;
    }, deadline);
    stopped = true;
    await bad;
    await s.fleet.stop();

    const events = await s.events();
    const failedBy = new Map<string, number>();
    for (const e of events.filter((x) => x.to_status === 'failed')) failedBy.set(e.actor, (failedBy.get(e.actor) ?? 0) + 1);
    const failedByBad = failedBy.get(`callbox:${BAD}`) ?? 0;
    const notCharged = events.filter((e) => e.to_status === 'pending' && e.details?.charged === false).length;
    const releasedUnstarted = events.filter((e) => e.from_status === 'assigned' && e.to_status === 'pending' && e.details?.reason === 'callbox_degraded').length;
    if (failedByBad > MAX_CONSECUTIVE_FAILURES) violations.push(`${failedByBad} customers' transactions failed by the bad box`);
    for (const [actor, n] of failedBy) if (actor !== `callbox:${BAD}`) violations.push(`${n} failed by ${actor}`);
    const completedByBad = await s.probe.query(`SELECT id FROM transactions WHERE status = 'completed' AND assigned_to = ?`, [BAD]);
    if (completedByBad.length > 0) violations.push(`${completedByBad.length} completed by the bad box`);
    const sick = await degraded(s);
    if (!sick.has(BAD)) violations.push('the bad box is not degraded');
    for (const box of HEALTHY) if (sick.has(box)) violations.push(`healthy ${box} degraded (${sick.get(box)})`);
    for (const [status, n] of answers) if (status !== 200 && status !== 403 && status !== 409) violations.push(`${n} reports of the bad box answered ${status}`);
    const { report, violations: audited } = await s.auditViolations();
    violations.push(...audited);

    printIntegrity(
      name,
      {
        transactions: report.transactions,
        completed: report.byStatus.completed ?? 0,
        failed_by_bad_box: failedByBad,
        not_charged: notCharged,
        released_unstarted: releasedUnstarted,
        largest_poll: largestPoll,
        bad_box_degraded: sick.get(BAD) ?? false,
        requests: s.client.sent,
        '5xx': s.client.serverErrors,
        replicas: engine.replicas,
      },
      violations,
    );
    expect(settled).toBe(true);
    expect(violations).toEqual([]);
    expect(largestPoll).toBe(BAD_BATCH);
    expect(notCharged + releasedUnstarted).toBeGreaterThan(0);
  }, 200_000);
});

describe.each(enginesFor('hand-back-loop'))('Integrity: a box handing back in a loop ($engine, $replicas replica(s))', (engine) => {
  const name = `hand-back-loop-${engine.engine}`;
  const TRANSACTIONS = 40;
  const LOOPER = 'int_looper';
  const AVOID_MS = 1000;
  /** The looper has the queue to itself this long: well past the avoidance, so it meets its own hand-backs again. */
  const ALONE_MS = 3 * AVOID_MS;
  const s = new DeviceScenario(name, engine, { HAND_BACK_AVOID_MS: String(AVOID_MS) });
  let deadline = 0;
  beforeAll(() => s.start((deadline = Date.now() + 150_000)), 90_000);
  afterAll(() => s.stop(), 30_000);

  it('degrades the looping box, which meets each transaction at most twice, and the work reaches the other boxes', async () => {
    const violations: string[] = [];
    let accepted = 0;
    let stopped = false;

    const runLooper = async () => {
      let nextBeat = 0;
      while (!stopped && Date.now() < deadline) {
        if (Date.now() >= nextBeat) {
          await s.fleet.heartbeat(LOOPER);
          nextBeat = Date.now() + 1000;
        }
        const polled = await s.fleet.poll(LOOPER, 5);
        const batch: Array<{ id: string }> = polled.status === 200 ? polled.body.transactions : [];
        for (const tx of batch) {
          const back = await s.report(LOOPER, tx.id, 'pending');
          if (back.status === 200) accepted += 1;
          else if (back.status !== 403) violations.push(`hand-back of ${tx.id} answered ${back.status}`);
        }
        if (batch.length === 0) await sleep(20);
      }
    };

    await s.fleet.register(LOOPER);
    for (const box of HEALTHY) await s.fleet.register(box);
    await s.fleet.submit(`${name}-${Date.now()}`, Array.from({ length: TRANSACTIONS }, (_, i) => i), 8);
    const looper = runLooper();
    await sleep(ALONE_MS);
    const degradedAlone = (await degraded(s)).get(LOOPER) ?? false;
    for (const box of HEALTHY) s.fleet.startBox(box);
    const settled = await waitFor(async () => (await s.statusCounts()).completed === TRANSACTIONS, deadline);
    stopped = true;
    await looper;
    await s.fleet.stop();

    const events = await s.events();
    const handBacks = new Map<string, number[]>();
    const earlyOffers: string[] = [];
    for (const e of events) {
      const own = e.actor === `callbox:${LOOPER}` || e.details?.callboxId === LOOPER;
      if (e.from_status === 'assigned' && e.to_status === 'pending' && e.actor === `callbox:${LOOPER}`) {
        handBacks.set(e.transaction_id, [...(handBacks.get(e.transaction_id) ?? []), e.at]);
      } else if (e.to_status === 'assigned' && own) {
        // Offered to the looper again before its avoidance of that transaction ran out.
        const last = handBacks.get(e.transaction_id)?.at(-1);
        if (last !== undefined && e.at < last + AVOID_MS) earlyOffers.push(`${e.transaction_id} by ${e.actor} ${e.at - last} ms after its hand-back`);
      }
    }
    const most = Math.max(0, ...[...handBacks.values()].map((times) => times.length));
    if (most > 2) violations.push(`a transaction was handed back ${most} times by the looping box`);
    for (const offer of earlyOffers) violations.push(`offered to the looping box again within ${AVOID_MS} ms: ${offer}`);
    const sick = await degraded(s);
    if (sick.get(LOOPER) !== 'consecutive_failures') violations.push(`the looping box is ${sick.get(LOOPER) ?? 'not degraded'}`);
    for (const box of HEALTHY) if (sick.has(box)) violations.push(`healthy ${box} degraded (${sick.get(box)})`);
    const byLooper = await s.probe.query(`SELECT id FROM transactions WHERE assigned_to = ?`, [LOOPER]);
    if (byLooper.length > 0) violations.push(`${byLooper.length} transactions left with the looping box`);
    const { report, violations: audited } = await s.auditViolations();
    violations.push(...audited);

    printIntegrity(
      name,
      {
        transactions: report.transactions,
        completed_by_others: report.byStatus.completed ?? 0,
        hand_backs: accepted,
        most_hand_backs_of_one: most,
        looper_degraded: sick.get(LOOPER) ?? false,
        degraded_while_alone: degradedAlone,
        requests: s.client.sent,
        '5xx': s.client.serverErrors,
        replicas: engine.replicas,
      },
      violations,
    );
    expect(settled).toBe(true);
    expect(violations).toEqual([]);
    expect(most).toBe(2);
  }, 200_000);
});
