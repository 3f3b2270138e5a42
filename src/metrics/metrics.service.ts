import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { OutboxRepository } from '../callbacks/outbox.repository';
import { TOPUP_OPERATIONS } from '../operator/soap-types';
import { TRANSACTION_STATUSES } from '../transactions/transaction';
import { canTransition } from '../transactions/transaction-state-machine';
import { TransactionRepository } from '../transactions/transaction.repository';
import { TransactionTransitions } from '../transactions/transaction-transitions';
import { BoundCounter, BoundHistogram } from './bound-series';
import { EventLoopDelayMonitor } from './event-loop-delay';

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** How a SOAP call ended: the gateway's outcomes, and `breaker_open` for a call refused at once. */
export const SOAP_OUTCOMES = ['success', 'operator_refusal', 'network', 'timeout', 'fault', 'auth', 'http', 'breaker_open'] as const;
export const HTTP_CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;
const PIN_LOCKOUT_SCOPES = ['address', 'number'];
/** The dispatcher's steps, as its tick counts name them. */
const TICK_STEPS = ['disconnected', 'requeued', 'needsReview', 'retried', 'failed', 'assigned', 'expired'];

/**
 * The service's Prometheus metrics, in a registry of its own. Hot paths only bump in-memory
 * counters; a scrape reads the transaction counters and counts the undelivered callbacks (an index range).
 *
 * Counters read with rate() exist at zero from boot for every label set they can take:
 * a series born at its first increment has no earlier sample, so rate() never sees that burst.
 */
/** The label sets of one (method, route, status) answer. */
interface ResponseSeries {
  readonly duration: BoundHistogram;
  readonly answers: BoundCounter;
}

