import { HttpClient, HttpResult, NetworkError } from './http';
import { sleep } from './processes';

/** What the clients saw: the half of the evidence that the database cannot give. */
export class ClientLedger {
  /** Idempotency-Key -> the transaction id its (first) acknowledgement named. */
  readonly acknowledged = new Map<string, string>();
  /** Keys answered with two different ids: a retried submit that created a second transaction. */
  readonly keyConflicts: string[] = [];
  /** Transaction -> the boxes whose poll returned it, in order. */
  readonly deliveredTo = new Map<string, string[]>();
  /** Transaction -> the boxes that got a 200 on `processing` and so ran the USSD. */
  readonly executedBy = new Map<string, string[]>();
  /** Transaction -> the boxes that got a 200 on `completed`. */
  readonly completedBy = new Map<string, string[]>();
  /** `processing` answered 403 or 409: the box rightly did not execute. */
  readonly refused = new Map<string, Array<{ box: string; status: number }>>();
  /** When each `completed` got its 200 (epoch ms): the CallBox side's throughput over time. */
  readonly completionTimes: number[] = [];
  /** Answers no scenario expects (a 5xx, a 409 on completed, a poll handing out another box's work...). */
  readonly anomalies: string[] = [];

  static push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  }

  anomaly(message: string): void {
    if (this.anomalies.length < 200) this.anomalies.push(message);
  }

  /** Transactions that two different boxes executed or completed. */
  duplicatedByClients(): string[] {
    const twice = (map: Map<string, string[]>) => [...map].filter(([, boxes]) => new Set(boxes).size > 1).map(([id]) => id);
    return [...new Set([...twice(this.executedBy), ...twice(this.completedBy)])];
  }
}

export interface FleetOptions {
  client: HttpClient;
  /** Base URLs of the replicas, read at each request (a list the spec may change). */
  endpoints: () => string[];
  token: string;
  ledger: ClientLedger;
  /** No request is retried past this instant (epoch ms). */
  deadline: number;
  pollLimit?: number;
  heartbeatEveryMs?: number;
  /** Pause after an empty poll. */
  idleMs?: number;
  /** Pause before retrying on another replica after a network error. */
  failoverMs?: number;
}

export const ALL_TYPES = ['recharge', 'voucher', 'deposit', 'withdraw'] as const;

/** A submission body for load number `i` (the four types, three priorities). */
export function loadSubmission(i: number) {
  const type = ALL_TYPES[i % ALL_TYPES.length];
  return {
    type,
    phoneNumber: `+2376${String(70000000 + i).padStart(8, '0')}`,
    amount: 100 + (i % 50) * 100,
    payItemId: `REL_${type.toUpperCase()}_${i}`,
    customerInfo: { name: `Client ${i}`, operator: ['MTN', 'Orange'][i % 2] },
    priority: (['high', 'normal', 'low'] as const)[i % 3],
  };
}

/**
 * Simulated CallBoxes and submitters speaking the device API to a set of replicas, as firmware
 * behind a load balancer would: each request goes to the next replica; a request that gets no
 * answer (refused, reset by a kill) is sent again to another replica. Every retried request is
 * safe to repeat by the API's contract: submits carry an Idempotency-Key, a status report
 * repeating the current status is a 200 no-op, a poll returns the box's assigned work first.
 */
export class Fleet {
  private stopped = false;
  private submitting = true;
  private readonly loops: Array<Promise<void>> = [];
  private readonly turn = new Map<string, number>();
  readonly options: Required<FleetOptions>;

  constructor(options: FleetOptions) {
    this.options = { pollLimit: 5, heartbeatEveryMs: 2000, idleMs: 25, failoverMs: 50, ...options };
  }

  get ledger(): ClientLedger {
    return this.options.ledger;
  }

  /** One request, failing over to the next replica on a network error, until the deadline. */
  async call(affinity: string, method: string, path: string, json?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
    const { client, token, deadline, failoverMs } = this.options;
    for (;;) {
      const endpoints = this.options.endpoints();
      const turn = this.turn.get(affinity) ?? hashOf(affinity);
      this.turn.set(affinity, turn + 1);
      const base = endpoints[turn % endpoints.length];
      try {
        return await client.request(base, method, path, {
          json,
          headers: { authorization: `Bearer ${token}`, ...headers },
          timeoutMs: 20_000,
        });
      } catch (error) {
        if (!(error instanceof NetworkError) || Date.now() > deadline) throw error;
        await sleep(failoverMs + Math.random() * failoverMs);
      }
    }
  }

  async register(box: string, capabilities: Record<string, unknown> = {}): Promise<void> {
    const res = await this.call(box, 'POST', '/api/call-box/register', {
      callboxId: box,
      capabilities: { maxConcurrentTransactions: 5, supportedTypes: [...ALL_TYPES], ...capabilities },
      version: '1.0.0',
      location: 'Reliability lab',
    });
    if (res.status !== 200) throw new Error(`register ${box}: ${res.status} ${res.text}`);
  }

  heartbeat(box: string): Promise<HttpResult> {
    return this.call(box, 'POST', '/api/call-box/heartbeat', {
      callboxId: box,
      status: 'active',
      queueSize: 0,
      metrics: { uptime: 60, memoryUsage: 40, processedTransactions: 0 },
    });
  }

