import autocannon from 'autocannon';
import { CallBoxFleet } from '../src/simulator/callbox-fleet/fleet';
import { HttpAnswer, HttpClient } from '../src/simulator/callbox-fleet/http-client';
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
}

/** The main system's concurrent pushes. */
const SUBMITTERS = Number(process.env.BENCH_SUBMITTERS ?? 50);

/** 100 simulated boxes, `total` transactions pushed by the main system: how fast are they completed? */
export async function endToEnd(baseUrls: string[], total: number, boxes: number): Promise<EndToEndFigures> {
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
        pollIntervalMs: 50,
        // The step as it was measured before long polling (the simulator's default now): figures stay comparable.
        longPollWaitMs: false,
        heartbeatIntervalMs: 5000,
        idPrefix: `e2e${i}`,
        onCompleted: (id, at) => {
          const start = submittedAt.get(id);
          if (start !== undefined) latencies.push(at - start);
          lastCompletion = at;
        },
      }),
  );
  await Promise.all(fleets.map((fleet) => fleet.start()));
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
  for (const client of clients) client.close();
  const deadline = Date.now() + 180_000;
  while (latencies.length < submittedAt.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  await Promise.all(fleets.map((fleet) => fleet.stop()));
  latencies.sort((a, b) => a - b);
  const seconds = (lastCompletion - began) / 1000;
  return {
    transactions: latencies.length,
    completedPerSecond: Math.round(latencies.length / seconds),
    p50Ms: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
    p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    seconds: Math.round(seconds * 10) / 10,
  };
}
