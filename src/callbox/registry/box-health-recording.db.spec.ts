import { openTestDatabase } from '../../../test/support/test-database';
import type { Database } from '../../database/database';
import { UnitOfWork } from '../../database/unit-of-work';
import { afterOutcome, BoxHealth, isDegraded, MAX_CONSECUTIVE_FAILURES } from './box-health';
import type { BoxOutcome } from './callbox';
import { SqlCallBoxRepository } from './sql-callbox.repository';

const T = 1_700_000_000_000;
const COOLDOWN_MS = 60_000;
const HEALTHY: BoxHealth = { recentOutcomes: '', consecutiveFailures: 0, degradedUntil: null, degradedReason: null };

/**
 * A success on a healthy box is recorded by one guarded UPDATE; anything else reads the box and
 * applies afterOutcome. Whichever path runs, the stored health must be exactly the model's, on the
 * engine under test (SQLite, or PostgreSQL with TEST_DATABASE_URL).
 */
describe(SqlCallBoxRepository.name, () => {
  let db: Database;
  let close: () => Promise<void>;
  let boxes: SqlCallBoxRepository;

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
    boxes = new SqlCallBoxRepository(db);
  });

  afterAll(() => close());

  const register = (id: string) =>
    boxes.register({ id, maxConcurrent: 5, supportedTypes: ['recharge'], operators: null, version: null, location: null }, T);

  const record = (outcome: BoxOutcome) => db.unit((unit) => boxes.recordOutcome(unit, outcome));

  const stored = async (id: string): Promise<BoxHealth> => {
    const box = await boxes.findById(id);
    if (!box) throw new Error(`${id} not registered`);
    const { recentOutcomes, consecutiveFailures, degradedUntil, degradedReason } = box;
    return { recentOutcomes, consecutiveFailures, degradedUntil, degradedReason };
  };

  /** Deterministic, so a failure replays: spells of 30 mostly good, then mostly bad, outcomes. */
  function* outcomes(seed: number, count: number): Generator<{ success: boolean; at: number }> {
    let state = seed;
    let at = T;
    for (let i = 0; i < count; i++) {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      at += (state % 7) * 5_000;
      const failurePercent = Math.floor(i / 30) % 2 === 0 ? 10 : 60;
      yield { success: state % 100 >= failurePercent, at };
    }
  }

  it.each([1, 2, 3])('stores what afterOutcome says after every outcome (sequence %i)', async (seed) => {
    const id = `health-${seed}`;
    await register(id);
    let model = HEALTHY;
    let degradations = 0;
    for (const { success, at } of outcomes(seed, 150)) {
      const was = isDegraded(model, at);
      const change = await record({ callboxId: id, success, now: at, cooldownMs: COOLDOWN_MS });
      model = afterOutcome(model, success, at, COOLDOWN_MS);
      expect(await stored(id)).toEqual(model);
      expect(change).toEqual({ wasDegraded: was, isDegraded: isDegraded(model, at), reason: model.degradedReason });
      if (!was && isDegraded(model, at)) degradations += 1;
    }
    // The sequences reach the slow path's every branch, not only the healthy one.
    expect(degradations).toBeGreaterThan(0);
  });

  it('degrades on a success when failures still outnumber successes in the window', async () => {
    await register('mixed');
    // Nine outcomes, six failures, never five in a row: too few samples for the rate, until this success.
    const sequence = [false, false, false, true, false, false, false, true, true];
    let model = HEALTHY;
    for (const success of sequence) {
      await record({ callboxId: 'mixed', success, now: T, cooldownMs: COOLDOWN_MS });
      model = afterOutcome(model, success, T, COOLDOWN_MS);
    }
    expect(model.consecutiveFailures).toBeLessThan(MAX_CONSECUTIVE_FAILURES);
    const change = await record({ callboxId: 'mixed', success: true, now: T, cooldownMs: COOLDOWN_MS });

    expect(change).toEqual({ wasDegraded: false, isDegraded: true, reason: 'failure_rate' });
    expect(await stored('mixed')).toEqual({ ...HEALTHY, degradedUntil: T + COOLDOWN_MS, degradedReason: 'failure_rate' });
  });

  it('keeps only the last 20 outcomes on the one-statement path', async () => {
    await register('long');
    for (let i = 0; i < 25; i++) await record({ callboxId: 'long', success: true, now: T + i, cooldownMs: COOLDOWN_MS });

    expect(await stored('long')).toEqual({ ...HEALTHY, recentOutcomes: 'S'.repeat(20) });
  });

  it('writes nothing, so locks nothing, for a success on a window already full of successes', async () => {
    await register('steady');
    for (let i = 0; i < 20; i++) await record({ callboxId: 'steady', success: true, now: T + i, cooldownMs: COOLDOWN_MS });
    const run = jest.spyOn(UnitOfWork.prototype, 'run');

    const change = await record({ callboxId: 'steady', success: true, now: T + 20, cooldownMs: COOLDOWN_MS });

    const statements = run.mock.calls.map(([statement]) => statement.text.trim().split(/\s+/)[0]);
    run.mockRestore();
    expect(statements).toEqual(['SELECT']);
    expect(change).toEqual({ wasDegraded: false, isDegraded: false, reason: null });
    expect(await stored('steady')).toEqual({ ...HEALTHY, recentOutcomes: 'S'.repeat(20) });
  });

  it('answers null for a box that never registered, on either path', async () => {
    expect(await record({ callboxId: 'ghost', success: true, now: T, cooldownMs: COOLDOWN_MS })).toBeNull();
    expect(await record({ callboxId: 'ghost', success: false, now: T, cooldownMs: COOLDOWN_MS })).toBeNull();
  });

  it('writes nothing when the unit it runs in rolls back', async () => {
    await register('rolled-back');
    const refused = db.unit(async (unit) => {
      await boxes.recordOutcome(unit, { callboxId: 'rolled-back', success: false, now: T, cooldownMs: COOLDOWN_MS });
      throw new Error('the report failed after counting');
    });

    await expect(refused).rejects.toThrow('the report failed after counting');
    expect(await stored('rolled-back')).toEqual(HEALTHY);
  });
});
