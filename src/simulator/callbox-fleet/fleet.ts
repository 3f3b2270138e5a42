import { HttpAnswer, HttpClient, HttpTimeoutError } from './http-client';

/**
 * A fleet of simulated CallBoxes speaking the device API like real firmware: register, heartbeat,
 * poll at the configured interval, report `processing`, "run the USSD" for a while, then report
 * `completed` or `failed`. Used for demos and by the benchmark.
 */
export interface FleetOptions {
  count: number;
  baseUrl: string;
  token: string;
  /** How long a box takes to execute one transaction. */
  latencyMs: number;
  /** Share of executions that fail, 0 to 1. */
  failRate: number;
  /** Overrides the server's pollIntervalMs (the benchmark polls faster than firmware). */
  pollIntervalMs?: number;
  heartbeatIntervalMs?: number;
  /**
   * Long polling (the default): each poll asks the server to hold it up to this long (capped by
   * the server's config.longPollMaxWaitMs; a server that advertises none is polled every
   * pollIntervalMs). false: the old behaviour, a plain poll every pollIntervalMs.
   */
  longPollWaitMs?: number | false;
  maxConcurrent?: number;
  idPrefix?: string;
  /** Sockets the fleet may hold at once (default 256): a long-polling fleet holds one per box. */
  maxSockets?: number;
  /** Registrations a second (default: all at once); each box starts polling once registered. */
  registrationsPerSecond?: number;
  /** First heartbeat at a random point of the interval rather than one interval after registering. */
  spreadHeartbeats?: boolean;
  /** Every request's time limit (a held poll gets its waitMs on top); none by default. */
  requestTimeoutMs?: number;
  onCompleted?: (transactionId: string, at: number) => void;
  /** When the gateway accepted the box's `processing` report: the USSD starts now. */
  onStarted?: (transactionId: string, at: number) => void;
}

/** Registrations a paced start keeps in flight at most. */
const MAX_REGISTERING = 64;

/** What the simulated firmware asks for: under a typical proxy's 30 s idle timeout. */
export const DEFAULT_WAIT_MS = 20_000;

export interface FleetCounters {
  registered: number;
  polls: number;
  claimed: number;
  completed: number;
  failed: number;
  heartbeats: number;
  errors: number;
  refused: number;
  /** Answers other than 2xx, whatever the request (refused reports included). */
  non2xx: number;
  /** Requests that got no answer: the connection failed, or timed out (also counted in errors). */
  socketErrors: number;
  /** Of those, requests abandoned past requestTimeoutMs. */
  timeouts: number;
  /** Every request sent, whatever its answer. */
  requests: number;
}

interface Transaction {
  id: string;
  /** Which assignment this is (older gateways send none: then the reports name none either). */
  attempt?: number;
}

export class CallBoxFleet {
  readonly counters: FleetCounters = {
    registered: 0,
    polls: 0,
    claimed: 0,
    completed: 0,
    failed: 0,
    heartbeats: 0,
    errors: 0,
    refused: 0,
    non2xx: 0,
    socketErrors: 0,
    timeouts: 0,
    requests: 0,
  };
  private running = false;
  /** What the last request that got no answer failed with. */
  lastError: string | null = null;
  /** Answers other than 2xx by route and status (`PUT /api/call-box/transactions/:id/status 409`). */
  readonly non2xxByRoute: Record<string, number> = {};
  private readonly loops: Promise<void>[] = [];
  private readonly http: HttpClient;

  constructor(private readonly options: FleetOptions) {
    this.http = new HttpClient(options.baseUrl, options.maxSockets);
  }

  /** Registers every box (at registrationsPerSecond, if set), then lets them poll and heartbeat. */
  async start(): Promise<void> {
    this.running = true;
    const ids = Array.from({ length: this.options.count }, (_, i) => `${this.options.idPrefix ?? 'sim'}_${String(i + 1).padStart(4, '0')}`);
    const pace = this.options.registrationsPerSecond;
    if (!pace) {
      const configs = await Promise.all(ids.map((id) => this.register(id)));
      ids.forEach((id, i) => this.run(id, configs[i]));
      return;
    }
    const began = Date.now();
    const registering: Promise<void>[] = [];
    let inFlight = 0;
    for (let i = 0; i < ids.length && this.running; i++) {
      const due = began + (i * 1000) / pace;
      if (due > Date.now()) await sleep(due - Date.now(), () => this.running);
      // A slow server slows the pace rather than opening a connection per registration waiting.
      while (inFlight >= MAX_REGISTERING && this.running) await sleep(5, () => this.running);
      inFlight += 1;
      const joined = this.registerRetrying(ids[i]).then(
        (config) => {
          inFlight -= 1;
          this.run(ids[i], config);
        },
        (error: unknown) => {
          inFlight -= 1;
          throw error;
        },
      );
      // Awaited below with the others; a failure before then must not go unhandled.
      joined.catch(() => undefined);
      registering.push(joined);
    }
    await Promise.all(registering);
  }

  private run(id: string, config: { pollIntervalMs: number; batchSize: number; longPollMaxWaitMs?: number }): void {
    const pollIntervalMs = this.options.pollIntervalMs ?? config.pollIntervalMs;
    const waitMs = this.options.longPollWaitMs === false ? 0 : Math.min(this.options.longPollWaitMs ?? DEFAULT_WAIT_MS, config.longPollMaxWaitMs ?? 0);
    this.loops.push(this.pollLoop(id, pollIntervalMs, config.batchSize, waitMs), this.heartbeatLoop(id));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.http.close();
  }

