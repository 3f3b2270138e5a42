/**
 * The fleet_10k step's load generator, in a process of its own (forked by fleet-10k.ts): its CPU is
 * measured apart from the service's and from the submitter's, and its event loop delays neither.
 * Tells its parent over IPC when the whole fleet is registered, and when each box's `processing`
 * report was accepted (batched); answers `counters` with what the fleet saw.
 */
import { CallBoxFleet } from '../src/simulator/callbox-fleet/fleet';

export interface FleetChildOptions {
  baseUrl: string;
  token: string;
  boxes: number;
  registrationsPerSecond: number;
  heartbeatIntervalMs: number;
  waitMs: number;
  latencyMs: number;
}

export type FleetChildMessage =
  | { type: 'registered'; seconds: number }
  | { type: 'started'; batch: Array<[string, number]> }
  | { type: 'counters'; counters: CallBoxFleet['counters']; non2xxByRoute: Record<string, number> }
  | { type: 'failed'; message: string };

const options = JSON.parse(process.env.FLEET_CHILD_OPTIONS ?? '{}') as FleetChildOptions;
const send = (message: FleetChildMessage) => process.send?.(message);

let started: Array<[string, number]> = [];
const began = Date.now();
const fleet = new CallBoxFleet({
  count: options.boxes,
  baseUrl: options.baseUrl,
  token: options.token,
  latencyMs: options.latencyMs,
  failRate: 0,
  heartbeatIntervalMs: options.heartbeatIntervalMs,
  longPollWaitMs: options.waitMs,
  idPrefix: 'fleet',
  // One held poll per box, plus room for the heartbeats and reports sent meanwhile.
  maxSockets: options.boxes + 1024,
  registrationsPerSecond: options.registrationsPerSecond,
  spreadHeartbeats: true,
  requestTimeoutMs: 30_000,
  onStarted: (id, at) => started.push([id, at]),
});

// Progress on stderr: a slow registration on a loaded machine shows, rather than a silent wait.
const progress = setInterval(() => {
  const { registered, requests, polls, heartbeats, errors } = fleet.counters;
  process.stderr.write(`  fleet: ${JSON.stringify({ seconds: Math.round((Date.now() - began) / 1000), registered, requests, polls, heartbeats, errors, lastError: fleet.lastError })}\n`);
}, 15_000);
progress.unref();

const flusher = setInterval(() => {
  if (started.length === 0) return;
  send({ type: 'started', batch: started });
  started = [];
}, 200);

process.on('message', (message: { type: string }) => {
  if (message.type === 'counters') send({ type: 'counters', counters: { ...fleet.counters }, non2xxByRoute: { ...fleet.non2xxByRoute } });
});
process.on('disconnect', () => {
  clearInterval(flusher);
  process.exit(0);
});

fleet.start().then(
  () => send({ type: 'registered', seconds: (Date.now() - began) / 1000 }),
  (error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
);
