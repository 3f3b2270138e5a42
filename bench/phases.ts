import autocannon from 'autocannon';
import { CallBoxFleet } from '../src/simulator/callbox-fleet/fleet';
import { HttpAnswer, HttpClient } from '../src/simulator/callbox-fleet/http-client';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSeconds, treeCpuSeconds } from './proc';
import { API_KEY, TOKEN } from './service';

export const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
export const JSON_HEADERS = { 'content-type': 'application/json' };

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export async function load(options: autocannon.Options): Promise<LoadFigures> {
  const result = await autocannon({ duration: DURATION_S, connections: 50, ...options });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

export const submission = () =>
  JSON.stringify({ type: 'recharge', phoneNumber: '+237677123456', amount: 1000, payItemId: 'BENCH_1000', customerInfo: { operator: 'MTN' } });

/** What became of one paced submit: its answer (or failure) and when it left. */
export type PacedSubmit = { sentAt: number } & ({ answer: HttpAnswer } | { error: unknown });

/**
 * `count` submits (the main system's, `x-api-key`) at a steady `perSecond` whatever each answer
 * takes: the i-th leaves at the start + i / rate. `settle` sees each outcome; resolves once all have
 * settled, with the time the first left.
 */
export async function pacedSubmits(
  client: HttpClient,
  { count, perSecond, timeoutMs }: { count: number; perSecond: number; timeoutMs?: number },
  settle: (submit: PacedSubmit) => void,
): Promise<number> {
  const body = submission();
  const began = Date.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = began + (i * 1000) / perSecond;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    const sentAt = Date.now();
    sends.push(
      client.send('POST', '/api/transaction/to-callbox', { ...JSON_HEADERS, 'x-api-key': API_KEY }, body, timeoutMs).then(
        (answer) => settle({ sentAt, answer }),
        (error: unknown) => settle({ sentAt, error }),
      ),
    );
  }
  await Promise.all(sends);
  return began;
}

/** The transaction id in a submit's answer, if it was accepted. */
export function submittedId(answer: HttpAnswer): string | undefined {
  return answer.ok ? (JSON.parse(answer.body) as { transaction?: { id: string } }).transaction?.id : undefined;
}

export function submitLoad(baseUrl: string): Promise<LoadFigures> {
  return load({
    url: `${baseUrl}/api/transaction/to-callbox`,
    method: 'POST',
    headers: { ...JSON_HEADERS, 'x-api-key': API_KEY },
    body: submission(),
  });
}

export async function registerBoxes(baseUrl: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `bench_${String(i).padStart(3, '0')}`);
  for (const callboxId of ids) {
    const response = await fetch(`${baseUrl}/api/call-box/register`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ callboxId, capabilities: { maxConcurrentTransactions: 5, supportedTypes: ['recharge'] } }),
    });
    if (!response.ok) throw new Error(`register ${callboxId}: HTTP ${response.status}`);
  }
  return ids;
}

/** Requests that take turns among the boxes, as a fleet would. */
function rotating(ids: string[], make: (id: string) => autocannon.Request): autocannon.Request[] {
  let next = 0;
  return [{ setupRequest: (request) => ({ ...request, ...make(ids[next++ % ids.length]) }) }];
}

export function idlePollLoad(baseUrl: string, ids: string[]): Promise<LoadFigures> {
  return load({
    url: baseUrl,
    headers: { authorization: `Bearer ${TOKEN}` },
    requests: rotating(ids, (id) => ({ method: 'GET', path: `/api/call-box/transactions/pending?callboxId=${id}` })),
  });
}

export function heartbeatLoad(baseUrl: string, ids: string[]): Promise<LoadFigures> {
  return load({
    url: baseUrl,
    headers: { ...JSON_HEADERS, authorization: `Bearer ${TOKEN}` },
    requests: rotating(ids, (id) => ({
      method: 'POST',
      path: '/api/call-box/heartbeat',
      body: JSON.stringify({ callboxId: id, status: 'active', queueSize: 0, metrics: { uptime: 1, memoryUsage: 10, processedTransactions: 0 } }),
    })),
  });
}

export interface EndToEndFigures {
  transactions: number;
  completedPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  seconds: number;
  /** How the boxes asked for work: long polls (the simulator's default) or a plain poll every 50 ms when idle. */
  polling: 'long' | 'plain';
  /** Accepted submits a second while the pushes ran: above completedPerSecond a queue builds, and the p99 is its wait. */
  submittedPerSecond: number;
  /** CPU (user + system, from /proc) per completed transaction, in ms: each service process, the database server (PostgreSQL) and its backends, this load generator. */
  cpuMsPerTransaction: { services: number[]; database: number | null; loadGenerator: number };
  /** Requests per completed transaction, by kind (the fleet's counters and the submits). */
  requestsPerTransaction: Record<string, number>;
  /** With BENCH_STATEMENT_STATS: statements each service sent per completed transaction (on PostgreSQL each is a round trip), and the commonest. */
  statementsPerTransaction?: { services: number[]; top: Array<{ perTransaction: number; text: string }> };
}

/** The main system's concurrent pushes. */
const SUBMITTERS = Number(process.env.BENCH_SUBMITTERS ?? 50);

/** BENCH_E2E_POLL=plain: the boxes poll every 50 ms when idle, as the step did before long polling. */
const E2E_POLLING: 'long' | 'plain' = process.env.BENCH_E2E_POLL === 'plain' ? 'plain' : 'long';

