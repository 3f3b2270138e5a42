import { heartbeat } from '../support/fixtures';
import { watchLoop } from '../support/loop-watch';
import { createTestApp, TEST_CALLBOX_TOKEN, TestApp } from '../support/test-app';
import { expectStatus, paths, registerBox, submit } from './callbox-api';

/**
 * Enough boxes that building and serializing their stats in one piece holds the loop about twice the
 * budget (about 5 MB): at 3 000 the one-piece answer took 12 to 20 ms here by November 2026, within
 * the budget, so the spec could no longer fail it; at 10 000 it takes 38 to 52 ms, a step at a time 3 to 8.
 */
const BOXES = Number(process.env.STATS_FLEET_BOXES ?? 10_000);
/** The event-loop budget of issue 17: no request holds the loop longer. */
const BUDGET_MS = 20;
/** Rounds of the budget check, judged on their median. */
const ROUNDS = 5;

interface Stats {
  pendingTransactions: number;
  connectedInstances: number;
  instances: Array<{ id: string; queueSize: number; status: string }>;
}

/**
 * GET /api/call-box/stats, which any box may call, with a large fleet: its answer lists every box.
 * The app runs in this process, so this process's event loop is the service's.
 */
describe('CallBox statistics with a large fleet', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Every box counts as connected only within HEARTBEAT_TIMEOUT_MS of its registration (30 s by
    // default): registering 3 000 boxes on a loaded machine can take longer than that.
    t = await createTestApp({ env: { HEARTBEAT_TIMEOUT_MS: '3600000' } });
    const ids = Array.from({ length: BOXES }, (_, i) => `fleet_${String(i).padStart(5, '0')}`);
    const inFlight = 32;
    await Promise.all(
      Array.from({ length: inFlight }, async (_, lane) => {
        for (let i = lane; i < ids.length; i += inFlight) await registerBox(t.api, ids[i]);
      }),
    );
  }, 300_000);
  afterAll(async () => t.close());

  /** The answer read whole (not parsed) while the loop is watched, then parsed. */
  const statsWatched = async () => {
    const { result, loop } = await watchLoop(async () => {
      const response = await fetch(`${t.api.baseUrl}${paths.stats}`, { headers: { authorization: `Bearer ${TEST_CALLBOX_TOKEN}` } });
      return { status: response.status, type: response.headers.get('content-type'), bytes: await response.arrayBuffer() };
    });
    expect(result.status).toBe(200);
    expect(result.type).toMatch(/^application\/json/);
    const body = JSON.parse(Buffer.from(result.bytes).toString('utf8')) as { success: boolean; stats: Stats };
    expect(body.success).toBe(true);
    return { stats: body.stats, loop };
  };

  it(`answers for ${BOXES} boxes without holding the event loop ${BUDGET_MS} ms`, async () => {
    const rounds: Array<{ round: number; heldMs: number; loop: unknown }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      // A registration: the next listing reads the whole registry again, as after any write.
      const added = `fleet_new_${round}`;
      await registerBox(t.api, added);
      const { stats, loop } = await statsWatched();
      expect(stats.instances).toHaveLength(BOXES + round + 1);
      expect(stats.instances.map((i) => i.id)).toContain(added);
      expect(stats.connectedInstances).toBe(BOXES + round + 1);
      // Waiting for a CPU on a loaded machine is not the code's, nor sleeping on a lock held by a
      // helper thread that waits for one, nor a scavenge stretched by them (the pauses are in
      // `loop.gc`): the code's own time on a CPU in the longest-held turn of the loop is (the plain
      // delay where /proc is not there). The CI run at faef36f read 172 ms "own" (the turn less its
      // wait for a CPU) in one round, in a turn that waited 578 ms for a CPU; that measure could not tell time on a CPU from time asleep.
      rounds.push({ round, heldMs: loop.maxCodeMs ?? loop.maxDelayMs, loop });
    }
    // Some rounds may meet a hiccup of the machine (a page fault, a stretched system call, the CPU
    // taken by the suite running beside this one: the CI dry run at f894407 read 27, 20.02 and 10 ms,
    // its first two rounds waiting 68 and 35 ms for a CPU); built in one piece, every round holds the
    // loop about twice the budget (38 to 52 ms here at 10 000 boxes), so the median fails the old
    // answer, and no round may pass twice the budget.
    const held = rounds.map((r) => r.heldMs).sort((a, b) => a - b);
    const verdict = held[Math.floor(ROUNDS / 2)] < BUDGET_MS && held[ROUNDS - 1] < 2 * BUDGET_MS ? 'within budget' : rounds;
    expect(verdict).toBe('within budget');
  }, 120_000);

  it('is as fresh as the call: a write answered before the call shows in it, even while another build runs', async () => {
    const before = (await statsWatched()).stats;
    // A build starts, and is running while the writes land and the next call comes.
    const during = fetch(`${t.api.baseUrl}${paths.stats}`, { headers: { authorization: `Bearer ${TEST_CALLBOX_TOKEN}` } });
    await submit(t.api);
    expectStatus(await t.api.post(paths.heartbeat, { ...heartbeat('fleet_00042'), queueSize: 7 }), 200);
    const after = (await statsWatched()).stats;
    expect((await during).status).toBe(200);
    expect(after.pendingTransactions).toBe(before.pendingTransactions + 1);
    expect(after.instances.find((i) => i.id === 'fleet_00042')).toMatchObject({ queueSize: 7, status: 'active' });
  }, 60_000);
});
