import { IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

/** The delay is sampled every RESOLUTION_MS; windows of WINDOW_MS, WINDOWS of them kept (one minute). */
const RESOLUTION_MS = 10;
export const WINDOW_MS = 5_000;
const WINDOWS = 12;

export interface EventLoopDelay {
  /** The worst delay over the last minute, in seconds. */
  maxSeconds: number;
  /** The worst 5-second window's 99th percentile over the last minute, in seconds. */
  p99Seconds: number;
}

/**
 * How late the event loop ran (perf_hooks.monitorEventLoopDelay), over a sliding minute: a scrape
 * reads without resetting anything, so two Prometheus servers (or a person with curl) see the same
 * figures, and a freeze between two scrapes is never missed.
 */
export class EventLoopDelayMonitor {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private readonly windows: Array<{ maxNs: number; p99Ns: number }> = [];
  private timer: NodeJS.Timeout | null = null;

  start(): void {
    if (this.timer) return;
    this.histogram.enable();
    this.timer = setInterval(() => this.rotate(), WINDOW_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.histogram.disable();
  }

  /** Closes the current window (the timer does it every WINDOW_MS). */
  rotate(): void {
    this.windows.push(this.current());
    if (this.windows.length > WINDOWS - 1) this.windows.shift();
    this.histogram.reset();
  }

  read(): EventLoopDelay {
    const all = [...this.windows, this.current()];
    const maxNs = Math.max(0, ...all.map((w) => w.maxNs));
    const p99Ns = Math.max(0, ...all.map((w) => w.p99Ns));
    return { maxSeconds: maxNs / 1e9, p99Seconds: p99Ns / 1e9 };
  }

  private current(): { maxNs: number; p99Ns: number } {
    // An empty histogram reports its minimum as 9.2e18 and its maximum as 0: only samples count.
    if (this.histogram.count === 0) return { maxNs: 0, p99Ns: 0 };
    // The sampling timer's own interval is not delay.
    const late = (ns: number) => Math.max(0, ns - RESOLUTION_MS * 1e6);
    return { maxNs: late(this.histogram.max), p99Ns: late(this.histogram.percentile(99)) };
  }
}
