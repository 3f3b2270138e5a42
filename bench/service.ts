import { ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const TOKEN = 'bench-callbox-token-0123456789';
export const API_KEY = 'bench-admin-api-key-0123456789';

/** The flags `npm start` and the Dockerfile run the service with (keep the three in step). */
const SERVICE_NODE_FLAGS = ['--max-old-space-size=256'];

/** The built service in a child process, on its own database, with the limiters raised. */
export async function startService(
  port: number,
  databaseUrl: string,
  extraEnv: Record<string, string> = {},
  extraExecArgv: string[] = [],
): Promise<ChildProcess> {
  // BENCH_CPU_PROF=dir: the service writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF;
  // BENCH_STATEMENT_STATS=dir: every statement the drivers run, counted and timed (bench/statement-stats.js).
  // BENCH_HEAP_PROF=dir: a sampling heap profile (what the service allocates, by function) written when it stops.
  const heap = process.env.BENCH_HEAP_PROF ? ['--heap-prof', '--heap-prof-dir', process.env.BENCH_HEAP_PROF] : [];
  const statements = process.env.BENCH_STATEMENT_STATS ? ['--require', join(__dirname, 'statement-stats.js')] : [];
  // BENCH_GC_STATS=dir: garbage collections by kind and the live heap, every 10 s (bench/gc-stats.js).
  const gc = process.env.BENCH_GC_STATS ? ['--require', join(__dirname, 'gc-stats.js')] : [];
  // BENCH_ALLOC_PROF=dir: what the service allocates per second, garbage included (bench/alloc-prof.js).
  const alloc = process.env.BENCH_ALLOC_PROF ? ['--require', join(__dirname, 'alloc-prof.js')] : [];
  // BENCH_SERVICE_FLAGS: more node/V8 flags for every service the bench starts (an experiment, e.g. a GC setting).
  const experiment = process.env.BENCH_SERVICE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = fork(process.env.BENCH_ENTRY ?? join(__dirname, '..', 'dist', 'src', 'main.js'), [], {
    execArgv: [...SERVICE_NODE_FLAGS, ...statements, ...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : []), ...heap, ...gc, ...alloc, ...experiment, ...extraExecArgv],
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      CALLBOX_TOKEN: TOKEN,
      API_KEY,
      LOG_LEVEL: 'info',
      RATE_LIMIT_PER_MINUTE: '1000000',
      MAIN_RATE_LIMIT_PER_MINUTE: '10000000',
      TOPUP_RATE_LIMIT_PER_MINUTE: '1000000',
      ...extraEnv,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await waitUntilUp(`http://127.0.0.1:${port}/health/live`, child);
  return child;
}

export async function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** Peak resident memory of a process so far (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** Up to 10 minutes (a migration over millions of rows runs before the service listens), unless it exits. */
async function waitUntilUp(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 6000 && child.exitCode === null; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`service did not come up at ${url}`);
}
