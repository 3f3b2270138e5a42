import { Clock } from '../../src/common/clock/clock';

/** A clock the spec moves by hand. */
export class FakeClock extends Clock {
  constructor(private current = Date.parse('2026-01-15T10:00:00Z')) {
    super();
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(ms: number): void {
    this.current = ms;
  }
}
