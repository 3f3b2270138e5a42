import { TransactionRepository } from '../../src/transactions/transaction.repository';
import { createTestApp, TestApp } from '../support/test-app';
import { expectStatus, paths, registerBox, report, stats, submit } from './callbox-api';

const BOXES = 20;
const TRANSACTIONS = 500;
const SUBMITTERS = 10;
/** A box that polls this often without finishing means the queue is stuck: fail, do not hang. */
const MAX_POLLS_PER_BOX = 1_000;
/** Set here: jest ignores `testTimeout` inside a `projects` entry, so the e2e project runs with 5 s. */
/** Correctness, not speed: 500 transactions through 20 boxes take 35 to 55 s on PostgreSQL on two cores alone, longer beside other suites. */
const TIMEOUT_MS = 180_000;

describe('CallBox claim under concurrency', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The boxes register once and never heartbeat: past HEARTBEAT_TIMEOUT_MS (30 s by default), which
    // a loaded machine's run can outlast, a silent box claims nothing and the queue would look stuck.
    t = await createTestApp({ env: { HEARTBEAT_TIMEOUT_MS: '3600000' } });
  });
  afterAll(async () => t.close(), TIMEOUT_MS);

  it(`${BOXES} boxes polling at once share ${TRANSACTIONS} transactions: each delivered to exactly one box, none lost`, async () => {
    const boxIds = Array.from({ length: BOXES }, (_, i) => `callbox_${String(i + 1).padStart(3, '0')}`);
    for (const id of boxIds) await registerBox(t.api, id);

    // Submitters and boxes run at the same time: boxes poll while the queue is still filling.
    const submitted: string[] = [];
    let submitting = true;
    const submitters = Array.from({ length: SUBMITTERS }, async (_, s) => {
      for (let i = s; i < TRANSACTIONS; i += SUBMITTERS) {
        submitted.push((await submit(t.api, { payItemId: `LOAD_${i}`, priority: ['high', 'normal', 'low'][i % 3] })).id);
      }
    });
    const submissionDone = Promise.all(submitters).finally(() => {
      submitting = false;
    });

    const deliveries = new Map<string, string[]>();
    const receivedBy = new Map<string, string[]>(boxIds.map((id) => [id, []]));
    const run = async (callboxId: string) => {
      for (let poll = 0; poll < MAX_POLLS_PER_BOX; poll++) {
        const wasSubmitting = submitting;
        const res = await t.api.get(paths.pending(callboxId));
        expectStatus(res, 200);
        for (const tx of res.body.transactions) {
          expect(tx.assignedTo).toBe(callboxId);
          deliveries.set(tx.id, [...(deliveries.get(tx.id) ?? []), callboxId]);
          receivedBy.get(callboxId)!.push(tx.id);
          expectStatus(await report(t.api, tx.id, callboxId, 'processing'), 200);
          expectStatus(await report(t.api, tx.id, callboxId, 'completed', { success: true, transactionRef: `REF_${tx.id}` }), 200);
        }
        if (!wasSubmitting && res.body.count === 0 && res.body.totalPending === 0) return;
        if (res.body.count === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`${callboxId} still polling after ${MAX_POLLS_PER_BOX} polls`);
    };
    await Promise.all([submissionDone, ...boxIds.map(run)]);

    expect(new Set(submitted).size).toBe(TRANSACTIONS);
    // Every submitted transaction delivered once, to one box; nothing delivered that was not submitted.
    expect([...deliveries.keys()].sort()).toEqual([...submitted].sort());
    const duplicated = [...deliveries].filter(([, boxes]) => boxes.length !== 1);
    expect(duplicated).toEqual([]);

    const s = await stats(t.api);
    expect(s).toMatchObject({
      completedTransactions: TRANSACTIONS,
      pendingTransactions: 0,
      assignedTransactions: 0,
      processingTransactions: 0,
      failedTransactions: 0,
      queueLength: 0,
    });
    for (const instance of s.instances) {
      expect(instance.processedTransactions).toBe(receivedBy.get(instance.id)!.length);
    }
    // The work was shared, not taken by one box.
    expect([...receivedBy.values()].filter((ids) => ids.length > 0).length).toBeGreaterThan(1);

    const repository = t.app.get(TransactionRepository);
    for (const id of submitted) {
      const assignments = (await repository.listEvents(id)).filter((e) => e.from === 'pending' && e.to === 'assigned');
      expect(assignments.map((e) => e.actor)).toEqual([`callbox:${deliveries.get(id)![0]}`]);
    }
  }, TIMEOUT_MS);
});
