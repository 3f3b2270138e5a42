import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';

interface Counter {
  ttl: number;
  windowStart: number;
  current: number;
  previous: number;
  blockedUntil: number;
}

/**
 * Constant time and memory per key, whatever the limit: the library's in-memory storage keeps one
 * timestamp per hit and filters them on every request, so its cost grows with the limit. This one
 * counts hits in fixed windows and estimates the sliding window from the current and previous
 * counts (the previous one weighted by how much of it still overlaps), which smooths the burst
 * a plain fixed window would allow at each boundary.
 */
export class SlidingWindowThrottlerStorage implements ThrottlerStorage {
  private readonly counters = new Map<string, Counter>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    // Unref'd: a rate-limit sweep never keeps the process (or a test run) alive.
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    return Promise.resolve(this.hit(`${throttlerName}:${key}`, ttl, limit, blockDuration));
  }

  hit(key: string, ttl: number, limit: number, blockDuration: number): ThrottlerStorageRecord {
    const now = this.now();
    const counter = this.counterFor(key, ttl, now);
    const timeToExpire = Math.ceil((counter.windowStart + ttl - now) / 1000);
    if (counter.blockedUntil > now) {
      return { totalHits: limit + 1, timeToExpire, isBlocked: true, timeToBlockExpire: Math.ceil((counter.blockedUntil - now) / 1000) };
    }
    const overlap = 1 - (now - counter.windowStart) / ttl;
    const totalHits = Math.ceil(counter.previous * overlap) + counter.current + 1;
    if (totalHits > limit) {
      counter.blockedUntil = now + Math.max(blockDuration, 1000);
      return { totalHits, timeToExpire, isBlocked: true, timeToBlockExpire: Math.ceil((counter.blockedUntil - now) / 1000) };
    }
    counter.current += 1;
    return { totalHits, timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
  }

  private counterFor(key: string, ttl: number, now: number): Counter {
    let counter = this.counters.get(key);
    if (!counter) {
      counter = { ttl, windowStart: now - (now % ttl), current: 0, previous: 0, blockedUntil: 0 };
      this.counters.set(key, counter);
      return counter;
    }
    const elapsedWindows = Math.floor((now - counter.windowStart) / ttl);
    if (elapsedWindows > 0) {
      counter.previous = elapsedWindows === 1 ? counter.current : 0;
      counter.current = 0;
      counter.windowStart += elapsedWindows * ttl;
    }
    return counter;
  }

  /** Forgets keys idle for two windows or more (none of their hits count any longer). */
  private sweep(): void {
    const now = this.now();
    for (const [key, counter] of this.counters) {
      if (counter.blockedUntil <= now && now - counter.windowStart >= 2 * counter.ttl) this.counters.delete(key);
    }
  }
}
