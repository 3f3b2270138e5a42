/**
 * Sizes the archive's units of work by their duration, not only by their rows: a unit that took
 * longer than the target shrinks the next one in proportion, a quick one grows it by half, between
 * `min` and `max`. On a loaded machine or a cold file a fixed 500 transactions took a second a unit;
 * in-process that is a second of frozen event loop, and beside a service on the same SQLite file a
 * second of its writes waiting for the lock.
 */
export class StepSizer {
  private current: number;

  constructor(
    private readonly max: number,
    private readonly targetMs: number,
    private readonly min = Math.min(10, max),
  ) {
    this.current = max;
  }

  get size(): number {
    return this.current;
  }

  /** What a unit of `rows` rows took. */
  took(ms: number, rows: number): void {
    if (rows <= 0) return;
    if (ms > this.targetMs) this.current = Math.max(this.min, Math.floor((rows * this.targetMs) / ms));
    else if (ms < this.targetMs / 2 && rows >= this.current) this.current = Math.min(this.max, Math.ceil(this.current * 1.5));
  }
}
