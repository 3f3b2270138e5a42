/**
 * A/B of builds on one load, for changes smaller than the noise of `npm run bench` (its ratios
 * moved 15 % between identical runs on this virtual machine, the host's load drifting over
 * minutes). Every build's service is up at once, on its own SQLite file, pinned to CPU 1; the load
 * (this process, autocannon) is pinned to CPU 0 and goes to each service in turn in short bursts,
 * the order reversed every round, so a drift of the host falls on every build alike. Prints each
 * build's requests a second and its service's CPU a request (the steadier figure).
 *
 *   taskset -c 0 npx ts-node --transpile-only bench/ab.ts idle_poll 8 3 /tmp/before /tmp/after
 *
 * Arguments: the step (idle_poll, heartbeat or submit: the bench's loads), the rounds, the seconds
 * of a burst, then each build's checkout (built: `npm run build`, its bench/ and test/ present).
 * Needs `taskset` (util-linux).
 */
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { cpuSeconds } from './proc';
import { API_KEY, TOKEN } from './service';

type Step = 'idle_poll' | 'heartbeat' | 'submit';
const STEPS: readonly Step[] = ['idle_poll', 'heartbeat', 'submit'];
const BASE_PORT = Number(process.env.BENCH_PORT ?? 3950);
const CONNECTIONS = 50;
const BOXES = Array.from({ length: 100 }, (_, i) => `bench_${String(i).padStart(3, '0')}`);

interface Build {
  dir: string;
  pid: number;
  baseUrl: string;
  requests: number;
  cpuSeconds: number;
  seconds: number;
  bursts: number[];
  stop(): Promise<void>;
}

function loadFor(step: Step, baseUrl: string): autocannon.Options {
  let next = 0;
  const rotating = (make: (id: string) => autocannon.Request) => [{ setupRequest: (request: autocannon.Request) => ({ ...request, ...make(BOXES[next++ % BOXES.length]) }) }];
  const json = { 'content-type': 'application/json' };
  if (step === 'idle_poll') {
    return { url: baseUrl, headers: { authorization: `Bearer ${TOKEN}` }, requests: rotating((id) => ({ method: 'GET', path: `/api/call-box/transactions/pending?callboxId=${id}` })) };
  }
  if (step === 'heartbeat') {
    const body = (id: string) => JSON.stringify({ callboxId: id, status: 'active', queueSize: 0, metrics: { uptime: 1, memoryUsage: 10, processedTransactions: 0 } });
    return { url: baseUrl, headers: { ...json, authorization: `Bearer ${TOKEN}` }, requests: rotating((id) => ({ method: 'POST', path: '/api/call-box/heartbeat', body: body(id) })) };
  }
  const body = JSON.stringify({ type: 'recharge', phoneNumber: '+237677123456', amount: 1000, payItemId: 'BENCH_1000', customerInfo: { operator: 'MTN' } });
  return { url: `${baseUrl}/api/transaction/to-callbox`, method: 'POST', headers: { ...json, 'x-api-key': API_KEY }, body };
}

async function start(dir: string, index: number): Promise<Build> {
  // Each build's own service and database helpers: the builds may differ in them too.
  const { startService, stopService } = require(`${dir}/bench/service`) as typeof import('./service');
  const { createTestDatabase } = require(`${dir}/test/support/test-database`) as typeof import('../test/support/test-database');
  const database = await createTestDatabase({ label: `ab_${index}` });
  const port = BASE_PORT + index;
  const child = await startService(port, database.url);
  execFileSync('taskset', ['-pc', '1', String(child.pid)], { stdio: 'ignore' });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (const callboxId of BOXES) {
    const response = await fetch(`${baseUrl}/api/call-box/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ callboxId, capabilities: { maxConcurrentTransactions: 5, supportedTypes: ['recharge'] } }),
    });
    if (!response.ok) throw new Error(`${dir}: register ${callboxId}: HTTP ${response.status}`);
  }
  const stop = async () => {
    await stopService(child);
    await database.drop();
  };
  return { dir, pid: child.pid!, baseUrl, requests: 0, cpuSeconds: 0, seconds: 0, bursts: [], stop };
}

async function main(): Promise<void> {
  const [step, roundsArg, burstArg, ...dirs] = process.argv.slice(2);
  const rounds = Number(roundsArg);
  const burstSeconds = Number(burstArg);
  if (!STEPS.includes(step as Step) || !(rounds > 0) || !(burstSeconds > 0) || dirs.length === 0) {
    throw new Error(`usage: ab.ts <${STEPS.join('|')}> <rounds> <burst seconds> <build dir>...`);
  }
  const builds: Build[] = [];
  try {
    for (const [index, dir] of dirs.entries()) builds.push(await start(dir, index));
    for (const build of builds) await autocannon({ ...loadFor(step as Step, build.baseUrl), connections: CONNECTIONS, duration: 3 });
    for (let round = 0; round < rounds; round++) {
      for (const build of round % 2 === 0 ? builds : [...builds].reverse()) {
        const cpuBefore = cpuSeconds(build.pid);
        const startedAt = Date.now();
        const result = await autocannon({ ...loadFor(step as Step, build.baseUrl), connections: CONNECTIONS, duration: burstSeconds });
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`${build.dir}: ${result.non2xx} answers not 2xx, ${result.errors} errors`);
        build.seconds += (Date.now() - startedAt) / 1000;
        build.cpuSeconds += cpuSeconds(build.pid) - cpuBefore;
        build.requests += result.requests.total;
        build.bursts.push(Math.round(result.requests.average));
      }
    }
    for (const build of builds) {
      const perRequestUs = ((build.cpuSeconds * 1e6) / build.requests).toFixed(1);
      console.log(`${build.dir}: ${Math.round(build.requests / build.seconds)} req/s, ${perRequestUs} us of service CPU a request; bursts ${build.bursts.join(' ')}`);
    }
  } finally {
    for (const build of builds) await build.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