@Injectable()
export class MetricsService implements OnApplicationBootstrap, OnModuleDestroy {
  /** method -> route pattern -> status -> label sets (routes are patterns: the set is bounded). */
  private readonly seriesByMethod = new Map<string, Map<string, Map<number, ResponseSeries>>>();
  private readonly logger = new Logger('Metrics');
  readonly registry = new Registry();
  private readonly eventLoop = new EventLoopDelayMonitor();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });

  readonly httpResponses = new Counter({
    name: 'http_responses_total',
    help: 'HTTP answers by route pattern and status class (2xx, 3xx, 4xx, 5xx); every route from zero at boot',
    labelNames: ['method', 'route', 'class'] as const,
    registers: [this.registry],
  });

  readonly transitions = new Counter({
    name: 'merecharge_transaction_transitions_total',
    help: 'Transaction state changes, by from and to state',
    labelNames: ['from', 'to'] as const,
    registers: [this.registry],
  });

  readonly tickDuration = new Histogram({
    name: 'merecharge_dispatcher_tick_duration_seconds',
    help: 'Duration of one dispatcher tick',
    buckets: SECONDS,
    registers: [this.registry],
  });

  readonly tickItems = new Counter({
    name: 'merecharge_dispatcher_tick_items_total',
    help: 'What dispatcher ticks did: boxes disconnected, transactions requeued, set aside, retried, assigned, expired; failed steps',
    labelNames: ['step'] as const,
    registers: [this.registry],
  });

  readonly dispatcherSwitch = new Gauge({
    name: 'merecharge_dispatcher_switch',
    help: 'The dispatcher switch as this replica last read it: 1 on, 0 stopped by an admin (POST /api/sync/stop)',
    registers: [this.registry],
  });

  readonly boxes = new Gauge({
    name: 'merecharge_callboxes',
    help: 'CallBoxes by state, as of the last dispatcher tick; exclusive: connected (taking work), not_active (connected, its heartbeat word is not active), degraded (connected, in cool-down), disconnected',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly soapDuration = new Histogram({
    name: 'merecharge_soap_call_duration_seconds',
    help: 'SOAP calls to the operator, by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });

  readonly soapCalls = new Counter({
    name: 'merecharge_soap_calls_total',
    help: 'SOAP calls by operation and outcome, including those the open breaker refused (breaker_open); every pair from zero at boot',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly breakerState = new Gauge({
    name: 'merecharge_soap_breaker_state',
    help: 'SOAP circuit breaker: 0 closed, 1 half-open, 2 open',
    registers: [this.registry],
  });

  readonly pinLockouts = new Counter({
    name: 'merecharge_pin_lockouts_total',
    help: 'PIN locks after too many wrong PINs, by scope (address: a number from one client address; number: every address)',
    labelNames: ['scope'],
    registers: [this.registry],
  });

  constructor(transactions: TransactionRepository, transitions: TransactionTransitions, outbox: OutboxRepository) {
    collectDefaultMetrics({ register: this.registry });
    transitions.subscribe((events) => {
      for (const event of events) this.transitions.inc({ from: event.from ?? 'none', to: event.to });
    });
    new Gauge({
      name: 'merecharge_transactions',
      help: 'Transactions by status (read from the counters kept with every write)',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        const counts = (await transactions.counters()).byStatus;
        for (const status of TRANSACTION_STATUSES) this.set({ status }, counts[status]);
      },
    });
    new Gauge({
      name: 'merecharge_callback_outbox_pending',
      help: 'Outcome callbacks not yet acknowledged by the main system (one count per scrape, up to 10 000: a larger backlog reads 10 000)',
      registers: [this.registry],
      async collect() {
        this.set(await outbox.countPending());
      },
    });
    const eventLoop = this.eventLoop;
    eventLoop.start();
    new Gauge({
      name: 'merecharge_event_loop_delay_max_seconds',
      help: 'The worst event-loop delay over the last minute (perf_hooks.monitorEventLoopDelay): how long every request, poll and tick waited behind the longest blocking job',
      registers: [this.registry],
      collect() {
        this.set(eventLoop.read().maxSeconds);
      },
    });
    new Gauge({
      name: 'merecharge_event_loop_delay_p99_seconds',
      help: "The event loop's 99th percentile delay over the last minute (the worst 5-second window's)",
      registers: [this.registry],
      collect() {
        this.set(eventLoop.read().p99Seconds);
      },
    });
    this.zeroKnownSeries();
  }

  /**
   * One collection before the service listens: the first scrape after a boot compiled prom-client's
   * code and prepared the counters' statements on the event loop (14 ms of CPU at 5 M rows, three
   * times a warm scrape), inside a request.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.registry.metrics().catch((error: unknown) => this.logger.warn({ err: error }, 'Metrics not collected at boot; the first scrape collects them'));
  }

  onModuleDestroy(): void {
    this.eventLoop.stop();
  }

  /** One SOAP call's duration and outcome. */
  observeSoapCall(operation: string, outcome: string, seconds: number): void {
    this.soapDuration.observe({ operation, outcome }, seconds);
    this.soapCalls.inc({ operation, outcome });
  }

  /** Every route from zero in each class, as the router registers it (app.setup.ts). */
  knownRoute(method: string, route: string): void {
    for (const statusClass of HTTP_CLASSES) this.httpResponses.inc({ method, route, class: statusClass }, 0);
  }

  observeResponse(method: string, route: string, status: number, seconds: number): void {
    const series = this.responseSeries(method, route, status);
    series.duration.observe(seconds);
    series.answers.inc();
  }

  /**
   * Each answer's series, bound once per (method, route, status) and reused: every request built
   * two label objects and prom-client hashed them into two strings, garbage the collector then
   * swept (a device request's allocations are what the fleet's GC time is made of).
   */
  private responseSeries(method: string, route: string, status: number): ResponseSeries {
    let byRoute = this.seriesByMethod.get(method);
    if (!byRoute) this.seriesByMethod.set(method, (byRoute = new Map()));
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map()));
    let series = byStatus.get(status);
    if (!series) {
      series = {
        duration: new BoundHistogram(this.httpDuration, { method, route, status: String(status) }),
        answers: new BoundCounter(this.httpResponses, { method, route, class: `${Math.floor(status / 100)}xx` }),
      };
      byStatus.set(status, series);
    }
    return series;
  }

  private zeroKnownSeries(): void {
    for (const operation of TOPUP_OPERATIONS) for (const outcome of SOAP_OUTCOMES) this.soapCalls.inc({ operation, outcome }, 0);
    this.transitions.inc({ from: 'none', to: 'pending' }, 0);
    for (const from of TRANSACTION_STATUSES) {
      for (const to of TRANSACTION_STATUSES) if (canTransition(from, to)) this.transitions.inc({ from, to }, 0);
    }
    for (const scope of PIN_LOCKOUT_SCOPES) this.pinLockouts.inc({ scope }, 0);
    for (const step of TICK_STEPS) this.tickItems.inc({ step }, 0);
  }
}