/** Every statement a service (started with BENCH_STATEMENT_STATS) has run so far, by text (bench/statement-stats.js). */
async function statementCounts(pid: number): Promise<Map<string, number> | null> {
  const dir = process.env.BENCH_STATEMENT_STATS;
  if (!dir) return null;
  const file = join(dir, `statements-${pid}.json`);
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 50 && !existsSync(file); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const entries = JSON.parse(readFileSync(file, 'utf8')) as Array<{ text: string; count: number }>;
  return new Map(entries.map((entry) => [entry.text, entry.count]));
}

/** Statements per completed transaction between two counts of each service. */
function statementsPer(before: Array<Map<string, number> | null>, after: Array<Map<string, number> | null>, done: number) {
  if (after.some((counts) => counts === null)) return undefined;
  const byText = new Map<string, number>();
  const services = after.map((counts, i) => {
    let total = 0;
    for (const [text, count] of counts!) {
      const n = count - (before[i]?.get(text) ?? 0);
      total += n;
      byText.set(text, (byText.get(text) ?? 0) + n);
    }
    return Math.round((total / done) * 100) / 100;
  });
  const top = [...byText.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([text, n]) => ({ perTransaction: Math.round((n / done) * 100) / 100, text: text.slice(0, 160) }));
  return { services, top };
}

/** 100 simulated boxes, `total` transactions pushed by the main system: how fast are they completed? */
export async function endToEnd(
  baseUrls: string[],
  total: number,
  boxes: number,
  { servicePids, databasePid }: { servicePids: number[]; databasePid: number | null },
): Promise<EndToEndFigures> {
  const submittedAt = new Map<string, number>();
  const latencies: number[] = [];
  let lastCompletion = 0;
  const fleets = baseUrls.map(
    (baseUrl, i) =>
      new CallBoxFleet({
        count: Math.ceil(boxes / baseUrls.length),
        baseUrl,
        token: TOKEN,
        latencyMs: 0,
        failRate: 0,
        // Plain polling: every 50 ms when idle (the step as measured before long polling). Long
        // polling (what firmware does now): an idle box's request is held until work for it exists.
        pollIntervalMs: 50,
        longPollWaitMs: E2E_POLLING === 'plain' ? false : 20_000,
        heartbeatIntervalMs: 5000,
        idPrefix: `e2e${i}`,
        maxSockets: Number(process.env.BENCH_E2E_SOCKETS ?? 256),
        onCompleted: (id, at) => {
          const start = submittedAt.get(id);
          if (start !== undefined) latencies.push(at - start);
          lastCompletion = at;
        },
      }),
  );
  await Promise.all(fleets.map((fleet) => fleet.start()));
  const requestsFrom = fleets.map((fleet) => ({ ...fleet.counters }));
  const statementsFrom = await Promise.all(servicePids.map(statementCounts));
  const cpuFrom = { services: servicePids.map(cpuSeconds), database: databasePid ? treeCpuSeconds(databasePid) : 0, own: process.cpuUsage() };
  const began = Date.now();
  let next = 0;
  const body = submission();
  const clients = baseUrls.map((baseUrl) => new HttpClient(baseUrl));
  const submitters = Array.from({ length: SUBMITTERS }, async (_, worker) => {
    const client = clients[worker % clients.length];
    while (next < total) {
      next += 1;
      const sentAt = Date.now();
      const response = await client.send('POST', '/api/transaction/to-callbox', { ...JSON_HEADERS, 'x-api-key': API_KEY }, body);
      const answer = JSON.parse(response.body) as { transaction?: { id: string } };
      if (answer.transaction) submittedAt.set(answer.transaction.id, sentAt);
    }
  });
  await Promise.all(submitters);
  const submitSeconds = (Date.now() - began) / 1000;
  for (const client of clients) client.close();
  const deadline = Date.now() + 180_000;
  while (latencies.length < submittedAt.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const cpu = {
    services: servicePids.map((pid, i) => cpuSeconds(pid) - cpuFrom.services[i]),
    database: databasePid ? treeCpuSeconds(databasePid) - cpuFrom.database : null,
    own: process.cpuUsage(cpuFrom.own),
  };
  const statementsTo = await Promise.all(servicePids.map(statementCounts));
  const requests = { submits: submittedAt.size, polls: 0, heartbeats: 0, reports: 0 };
  fleets.forEach((fleet, i) => {
    const polls = fleet.counters.polls - requestsFrom[i].polls;
    const heartbeats = fleet.counters.heartbeats - requestsFrom[i].heartbeats;
    requests.polls += polls;
    requests.heartbeats += heartbeats;
    requests.reports += fleet.counters.requests - requestsFrom[i].requests - polls - heartbeats;
  });
  await Promise.all(fleets.map((fleet) => fleet.stop()));
  latencies.sort((a, b) => a - b);
  const seconds = (lastCompletion - began) / 1000;
  const done = Math.max(1, latencies.length);
  const perTransaction = (cpuSecondsUsed: number) => Math.round((cpuSecondsUsed * 1000 * 1000) / done) / 1000;
  return {
    transactions: latencies.length,
    completedPerSecond: Math.round(latencies.length / seconds),
    p50Ms: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
    p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    seconds: Math.round(seconds * 10) / 10,
    polling: E2E_POLLING,
    submittedPerSecond: Math.round(submittedAt.size / submitSeconds),
    cpuMsPerTransaction: {
      services: cpu.services.map(perTransaction),
      database: cpu.database === null ? null : perTransaction(cpu.database),
      loadGenerator: perTransaction((cpu.own.user + cpu.own.system) / 1e6),
    },
    requestsPerTransaction: Object.fromEntries(Object.entries(requests).map(([kind, count]) => [kind, Math.round((count / done) * 100) / 100])),
    statementsPerTransaction: statementsPer(statementsFrom, statementsTo, done),
  };
}
