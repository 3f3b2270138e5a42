import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { TRANSACTION_STATUSES } from '../transactions/transaction';
import { TransactionRepository } from '../transactions/transaction.repository';
import { TransactionTransitions } from '../transactions/transaction-transitions';

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The service's Prometheus metrics, in a registry of its own. Hot paths only bump in-memory
 * counters; a scrape runs one grouped count (transactions by status) and nothing else.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS,
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

  readonly boxes = new Gauge({
    name: 'merecharge_callboxes',
    help: 'CallBoxes by connection state, as of the last dispatcher tick',
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

  constructor(transactions: TransactionRepository, transitions: TransactionTransitions) {
    collectDefaultMetrics({ register: this.registry });
    transitions.subscribe((events) => {
      for (const event of events) this.transitions.inc({ from: event.from ?? 'none', to: event.to });
    });
    new Gauge({
      name: 'merecharge_transactions',
      help: 'Transactions by status (one grouped count per scrape)',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        const counts = await transactions.countByStatus();
        for (const status of TRANSACTION_STATUSES) this.set({ status }, counts[status]);
      },
    });
  }
}
