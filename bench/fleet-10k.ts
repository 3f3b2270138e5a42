import { ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSeconds } from './proc';
import { HttpClient, HttpTimeoutError } from '../src/simulator/callbox-fleet/http-client';
import type { FleetCounters } from '../src/simulator/callbox-fleet/fleet';
import { answered } from './dispatch-latency';
import type { FleetChildMessage, FleetChildOptions } from './fleet-child';
import { pacedSubmits, submittedId } from './phases';
import { peakRssMb, TOKEN } from './service';

/** The fleet: 10 000 boxes, a heartbeat every 10 s, 20 s long polls, 50 submits a second for 60 s. */
const BOXES = Number(process.env.BENCH_FLEET_BOXES ?? 10_000);
const SUBMITS_PER_SECOND = Number(process.env.BENCH_FLEET_RATE ?? 50);
const SUBMIT_SECONDS = Number(process.env.BENCH_FLEET_S ?? 60);
/** Boxes join at this pace (not 10 000 at t=0): their long polls spread over the 20 s wait as they would in the field. */
const REGISTRATIONS_PER_SECOND = Number(process.env.BENCH_FLEET_REGISTER_RATE ?? 500);
const REGISTER_TIMEOUT_S = Number(process.env.BENCH_FLEET_REGISTER_TIMEOUT_S ?? 300);
const HEARTBEAT_MS = 10_000;
const WAIT_MS = 20_000;
/** After the last registration: one whole round of heartbeats and of long polls before measuring. */
const SETTLE_MS = Number(process.env.BENCH_FLEET_SETTLE_S ?? 20) * 1000;
/** A submit whose `processing` has not come this long after the last submit counts as a timeout. */
const DRAIN_MS = 30_000;
const SUBMIT_TIMEOUT_MS = 30_000;
/** Every read the step makes of the service or of its fleet ends within this. */
const METRICS_TIMEOUT_MS = 15_000;
const COUNTERS_TIMEOUT_MS = 15_000;

export interface Fleet10kFigures {
  boxes: number;
  /** The service's peak resident memory (VmHWM) over the whole step, registration included. */
  peakRssMb: number;
  /** The service's CPU over the submit window, percent of one core (utime + stime from /proc). */
  cpuPercent: number;
  /** Submit sent to the box's `processing` report accepted. */
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers, failed or timed-out requests seen by the fleet and the submitter, and submits never started. */
  errors: number;
  /** Answers the service gave per second over the window (its http_responses_total); null if its /metrics did not answer. */
  requestsPerSecond: number;
  submitted: number;
  started: number;
  /** Submit answers (submit sent to 201): the main system's side. */
  submitP99Ms: number;
  registrationSeconds: number | null;
  /** The load generator's own CPU over the window (the fleet's process; the submitter's, in the bench process). */
  fleetCpuPercent: number;
  submitterCpuPercent: number;
  fleetPeakRssMb: number;
  errorDetail: { fleetNon2xx: number; fleetSocketErrors: number; fleetTimeouts: number; submitErrors: number; submitTimeouts: number; unstarted: number; unregistered: number; fleetNon2xxByRoute: Record<string, number> };
}

