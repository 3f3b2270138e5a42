import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../config/app-config';
import { retryDelayMs } from '../transactions/retry-backoff';
import { signCallback, SIGNATURE_HEADER } from './callback-signature';
import { OutboxMessage, OutboxRepository } from './outbox.repository';

const INTERVAL = 'outcome-callbacks';
const POLL_MS = 1000;
/** Messages claimed per pass; a full pass is followed at once by another, so a backlog drains back to back. */
export const DELIVERY_BATCH = 50;
/** Sends in flight at once per replica: the outbox drains at more than one message per round trip. */
export const DELIVERY_CONCURRENCY = 10;
const LEASE_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;
const BACKOFF = { baseMs: 2_000, maxMs: 10 * 60_000 };

/**
 * Sends outcome messages from the outbox to MAIN_CALLBACK_URL, signed, until the receiver answers
 * 2xx. Messages are written with the state change, so a crash or an unreachable receiver only
 * delays them; a receiver must accept a message more than once (X-MeRecharge-Delivery identifies it).
 */
@Injectable()
export class CallbackDeliveryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutcomeCallbacks');
  private running: Promise<unknown> | null = null;
  private stopping = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.callback) return;
    const interval = setInterval(() => {
      if (!this.running) this.running = this.deliverBacklog().finally(() => (this.running = null));
    }, POLL_MS);
    interval.unref();
    this.registry.addInterval(INTERVAL, interval);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.registry.doesExist('interval', INTERVAL)) this.registry.deleteInterval(INTERVAL);
    await this.running?.catch(() => undefined);
  }

  /** Passes back to back while each finds a full batch: at 900 outcomes a second, one batch a second would never catch up. */
  async deliverBacklog(): Promise<void> {
    for (;;) {
      const { delivered, failed } = await this.deliverDue();
      if (delivered + failed < DELIVERY_BATCH || this.stopping) return;
    }
  }

  /**
   * One pass over the due messages, DELIVERY_CONCURRENCY at a time (one transaction's messages in
   * order, one after the other); returns how many were acknowledged and how many failed.
   */
  async deliverDue(): Promise<{ delivered: number; failed: number }> {
    const callback = this.config.callback;
    if (!callback) return { delivered: 0, failed: 0 };
    const tally = { delivered: 0, failed: 0 };
    try {
      const messages = await this.outbox.claimDue(this.clock.now(), DELIVERY_BATCH, LEASE_MS);
      const byTransaction = new Map<string, OutboxMessage[]>();
      for (const message of messages) byTransaction.set(message.transactionId, [...(byTransaction.get(message.transactionId) ?? []), message]);
      await inParallel([...byTransaction.values()], DELIVERY_CONCURRENCY, async (inOrder) => {
        try {
          for (const message of inOrder) tally[(await this.deliver(callback, message)) ? 'delivered' : 'failed'] += 1;
        } catch (error) {
          // Its lease runs out and it is sent again (receivers accept a message more than once).
          this.logger.error({ err: error, transactionId: inOrder[0].transactionId }, 'Outcome callback not recorded');
        }
      });
    } catch (error) {
      this.logger.error({ err: error }, 'Outcome callback pass failed');
    }
    return tally;
  }

  /** Sends one message and records the answer; true when acknowledged. */
  private async deliver(callback: { url: string; secret: string }, message: OutboxMessage): Promise<boolean> {
    const error = await this.send(callback.url, callback.secret, message.id, message.outcome, message.payload);
    if (error === null) {
      await this.outbox.markDelivered(message.id, this.clock.now());
      return true;
    }
    const attempts = message.attempts + 1;
    const next = this.clock.now() + retryDelayMs(attempts, BACKOFF);
    await this.outbox.markFailed(message.id, error, next);
    this.logger.warn(
      { transactionId: message.transactionId, attempts, error, nextAttemptAt: new Date(next).toISOString() },
      'Outcome callback not acknowledged; will retry',
    );
    return false;
  }

  /** Null when acknowledged (2xx), else why not. */
  private async send(url: string, secret: string, id: number, outcome: string, body: string): Promise<string | null> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signCallback(body, secret),
          'x-merecharge-delivery': String(id),
          'x-merecharge-event': `transaction.${outcome}`,
        },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.ok ? null : `HTTP ${response.status}`;
    } catch (error) {
      return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }
}

/** Runs `work` on every item, at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
