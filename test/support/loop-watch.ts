import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';

/** One turn of the event loop that kept a 1 ms timer waiting: its length, and what the thread did meanwhile. */
export interface Stall {
  ms: number;
  /** On a CPU (null without /proc). */
  cpuMs: number | null;
  /**
   * Neither on a CPU nor waiting for one: asleep in a system call, or on a lock held by a thread of
   * the process (the collector's or the compiler's helpers) that itself waits for a CPU (null
   * without /proc).
   */
  sleptMs: number | null;
  /** Waiting for a CPU: the machine's load, not the code. */
  runQueueMs: number | null;
  /** Garbage-collection pauses within the turn. */
  gcMs: number;
}

export interface LoopWatch {
  /** The worst delay perf_hooks.monitorEventLoopDelay saw (1 ms resolution), in ms. */
  maxDelayMs: number;
  /** The longest stall. */
  worst: Stall | null;
  /**
   * The largest time a turn of the loop spent running code: its time on a CPU less the collector's
   * pauses within it; null without /proc.
   */
  maxCodeMs: number | null;
  /** The garbage collector's pauses over 1 ms (kind: 1 minor, 2 major, 4 incremental, 8 weak callbacks). */
  gc: Array<{ ms: number; kind: number }>;
}

/** This thread's time on a CPU and waiting for one, in ms (Linux's schedstat), or null. */
function schedstat(): { cpuMs: number; waitMs: number } | null {
  try {
    const [cpu, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ');
    return { cpuMs: Number(cpu) / 1e6, waitMs: Number(wait) / 1e6 };
  } catch {
    return null;
  }
}

/**
 * Watches this process's event loop (an in-process test app's: its requests run on it) while
 * `work` runs. A loaded machine delays every turn of the loop by the time the thread waits for a
 * CPU, and stretches the collector's pauses (its helper threads wait too): `maxCodeMs` leaves both
 * out, so a spec can hold the code's own steps to a budget whatever else runs on the machine; the
 * pauses are reported beside it.
 */
export async function watchLoop<T>(work: () => Promise<T>): Promise<{ result: T; loop: LoopWatch }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const turns: Array<{ from: number; to: number; cpuMs: number | null; runQueueMs: number | null }> = [];
  const pauses: Array<{ from: number; to: number; kind: number }> = [];
  let last = performance.now();
  let lastSched = schedstat();
  const timer = setInterval(() => {
    const now = performance.now();
    const sched = schedstat();
    if (now - last - 1 > 2) {
      const known = sched !== null && lastSched !== null;
      turns.push({ from: last, to: now, cpuMs: known ? sched.cpuMs - lastSched!.cpuMs : null, runQueueMs: known ? sched.waitMs - lastSched!.waitMs : null });
    }
    last = now;
    lastSched = sched;
  }, 1);
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail?: { kind: number } }).detail?.kind ?? 0;
      pauses.push({ from: entry.startTime, to: entry.startTime + entry.duration, kind });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  histogram.enable();
  try {
    const result = await work();
    // The last turn: one more tick of the timer ends it; the collector's entries arrive after it.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setImmediate(resolve));
    const stalls = turns.map(({ from, to, cpuMs, runQueueMs }): Stall => {
      const gcMs = pauses.reduce((sum, p) => sum + Math.max(0, Math.min(to, p.to) - Math.max(from, p.from)), 0);
      const sleptMs = cpuMs === null || runQueueMs === null ? null : Math.max(0, to - from - cpuMs - runQueueMs);
      return { ms: to - from - 1, cpuMs, runQueueMs, sleptMs, gcMs };
    });
    const worst = stalls.reduce<Stall | null>((a, b) => (a && a.ms >= b.ms ? a : b), null);
    const code = stalls.filter((stall) => stall.cpuMs !== null).map((stall) => Math.max(0, stall.cpuMs! - stall.gcMs));
    return {
      result,
      loop: {
        maxDelayMs: histogram.count === 0 ? 0 : Math.max(0, histogram.max / 1e6 - 1),
        worst,
        maxCodeMs: lastSched === null ? null : Math.max(0, ...code),
        gc: pauses.map((p) => ({ ms: p.to - p.from, kind: p.kind })).filter((p) => p.ms > 1),
      },
    };
  } finally {
    clearInterval(timer);
    observer.disconnect();
    histogram.disable();
  }
}
