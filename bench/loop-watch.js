'use strict';
/**
 * Loaded into the service under test by the big_table step (`node --require`): watches the service's
 * own event loop between a 'loop-watch:start' and a 'loop-watch:stop' message from the bench (IPC),
 * then answers with what it saw. The service's code is untouched; this is the same instrument as
 * its `merecharge_event_loop_delay_*` metrics (perf_hooks.monitorEventLoopDelay), at 1 ms
 * resolution and over exactly the bench's window, plus what a metric cannot say: when each stall
 * happened (to lay it beside the request that was running) and the garbage collector's pauses.
 */
const { readFileSync } = require('node:fs');
const { monitorEventLoopDelay, PerformanceObserver, performance } = require('node:perf_hooks');

/**
 * The main thread's time on a CPU and waiting for one (the kernel's schedstat, nanoseconds): what
 * a stall was made of. The rest of a stall is time the thread slept inside a system call (an fsync,
 * a page read), neither running nor runnable.
 */
function schedstat() {
  try {
    const [cpu, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ');
    return { cpuMs: Number(cpu) / 1e6, waitMs: Number(wait) / 1e6 };
  } catch {
    return null;
  }
}

const RESOLUTION_MS = 1;
/** A stall is a turn of the loop that kept a 1 ms timer waiting longer than this. */
const STALL_MS = 4;

let watch = null;

const epochMs = (now) => performance.timeOrigin + now;

function start() {
  stop(false);
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  const stalls = [];
  const gc = [];
  let last = performance.now();
  let lastSched = schedstat();
  const round = (ms) => Math.round(ms * 100) / 100;
  const timer = setInterval(() => {
    const now = performance.now();
    const sched = schedstat();
    const late = now - last - RESOLUTION_MS;
    if (late > STALL_MS) {
      const stall = { startMs: epochMs(last + RESOLUTION_MS), ms: round(late) };
      if (sched && lastSched) {
        // Over the whole interval (the stall and the 1 ms before it).
        const cpuMs = sched.cpuMs - lastSched.cpuMs;
        const waitMs = sched.waitMs - lastSched.waitMs;
        Object.assign(stall, { cpuMs: round(cpuMs), runQueueMs: round(waitMs), sleptMs: round(Math.max(0, now - last - cpuMs - waitMs)) });
      }
      stalls.push(stall);
    }
    last = now;
    lastSched = sched;
  }, RESOLUTION_MS);
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.push({ startMs: epochMs(entry.startTime), ms: Math.round(entry.duration * 100) / 100, kind: entry.detail ? entry.detail.kind : entry.kind });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  watch = { histogram, stalls, gc, timer, observer };
  process.send({ type: 'loop-watch:started' });
}

function stop(answer) {
  if (!watch) return;
  const { histogram, stalls, gc, timer, observer } = watch;
  watch = null;
  clearInterval(timer);
  observer.disconnect();
  histogram.disable();
  if (!answer) return;
  // The histogram's samples are the sampling timer's intervals: its own RESOLUTION_MS is not delay.
  const late = (ns) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);
  process.send({
    type: 'loop-watch:report',
    maxMs: histogram.count ? late(histogram.max) : 0,
    p99Ms: histogram.count ? late(histogram.percentile(99)) : 0,
    samples: histogram.count,
    stalls,
    gc,
  });
}

if (process.send) {
  process.on('message', (message) => {
    if (message && message.type === 'loop-watch:start') start();
    else if (message && message.type === 'loop-watch:stop') stop(true);
  });
  // The IPC channel must not keep the service alive at shutdown.
  if (process.channel) process.channel.unref();
}
