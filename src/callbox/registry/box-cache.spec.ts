import { BoxCache, boxCacheMs } from './box-cache';
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

  it('keeps a box at most a third of the heartbeat timeout, and 10 s at most', () => {
    expect(boxCacheMs(30_000)).toBe(10_000);
    expect(boxCacheMs(90_000)).toBe(10_000);
    expect(boxCacheMs(6_000)).toBe(2_000);
  });
});
