import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';

/** One turn of the event loop that kept a 1 ms timer waiting: its length, and what the thread did meanwhile. */
export interface Stall {
  ms: number;
  /** On a CPU, and asleep in a system call: the code's own time (null without /proc). */
  ownMs: number | null;
  /** Waiting for a CPU: the machine's load, not the code. */
  runQueueMs: number | null;
}

export interface LoopWatch {
  /** The worst delay perf_hooks.monitorEventLoopDelay saw (1 ms resolution), in ms. */
  maxDelayMs: number;
  /** The longest stall, and the largest own time of any stall. */
  worst: Stall | null;
  maxOwnMs: number | null;
  /** The garbage collector's pauses meanwhile (ms, kind: 1 minor, 2 major, 4 incremental, 8 weak callbacks). */
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
 * CPU; `maxOwnMs` leaves that out (the code's own time in the longest-held turn), so a spec can hold
 * the code to a budget whatever else runs on the machine.
 */
export async function watchLoop<T>(work: () => Promise<T>): Promise<{ result: T; loop: LoopWatch }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const stalls: Stall[] = [];
  let last = performance.now();
  let lastSched = schedstat();
  const timer = setInterval(() => {
    const now = performance.now();
    const sched = schedstat();
    const ms = now - last - 1;
    if (ms > 2) {
      const known = sched && lastSched;
      const runQueueMs = known ? sched.waitMs - lastSched!.waitMs : null;
      stalls.push({ ms, runQueueMs, ownMs: known ? Math.max(0, now - last - runQueueMs!) : null });
    }
    last = now;
    lastSched = sched;
  }, 1);
  const gc: Array<{ ms: number; kind: number }> = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gc.push({ ms: entry.duration, kind: (entry as unknown as { detail?: { kind: number } }).detail?.kind ?? 0 });
  });
  observer.observe({ entryTypes: ['gc'] });
  histogram.enable();
  try {
    const result = await work();
    // The last turn: one more tick of the timer ends it.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const worst = stalls.reduce<Stall | null>((a, b) => (a && a.ms >= b.ms ? a : b), null);
    const owns = stalls.map((stall) => stall.ownMs).filter((own): own is number => own !== null);
    return {
      result,
      loop: {
        maxDelayMs: histogram.count === 0 ? 0 : Math.max(0, histogram.max / 1e6 - 1),
        worst,
        maxOwnMs: lastSched === null ? null : Math.max(0, ...owns),
        gc: gc.filter((entry) => entry.ms > 1),
      },
    };
  } finally {
    clearInterval(timer);
    observer.disconnect();
    histogram.disable();
  }
}
