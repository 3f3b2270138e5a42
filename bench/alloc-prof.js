'use strict';
/**
 * Preloaded into the service by the bench when BENCH_ALLOC_PROF=<dir> (`--require`): a sampling
 * allocation profile of everything the main thread allocates during a window, including what the
 * garbage collector has already freed (V8's --heap-prof keeps only what is still alive, which hides
 * the short-lived garbage that drives scavenges). Written to <dir>/alloc-<pid>.heapprofile (open it
 * in Chrome DevTools, Memory tab, or summarise it with bench/alloc-top.js). The window starts
 * BENCH_ALLOC_PROF_START_MS after boot (default 45 000: past the fleet's registration) and lasts
 * BENCH_ALLOC_PROF_FOR_MS (default 30 000). Measurement only: the service's own code is untouched.
 */
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { isMainThread } = require('node:worker_threads');

const dir = process.env.BENCH_ALLOC_PROF;
const startMs = Number(process.env.BENCH_ALLOC_PROF_START_MS ?? 45_000);
const forMs = Number(process.env.BENCH_ALLOC_PROF_FOR_MS ?? 30_000);

// Checkpoint workers load the same --require: only the service's own thread is profiled.
if (dir && isMainThread) {
  const session = new inspector.Session();
  session.connect();
  const sampling = { samplingInterval: 32_768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
  setTimeout(() => {
    session.post('HeapProfiler.startSampling', sampling, (error) => {
      if (error) return void console.error('alloc-prof: sampling refused', error.message);
      setTimeout(() => {
        session.post('HeapProfiler.stopSampling', (stopError, result) => {
          if (stopError) return void console.error('alloc-prof: stop refused', stopError.message);
          writeFileSync(join(dir, `alloc-${process.pid}.heapprofile`), JSON.stringify({ windowMs: forMs, ...result.profile }));
        });
      }, forMs).unref();
    });
  }, startMs).unref();
}
