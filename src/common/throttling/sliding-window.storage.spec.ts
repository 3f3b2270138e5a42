import { SlidingWindowThrottlerStorage } from './sliding-window.storage';

const MINUTE = 60_000;

describe(SlidingWindowThrottlerStorage.name, () => {
  let now: number;
  let storage: SlidingWindowThrottlerStorage;
  const hit = (key = 'box:a', limit = 3) => storage.hit(key, MINUTE, limit, MINUTE);

  beforeEach(() => {
    now = 10 * MINUTE;
    storage = new SlidingWindowThrottlerStorage(() => now);
  });

  it('allows `limit` hits in a window and refuses the next with the time to wait', () => {
    expect([hit(), hit(), hit()].map((r) => r.isBlocked)).toEqual([false, false, false]);
    const refused = hit();
    expect(refused.isBlocked).toBe(true);
    expect(refused.timeToBlockExpire).toBe(60);
  });

  it('counts each key apart', () => {
    hit('box:a');
    hit('box:a');
    hit('box:a');
    expect(hit('box:b').isBlocked).toBe(false);
    expect(hit('box:a').isBlocked).toBe(true);
  });

  it('stays blocked for the block duration, then lets the key through as its old hits age out', () => {
    for (let i = 0; i < 4; i++) hit();
    now += MINUTE - 1;
    expect(hit().isBlocked).toBe(true);
    now += MINUTE / 2 + 1;
    expect(hit().isBlocked).toBe(false);
  });

  it('still counts the previous window while it overlaps the sliding one', () => {
    now += MINUTE - 1_000;
    hit();
    hit();
    hit();
    now += 2_000; // new fixed window, but 58 s of the last one still inside the sliding minute
    expect(hit().isBlocked).toBe(true);
  });

  it('forgets the previous window once a whole window has passed', () => {
    hit();
    hit();
    hit();
    now += 2 * MINUTE;
    expect([hit(), hit(), hit()].map((r) => r.isBlocked)).toEqual([false, false, false]);
  });

  it('counts a large allowance exactly (one counter per key, not one entry per hit)', () => {
    let refused = 0;
    for (let i = 0; i < 100_000; i++) if (storage.hit('token:main', MINUTE, 1_000_000, MINUTE).isBlocked) refused += 1;
    expect(refused).toBe(0);
    expect(storage.hit('token:main', MINUTE, 1_000_000, MINUTE).totalHits).toBe(100_001);
  });
});
