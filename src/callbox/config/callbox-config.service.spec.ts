import { performance } from 'node:perf_hooks';
import type { AppConfig } from '../../config/app-config';
import type { Clock } from '../../common/clock/clock';
import type { CallBoxRepository } from '../registry/callbox';
import { CallBoxConfigRepository, CallBoxSettings, GLOBAL_SCOPE } from './callbox-config';
import { CallBoxConfigService, SETTINGS_CACHE_MS } from './callbox-config.service';

const DEFAULTS: CallBoxSettings = { maxRetries: 3, timeoutMs: 30_000, batchSize: 5, pollIntervalMs: 5_000 };

/** Stored settings whose reads wait until the spec lets them finish. */
class ControlledRepository extends CallBoxConfigRepository {
  readonly stored = new Map<string, Partial<CallBoxSettings>>();
  reads = 0;
  private waiting: Array<() => void> = [];

  async findAll() {
    this.reads += 1;
    // What the database holds when the query runs; the answer arrives later.
    const found = new Map([...this.stored].map(([scope, settings]) => [scope, { ...settings }]));
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return found;
  }

  async merge(scope: string, changes: Partial<CallBoxSettings>) {
    this.stored.set(scope, { ...this.stored.get(scope), ...changes });
  }

  finishReads(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  /** Lets only the latest read finish. */
  finishLatest(): void {
    this.waiting.pop()?.();
  }
}

describe(CallBoxConfigService.name, () => {
  let repository: ControlledRepository;
  let sut: CallBoxConfigService;
  beforeEach(() => {
    repository = new ControlledRepository();
    repository.stored.set(GLOBAL_SCOPE, { batchSize: 7 });
    const boxes = { findById: async () => ({ id: 'callbox_001' }) } as unknown as CallBoxRepository;
    sut = new CallBoxConfigService(repository, boxes, { callboxDefaults: DEFAULTS } as AppConfig, { now: () => 0 } as Clock);
  });

  it('answers a burst of requests, arriving with nothing cached, with one read', async () => {
    const burst = Array.from({ length: 50 }, () => sut.effective());
    await new Promise((resolve) => setImmediate(resolve));
    repository.finishReads();
    const answers = await Promise.all(burst);
    expect(repository.reads).toBe(1);
    expect(new Set(answers.map((a) => a.batchSize))).toEqual(new Set([7]));
    await expect(sut.effective()).resolves.toMatchObject({ batchSize: 7 });
    expect(repository.reads).toBe(1);
  });

  it("answers many boxes' settings within SETTINGS_CACHE_MS with one read, each with its own override", async () => {
    repository.stored.set('box_2', { batchSize: 2 });
    const answers: number[] = [];
    // One box after the other, as a fleet's heartbeats arrive (each box once every 10 s).
    for (const box of ['box_1', 'box_2', 'box_3', 'box_4']) {
      const answer = sut.effective(box);
      await new Promise((resolve) => setImmediate(resolve));
      repository.finishReads();
      answers.push((await answer).batchSize);
    }
    expect(answers).toEqual([7, 2, 7, 7]);
    await expect(sut.effectiveForMany(['box_2', 'box_5'])).resolves.toEqual(
      new Map([
        ['box_2', { ...DEFAULTS, batchSize: 2 }],
        ['box_5', { ...DEFAULTS, batchSize: 7 }],
      ]),
    );
    expect(repository.reads).toBe(1);
  });

  it('merges each scope once per read of the settings, and a change shows at the next request', async () => {
    repository.stored.set('box_2', { batchSize: 2 });
    const first = sut.effective('box_1');
    await new Promise((resolve) => setImmediate(resolve));
    repository.finishReads();
    const box1 = await first;
    // Boxes without an override share the global answer; a box with one has its own.
    expect(await sut.effective('box_3')).toBe(box1);
    expect(await sut.effective()).toBe(box1);
    const box2 = await sut.effective('box_2');
    expect(box2).toMatchObject({ batchSize: 2 });
    expect(await sut.effective('box_2')).toBe(box2);
    // Shared, so nobody may change it for the others.
    expect(Object.isFrozen(box1)).toBe(true);
    expect(() => Object.assign(box1, { batchSize: 1 })).toThrow(TypeError);

    const update = sut.update({ batchSize: 9 }, 'box_3');
    await new Promise((resolve) => setImmediate(resolve));
    repository.finishReads();
    await expect(update).resolves.toMatchObject({ config: { batchSize: 9 } });
    await expect(sut.effective('box_3')).resolves.toMatchObject({ batchSize: 9 });
    await expect(sut.effective('box_1')).resolves.toMatchObject({ batchSize: 7 });
    expect(repository.reads).toBe(2);
  });

  it('does not keep what a read under way found when a change came meanwhile', async () => {
    const before = sut.effective();
    await new Promise((resolve) => setImmediate(resolve));
    const update = sut.update({ batchSize: 9 });
    await new Promise((resolve) => setImmediate(resolve));
    // The read after the change answers first, the one from before it last.
    repository.finishLatest();
    await expect(update).resolves.toMatchObject({ config: { batchSize: 9 } });
    repository.finishReads();
    await expect(before).resolves.toMatchObject({ batchSize: 7 });
    await expect(sut.effective()).resolves.toMatchObject({ batchSize: 9 });
    expect(repository.reads).toBe(2);
  });

  it('answers at once (effectiveNow) only from a fresh read, and never the settings an update replaced', async () => {
    repository.stored.set('box_2', { batchSize: 2 });
    expect(sut.effectiveNow('box_1')).toBeUndefined();
    const first = sut.effective('box_1');
    await new Promise((resolve) => setImmediate(resolve));
    repository.finishReads();
    const box1 = await first;
    expect(sut.effectiveNow('box_1')).toBe(box1);
    expect(sut.effectiveNow('box_2')).toBe(await sut.effective('box_2'));
    expect(sut.effectiveNow('box_2')).toMatchObject({ batchSize: 2 });

    // A change through this process: the next request sees it, never the settings it replaced.
    const update = sut.update({ batchSize: 9 }, 'box_1');
    await new Promise((resolve) => setImmediate(resolve));
    // Written, and the read after it under way: nothing is answered at once meanwhile.
    expect(sut.effectiveNow('box_1')).toBeUndefined();
    repository.finishReads();
    await update;
    expect(sut.effectiveNow('box_1')).toMatchObject({ batchSize: 9 });
    expect(sut.effectiveNow('box_3')).toMatchObject({ batchSize: 7 });

    // Another replica's change: the read is too old after SETTINGS_CACHE_MS, so the request reads again.
    const now = performance.now();
    const clock = jest.spyOn(performance, 'now').mockReturnValue(now + SETTINGS_CACHE_MS);
    try {
      expect(sut.effectiveNow('box_1')).toBeUndefined();
    } finally {
      clock.mockRestore();
    }
  });

  it('lets the next request read again after a failed read', async () => {
    const failing = jest.spyOn(repository, 'findAll').mockRejectedValueOnce(new Error('database down'));
    await expect(sut.effective()).rejects.toThrow('database down');
    failing.mockRestore();
    const next = sut.effective();
    await new Promise((resolve) => setImmediate(resolve));
    repository.finishReads();
    await expect(next).resolves.toMatchObject({ batchSize: 7 });
  });
});
