import { CallBoxFleet } from '../src/simulator/callbox-fleet/fleet';
import { HttpClient } from '../src/simulator/callbox-fleet/http-client';
import { pacedSubmits, submittedId } from './phases';
import { TOKEN } from './service';

/** The documents' defaults: 100 boxes, a heartbeat every 10 s, a 200 ms USSD, 50 submits a second for 60 s. */
const BOXES = 100;
/** BENCH_DISPATCH_RATE: a lighter stream, to compare the two modes on a machine that cannot serve 50 a second. */
const SUBMITS_PER_SECOND = Number(process.env.BENCH_DISPATCH_RATE ?? 50);
const SUBMIT_SECONDS = Number(process.env.BENCH_DISPATCH_S ?? 60);
/** Two whole rounds of 20 s long polls: a shorter window would catch none of their answers. */
const IDLE_SECONDS = Number(process.env.BENCH_DISPATCH_IDLE_S ?? 40);

export interface DispatchLatencyFigures {
  /** Submit sent to the box's `processing` report accepted. */
  p50Ms: number;
  p99Ms: number;
  /** Requests the service answered per second while the submits ran (submits, polls, heartbeats, reports). */
  requestsPerSecond: number;
  /** The same with the fleet idle (no submits): what waiting for work costs. */
  idleRequestsPerSecond: number;
  /** Of those, the polls (the rest are heartbeats, the same in both modes). */
  idlePollsPerSecond: number;
  started: number;
  submitted: number;
  errors: number;
}

/** Answers the service counted so far (http_responses_total, every route), from its /metrics; rejects past `timeoutMs`. */
export async function answered(baseUrl: string, timeoutMs = 30_000): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) })).text();
  let total = 0;
  for (const line of text.split('\n')) if (line.startsWith('http_responses_total{')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  return total;
}

/** One fleet at the documents' defaults, long-polling or polling every pollIntervalMs, under a steady stream of submits. */
export async function dispatchLatency(baseUrl: string, longPoll: boolean): Promise<DispatchLatencyFigures> {
  const submittedAt = new Map<string, number>();
  const latencies: number[] = [];
  const fleet = new CallBoxFleet({
    count: BOXES,
    baseUrl,
    token: TOKEN,
    latencyMs: 200,
    failRate: 0,
    heartbeatIntervalMs: 10_000,
    longPollWaitMs: longPoll ? 20_000 : false,
    idPrefix: longPoll ? 'lp' : 'poll',
    onStarted: (id, at) => {
      const sent = submittedAt.get(id);
      if (sent !== undefined) latencies.push(at - sent);
    },
  });
  await fleet.start();
  // Let the polls spread over their interval, then measure the idle fleet.
  await sleep(5_000);
  const idleFrom = await answered(baseUrl);
  const idlePollsFrom = fleet.counters.polls;
  await sleep(IDLE_SECONDS * 1000);
  // Less the first /metrics read itself, counted once answered.
  const idleRequestsPerSecond = ((await answered(baseUrl)) - idleFrom - 1) / IDLE_SECONDS;
  const idlePollsPerSecond = (fleet.counters.polls - idlePollsFrom) / IDLE_SECONDS;

  const client = new HttpClient(baseUrl);
  let errors = 0;
  const loadFrom = await answered(baseUrl);
  const began = await pacedSubmits(client, { count: SUBMIT_SECONDS * SUBMITS_PER_SECOND, perSecond: SUBMITS_PER_SECOND }, (submit) => {
    const id = 'answer' in submit ? submittedId(submit.answer) : undefined;
    if (id) submittedAt.set(id, submit.sentAt);
    else errors += 1;
  });
  const seconds = (Date.now() - began) / 1000;
  const requestsPerSecond = Math.round(((await answered(baseUrl)) - loadFrom - 1) / seconds);
  const deadline = Date.now() + 60_000;
  while (latencies.length < submittedAt.size && Date.now() < deadline) await sleep(100);
  await fleet.stop();
  client.close();
  latencies.sort((a, b) => a - b);
  return {
    p50Ms: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
    p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    requestsPerSecond,
    idleRequestsPerSecond: Math.round(idleRequestsPerSecond * 10) / 10,
    idlePollsPerSecond: Math.round(idlePollsPerSecond * 10) / 10,
    started: latencies.length,
    submitted: submittedAt.size,
    errors: errors + fleet.counters.errors,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
