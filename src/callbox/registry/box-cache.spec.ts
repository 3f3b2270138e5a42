import { BoxCache, boxCacheMs, SOLE_WRITER_BOX_CACHE_MS } from './box-cache';
import type { CallBox } from './callbox';

const box = (id: string, maxConcurrent = 5) => ({ id, maxConcurrent }) as unknown as CallBox;

describe(BoxCache.name, () => {
  let now = 0;
  const cache = () => new BoxCache(() => now, 1_000);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('serves a box read within its time without reading it again, and reads it again after', async () => {
    const boxes = cache();
    const read = jest.fn(async () => box('a'));
    await boxes.read('a', read);
    now += 1_000;
    await boxes.read('a', read);
    expect(read).toHaveBeenCalledTimes(1);
    now += 1;
    await boxes.read('a', read);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('does not keep a box that was not found: registered through another replica, it is found at its next request', async () => {
    const boxes = cache();
    const read = jest.fn<Promise<CallBox | null>, []>().mockResolvedValueOnce(null).mockResolvedValueOnce(box('a'));
    expect(await boxes.read('a', read)).toBeNull();
    expect((await boxes.read('a', read))?.id).toBe('a');
    expect(read).toHaveBeenCalledTimes(2);
    expect(boxes.size).toBe(1);
  });

  it('reads a box again once a write to it began', async () => {
    const boxes = cache();
    await boxes.read('a', async () => box('a', 5));
    boxes.forget(['a']);
    expect((await boxes.read('a', async () => box('a', 9)))?.maxConcurrent).toBe(9);
  });

  it('does not keep a read that was under way when a write began (it may predate the write)', async () => {
    const boxes = cache();
    let finish: (b: CallBox) => void = () => undefined;
    const stale = boxes.read('a', () => new Promise<CallBox>((resolve) => (finish = resolve)));
    boxes.forget(['a']);
    finish(box('a', 5));
    await stale;
    const read = jest.fn(async () => box('a', 9));
    expect((await boxes.read('a', read))?.maxConcurrent).toBe(9);
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('reads every box again after a write whose boxes were not known (clear)', async () => {
    const boxes = cache();
    await boxes.read('a', async () => box('a', 5));
    boxes.clear();
    expect(boxes.get('a')).toBeUndefined();
  });

  it('drops the entries past their time when swept', async () => {
    const boxes = cache();
    await boxes.read('a', async () => box('a'));
    now += 500;
    await boxes.read('b', async () => box('b'));
    now += 600;
    boxes.sweep();
    expect(boxes.size).toBe(1);
    expect(boxes.get('b')).toBeDefined();
  });

  it('reads a box again when the clock was set back', async () => {
    const boxes = cache();
    await boxes.read('a', async () => box('a'));
    now -= 1;
    expect(boxes.get('a')).toBeUndefined();
  });

  it('keeps a box at most half the heartbeat timeout, and 15 s at most, where replicas write too', () => {
    expect(boxCacheMs(30_000, true)).toBe(15_000);
    expect(boxCacheMs(90_000, true)).toBe(15_000);
    expect(boxCacheMs(6_000, true)).toBe(3_000);
  });

  it('keeps a box 5 min where this process is the only writer (SQLite)', () => {
    expect(boxCacheMs(30_000, false)).toBe(SOLE_WRITER_BOX_CACHE_MS);
    expect(SOLE_WRITER_BOX_CACHE_MS).toBe(300_000);
  });

  describe('rows written elsewhere (the heartbeat flush) renewing entries', () => {
    it('keeps them as read at the watch\'s start, serving them a whole bound from then', () => {
      const boxes = cache();
      const watch = boxes.watch();
      now += 300;
      boxes.refresh(watch, [box('a', 7)]);
      now += 700;
      expect(boxes.get('a')?.maxConcurrent).toBe(7);
      now += 1;
      expect(boxes.get('a')).toBeUndefined();
    });

    it('drops the row of a box a write began on while it was read', () => {
      const boxes = cache();
      const watch = boxes.watch();
      boxes.forget(['a']);
      boxes.refresh(watch, [box('a', 7), box('b', 8)]);
      expect(boxes.get('a')).toBeUndefined();
      expect(boxes.get('b')?.maxConcurrent).toBe(8);
    });

    it('drops every row when a write of unknown boxes began meanwhile (clear)', () => {
      const boxes = cache();
      const watch = boxes.watch();
      boxes.clear();
      boxes.refresh(watch, [box('a', 7)]);
      expect(boxes.size).toBe(0);
    });

    it('never replaces an entry read after the watch began', async () => {
      const boxes = cache();
      const watch = boxes.watch();
      now += 100;
      await boxes.read('a', async () => box('a', 9));
      boxes.refresh(watch, [box('a', 7)]);
      expect(boxes.get('a')?.maxConcurrent).toBe(9);
    });

    it('keeps nothing from a watch closed after a failed write, and stops tracking it', () => {
      const boxes = cache();
      const watch = boxes.watch();
      boxes.unwatch(watch);
      boxes.forget(['a']);
      expect(watch.forgotten.size).toBe(0);
    });
  });
});
