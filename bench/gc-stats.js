'use strict';
/**
 * Preloaded into the service by the bench when BENCH_GC_STATS=<dir> (`--require`): every 10 s,
 * appends to <dir>/gc-<pid>.jsonl the garbage collections of those 10 s by kind (count and total
 * pause in ms: minor = scavenges, major = mark-compacts), the heap used right after each
 * mark-compact (the live set), and the process's heap, external memory and RSS. Measurement only:
 * the service's own code is untouched.
 */
const { appendFileSync } = require('node:fs');
const { join } = require('node:path');
const { constants, PerformanceObserver } = require('node:perf_hooks');
const v8 = require('node:v8');

const file = join(process.env.BENCH_GC_STATS, `gc-${process.pid}.jsonl`);
const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
const MB = 1024 * 1024;
const fresh = () => ({ at: Date.now(), minor: [0, 0], major: [0, 0], incremental: [0, 0], weakcb: [0, 0], liveAfterMajorMb: [] });
let window = fresh();

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = KINDS[entry.detail?.kind];
    if (!kind) continue;
    window[kind][0] += 1;
    window[kind][1] += entry.duration;
    if (kind === 'major') window.liveAfterMajorMb.push(Math.round(v8.getHeapStatistics().used_heap_size / MB));
  }
}).observe({ entryTypes: ['gc'] });

setInterval(() => {
  const heap = v8.getHeapStatistics();
  const memory = process.memoryUsage();
  const line = { ...window, until: Date.now() };
  for (const kind of Object.values(KINDS)) line[kind] = [line[kind][0], Math.round(line[kind][1])];
  Object.assign(line, {
    heapUsedMb: Math.round(heap.used_heap_size / MB),
    heapTotalMb: Math.round(heap.total_heap_size / MB),
    externalMb: Math.round(memory.external / MB),
    rssMb: Math.round(memory.rss / MB),
    spacesMb: Object.fromEntries(v8.getHeapSpaceStatistics().map((space) => [space.space_name, Math.round(space.space_used_size / MB)])),
  });
  appendFileSync(file, `${JSON.stringify(line)}\n`);
  window = fresh();
}, 10_000).unref();