  /** As firmware does: a failed registration is tried again, twice at most (each failure is counted). */
  private async registerRetrying(callboxId: string): Promise<{ pollIntervalMs: number; batchSize: number; longPollMaxWaitMs?: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.register(callboxId);
      } catch (error) {
        if (attempt >= 3 || !this.running) throw error;
        await sleep(500 * attempt, () => this.running);
      }
    }
  }

  private async register(callboxId: string): Promise<{ pollIntervalMs: number; batchSize: number; longPollMaxWaitMs?: number }> {
    const response = await this.send('POST', '/api/call-box/register', {
      callboxId,
      capabilities: { maxConcurrentTransactions: this.options.maxConcurrent ?? 5, supportedTypes: ['recharge', 'voucher', 'deposit', 'withdraw'] },
      version: 'fleet-simulator',
      location: 'loopback',
    });
    const body = response?.ok ? (JSON.parse(response.body) as { config?: { pollIntervalMs: number; batchSize: number; longPollMaxWaitMs?: number } }) : null;
    if (!body?.config) throw new Error(`registration of ${callboxId} failed: ${response ? `HTTP ${response.status} ${response.body.slice(0, 300)}` : `no answer (${this.lastError})`}`);
    this.counters.registered += 1;
    return body.config;
  }

  private async heartbeatLoop(callboxId: string): Promise<void> {
    const every = this.options.heartbeatIntervalMs ?? 10_000;
    let first = this.options.spreadHeartbeats === true;
    while (this.running) {
      await sleep(first ? every * Math.random() : every * (0.9 + Math.random() * 0.2), () => this.running);
      first = false;
      if (!this.running) break;
      const body = await this.call('POST', '/api/call-box/heartbeat', { callboxId, status: 'active', queueSize: 0 });
      if (body) this.counters.heartbeats += 1;
    }
  }

  /** With `waitMs`, an empty answer came after the server held the poll: poll again at once (after an error, wait as usual). */
  private async pollLoop(callboxId: string, pollIntervalMs: number, batchSize: number, waitMs: number): Promise<void> {
    if (waitMs === 0) await sleep(Math.random() * pollIntervalMs, () => this.running);
    const query = `callboxId=${callboxId}&limit=${batchSize}${waitMs > 0 ? `&waitMs=${waitMs}` : ''}`;
    while (this.running) {
      const body = await this.call('GET', `/api/call-box/transactions/pending?${query}`, undefined, waitMs);
      this.counters.polls += 1;
      const transactions = (body?.transactions ?? []) as Transaction[];
      this.counters.claimed += transactions.length;
      await Promise.all(transactions.map((tx) => this.execute(callboxId, tx)));
      if (transactions.length === 0 && (waitMs === 0 || !body)) await sleep(pollIntervalMs, () => this.running);
    }
  }

  /** Firmware rule: report processing first, run only on a 200, then report the outcome; every report names its attempt. */
  private async execute(callboxId: string, tx: Transaction): Promise<void> {
    const started = await this.report(tx.id, callboxId, 'processing', tx.attempt);
    if (!started) return;
    this.options.onStarted?.(tx.id, Date.now());
    if (this.options.latencyMs > 0) await sleep(this.options.latencyMs * (0.5 + Math.random()), () => true);
    const failed = Math.random() < this.options.failRate;
    const result = failed
      ? { success: false, message: 'Échec USSD simulé', errorCode: 'SIMULATED' }
      : { success: true, transactionRef: `SIM${Date.now()}`, message: 'Opération simulée réussie' };
    if (await this.report(tx.id, callboxId, failed ? 'failed' : 'completed', tx.attempt, result)) {
      if (failed) this.counters.failed += 1;
      else {
        this.counters.completed += 1;
        this.options.onCompleted?.(tx.id, Date.now());
      }
    }
  }

  private async report(id: string, callboxId: string, status: string, txAttempt: number | undefined, result?: object): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await this.send('PUT', `/api/call-box/transactions/${id}/status`, { status, callboxId, attempt: txAttempt, result });
      if (response?.ok) return true;
      if (response && response.status < 500 && response.status !== 429) {
        this.counters.refused += 1;
        return false;
      }
      await sleep(200 * (attempt + 1), () => true);
    }
    return false;
  }

  private async call(method: string, path: string, body?: object, heldMs = 0): Promise<Record<string, unknown> | null> {
    const response = await this.send(method, path, body, heldMs);
    if (!response?.ok) return null;
    return JSON.parse(response.body) as Record<string, unknown>;
  }

  private async send(method: string, path: string, body?: object, heldMs = 0): Promise<HttpAnswer | null> {
    this.counters.requests += 1;
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}` };
      if (body) headers['content-type'] = 'application/json';
      const limit = this.options.requestTimeoutMs === undefined ? undefined : this.options.requestTimeoutMs + heldMs;
      const response = await this.http.send(method, path, headers, body ? JSON.stringify(body) : undefined, limit);
      if (response.status >= 500) this.counters.errors += 1;
      if (!response.ok) {
        this.counters.non2xx += 1;
        const route = `${method} ${path.split('?')[0].replace(/\/transactions\/[^/]+\/status$/, '/transactions/:id/status')} ${response.status}`;
        this.non2xxByRoute[route] = (this.non2xxByRoute[route] ?? 0) + 1;
      }
      return response;
    } catch (error) {
      this.lastError = `${(error as NodeJS.ErrnoException).code ?? ''} ${(error as Error).message}`;
      this.counters.errors += 1;
      this.counters.socketErrors += 1;
      if (error instanceof HttpTimeoutError) this.counters.timeouts += 1;
      return null;
    }
  }
}

function sleep(ms: number, stillWanted: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (!stillWanted()) return resolve();
    setTimeout(resolve, ms);
  });
}