/** Each box holds one socket on each side: the service and the fleet each need more descriptors than boxes. */
function checkOpenFiles(boxes: number): void {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const soft = Number(/Max open files\s+(\d+|unlimited)/.exec(limits)?.[1] ?? 'NaN');
  const needed = boxes + 2048;
  if (Number.isFinite(soft) && soft < needed) {
    throw new Error(`fleet_10k needs ${needed} open files per process (one socket per box); ulimit -n is ${soft}: raise it (ulimit -n ${needed}) before npm run bench`);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

/** `servicePid`: the service under test, whose CPU and memory are read from /proc. */
export async function fleet10k(baseUrl: string, servicePid: number): Promise<Fleet10kFigures> {
  checkOpenFiles(BOXES);
  const options: FleetChildOptions = {
    baseUrl,
    token: TOKEN,
    boxes: BOXES,
    registrationsPerSecond: REGISTRATIONS_PER_SECOND,
    heartbeatIntervalMs: HEARTBEAT_MS,
    waitMs: WAIT_MS,
    latencyMs: 200,
  };
  const child = fork(join(__dirname, 'fleet-child.ts'), [], {
    execArgv: ['--require', 'ts-node/register/transpile-only'],
    env: { ...process.env, FLEET_CHILD_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const startedAt = new Map<string, number>();
  let counters: FleetCounters | null = null;
  let non2xxByRoute: Record<string, number> = {};
  let registered: ((seconds: number) => void) | null = null;
  let failed: ((error: Error) => void) | null = null;
  child.on('message', (message: FleetChildMessage) => {
    if (message.type === 'started') for (const [id, at] of message.batch) startedAt.set(id, at);
    else if (message.type === 'counters') {
      counters = message.counters;
      non2xxByRoute = message.non2xxByRoute;
    }
    else if (message.type === 'registered') registered?.(message.seconds);
    else if (message.type === 'failed') failed?.(new Error(`fleet: ${message.message}`));
  });
  child.on('exit', (code) => failed?.(new Error(`the fleet process exited (${code})`)));
  // The fleet's process may be gone or too busy to answer: the step ends anyway, saying so.
  const readCounters = async (): Promise<FleetCounters | null> => {
    counters = null;
    if (!child.connected) return null;
    child.send({ type: 'counters' });
    const until = Date.now() + COUNTERS_TIMEOUT_MS;
    while (counters === null && Date.now() < until) await sleep(20);
    return counters;
  };
  try {
    // Not registered in time: the step goes on with the boxes that were, and counts the others as errors.
    const registrationSeconds = await new Promise<number>((resolve, reject) => {
      registered = resolve;
      failed = reject;
      const limit = setTimeout(() => resolve(Number.POSITIVE_INFINITY), REGISTER_TIMEOUT_S * 1000);
      limit.unref();
    });
    const unregistered = Number.isFinite(registrationSeconds) ? 0 : BOXES - ((await readCounters())?.registered ?? 0);
    process.stdout.write(
      unregistered === 0 ? `registered ${BOXES} boxes in ${registrationSeconds.toFixed(1)} s... ` : `${unregistered} of ${BOXES} boxes not registered within ${REGISTER_TIMEOUT_S} s; measuring anyway... `,
    );
    await sleep(SETTLE_MS);

    const client = new HttpClient(baseUrl, 512);
    const submittedAt = new Map<string, number>();
    const submitLatencies: number[] = [];
    let submitErrors = 0;
    let submitTimeouts = 0;
    // An overwhelmed service may not answer its /metrics: the step still reports what it measured.
    const answeredNow = () => answered(baseUrl, METRICS_TIMEOUT_MS).catch(() => Number.NaN);
    const answeredFrom = await answeredNow();
    const serviceCpuFrom = cpuSeconds(servicePid);
    const fleetCpuFrom = cpuSeconds(child.pid!);
    const ownCpuFrom = process.cpuUsage();
    const began = await pacedSubmits(client, { count: SUBMIT_SECONDS * SUBMITS_PER_SECOND, perSecond: SUBMITS_PER_SECOND, timeoutMs: SUBMIT_TIMEOUT_MS }, (submit) => {
      if ('error' in submit) {
        submitErrors += 1;
        if (submit.error instanceof HttpTimeoutError) submitTimeouts += 1;
        return;
      }
      submitLatencies.push(Date.now() - submit.sentAt);
      const id = submittedId(submit.answer);
      if (id) submittedAt.set(id, submit.sentAt);
      else submitErrors += 1;
    });
    const seconds = (Date.now() - began) / 1000;
    const serviceCpu = cpuSeconds(servicePid) - serviceCpuFrom;
    const fleetCpu = cpuSeconds(child.pid!) - fleetCpuFrom;
    const ownCpu = process.cpuUsage(ownCpuFrom);
    const requestsPerSecond = Math.round(((await answeredNow()) - answeredFrom - 1) / seconds);
    client.close();

    const deadline = Date.now() + DRAIN_MS;
    const startedCount = () => [...submittedAt.keys()].filter((id) => startedAt.has(id)).length;
    while (startedCount() < submittedAt.size && Date.now() < deadline) await sleep(250);
    const seen = (await readCounters()) ?? { non2xx: Number.NaN, socketErrors: Number.NaN, timeouts: Number.NaN };
    const latencies = [...submittedAt].flatMap(([id, sent]) => (startedAt.has(id) ? [startedAt.get(id)! - sent] : [])).sort((a, b) => a - b);
    submitLatencies.sort((a, b) => a - b);
    const unstarted = submittedAt.size - latencies.length;
    const errorDetail = {
      fleetNon2xx: seen.non2xx,
      fleetSocketErrors: seen.socketErrors,
      fleetTimeouts: seen.timeouts,
      submitErrors,
      submitTimeouts,
      unstarted,
      unregistered,
      fleetNon2xxByRoute: non2xxByRoute,
    };
    return {
      boxes: BOXES,
      peakRssMb: peakRssMb(servicePid),
      cpuPercent: Math.round((serviceCpu / seconds) * 1000) / 10,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      errors: seen.non2xx + seen.socketErrors + submitErrors + unstarted + unregistered,
      requestsPerSecond,
      submitted: submittedAt.size,
      started: latencies.length,
      submitP99Ms: percentile(submitLatencies, 0.99),
      // null: not all registered within BENCH_FLEET_REGISTER_TIMEOUT_S (errorDetail.unregistered says how many were not).
      registrationSeconds: Number.isFinite(registrationSeconds) ? Math.round(registrationSeconds * 10) / 10 : null,
      fleetCpuPercent: Math.round((fleetCpu / seconds) * 1000) / 10,
      submitterCpuPercent: Math.round(((ownCpu.user + ownCpu.system) / 1e6 / seconds) * 1000) / 10,
      fleetPeakRssMb: peakRssMb(child.pid!),
      errorDetail,
    };
  } finally {
    failed = null;
    child.kill('SIGKILL');
  }
}