  poll(box: string, limit = this.options.pollLimit): Promise<HttpResult> {
    return this.call(box, 'GET', `/api/call-box/transactions/pending?callboxId=${box}&limit=${limit}`);
  }

  report(box: string, transactionId: string, status: string, result?: Record<string, unknown>): Promise<HttpResult> {
    return this.call(box, 'PUT', `/api/call-box/transactions/${transactionId}/status`, {
      status,
      callboxId: box,
      ...(result && { result }),
    });
  }

  /** Submits load numbers `indexes` with `concurrency` submitters, each retried until acknowledged. */
  async submit(prefix: string, indexes: number[], concurrency: number): Promise<void> {
    let next = 0;
    const worker = async (w: number) => {
      while (next < indexes.length && !this.stopped && this.submitting) {
        const i = indexes[next++];
        const key = `${prefix}-${i}`;
        for (;;) {
          const res = await this.call(`submitter-${w}`, 'POST', '/api/call-box/transactions/submit', loadSubmission(i), {
            'idempotency-key': key,
          });
          if (res.status === 200) {
            this.acknowledge(key, res.body.transaction.id);
            break;
          }
          this.ledger.anomaly(`submit ${key}: ${res.status} ${res.text.slice(0, 200)}`);
          if (Date.now() > this.options.deadline) throw new Error(`submit ${key} never acknowledged`);
          await sleep(100);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  }

  acknowledge(key: string, id: string): void {
    const first = this.ledger.acknowledged.get(key);
    if (first === undefined) this.ledger.acknowledged.set(key, id);
    else if (first !== id) this.ledger.keyConflicts.push(`${key}: ${first} then ${id}`);
  }

  /** Why box loops ended early (a network error past the deadline): the spec fails with them. */
  readonly errors: string[] = [];

  /** Starts a box that polls, reports processing, "runs the USSD" on a 200 only, then reports completed. */
  startBox(box: string): void {
    this.loops.push(this.runBox(box).catch((error: unknown) => void this.errors.push(`${box}: ${String(error)}`)));
  }

  /** Submitters finish the submit in hand and take no more; boxes go on. */
  stopSubmitting(): void {
    this.submitting = false;
  }

  /** Stops every box after its current step; resolves when all have. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(this.loops);
  }

  private async runBox(box: string): Promise<void> {
    let nextHeartbeat = 0;
    while (!this.stopped) {
      if (Date.now() >= nextHeartbeat) {
        const hb = await this.heartbeat(box);
        if (hb.status !== 200) this.ledger.anomaly(`heartbeat ${box}: ${hb.status} ${hb.text.slice(0, 200)}`);
        nextHeartbeat = Date.now() + this.options.heartbeatEveryMs;
      }
      const res = await this.poll(box);
      if (res.status !== 200) {
        this.ledger.anomaly(`poll ${box}: ${res.status} ${res.text.slice(0, 200)}`);
        await sleep(100);
        continue;
      }
      const transactions: Array<{ id: string; assignedTo: string; status: string }> = res.body.transactions;
      for (const tx of transactions) {
        ClientLedger.push(this.ledger.deliveredTo, tx.id, box);
        if (tx.assignedTo !== box || tx.status !== 'assigned') {
          this.ledger.anomaly(`poll of ${box} returned ${tx.id} ${tx.status} assigned to ${tx.assignedTo}`);
          continue;
        }
        await this.execute(box, tx.id);
        if (this.stopped) break;
      }
      if (transactions.length === 0) await sleep(this.options.idleMs);
    }
  }

  /** The device protocol for one transaction: processing first, the USSD only on a 200, then completed. */
  async execute(box: string, id: string): Promise<'completed' | 'refused'> {
    const started = await this.report(box, id, 'processing');
    if (started.status === 403 || started.status === 409) {
      ClientLedger.push(this.ledger.refused, id, { box, status: started.status });
      return 'refused';
    }
    if (started.status !== 200 || started.body.transaction.status !== 'processing') {
      this.ledger.anomaly(`processing ${id} by ${box}: ${started.status} ${started.text.slice(0, 200)}`);
      return 'refused';
    }
    ClientLedger.push(this.ledger.executedBy, id, box);
    const result = { success: true, transactionRef: `REF_${id}`, balance: 2500, message: 'Recharge effectuée avec succès' };
    for (;;) {
      const done = await this.report(box, id, 'completed', result);
      if (done.status === 200 && done.body.transaction.status === 'completed') {
        ClientLedger.push(this.ledger.completedBy, id, box);
        this.ledger.completionTimes.push(Date.now());
        return 'completed';
      }
      this.ledger.anomaly(`completed ${id} by ${box}: ${done.status} ${done.text.slice(0, 200)}`);
      // A box keeps its outcome until the gateway takes it: only a 5xx is worth another try.
      if (done.status < 500 || Date.now() > this.options.deadline) return 'completed';
      await sleep(100);
    }
  }
}

function hashOf(text: string): number {
  let h = 0;
  for (const char of text) h = (h * 31 + char.charCodeAt(0)) >>> 0;
  return h;
}

/** Polls `condition` every `everyMs` until it holds or the deadline passes; returns whether it held. */
export async function waitFor(condition: () => Promise<boolean> | boolean, deadline: number, everyMs = 250): Promise<boolean> {
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}
