import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../config/app-config';
import { retryDelayMs } from '../transactions/retry-backoff';
import { signCallback, SIGNATURE_HEADER } from './callback-signature';
import { OutboxRepository } from './outbox.repository';

const INTERVAL = 'outcome-callbacks';
const POLL_MS = 1000;
const BATCH = 20;
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

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.callback) return;
    const interval = setInterval(() => {
      if (!this.running) this.running = this.deliverDue().finally(() => (this.running = null));
    }, POLL_MS);
    interval.unref();
    this.registry.addInterval(INTERVAL, interval);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', INTERVAL)) this.registry.deleteInterval(INTERVAL);
    await this.running?.catch(() => undefined);
  }

  /** One pass over the due messages; returns how many were acknowledged and how many failed. */
  async deliverDue(): Promise<{ delivered: number; failed: number }> {
    const callback = this.config.callback;
    if (!callback) return { delivered: 0, failed: 0 };
    let delivered = 0;
    let failed = 0;
    try {
      const messages = await this.outbox.claimDue(this.clock.now(), BATCH, LEASE_MS);
      for (const message of messages) {
        const error = await this.send(callback.url, callback.secret, message.id, message.outcome, message.payload);
        if (error === null) {
          await this.outbox.markDelivered(message.id, this.clock.now());
          delivered += 1;
        } else {
          const attempts = message.attempts + 1;
          const next = this.clock.now() + retryDelayMs(attempts, BACKOFF);
          await this.outbox.markFailed(message.id, error, next);
          failed += 1;
          this.logger.warn(
            { transactionId: message.transactionId, attempts, error, nextAttemptAt: new Date(next).toISOString() },
            'Outcome callback not acknowledged; will retry',
          );
        }
      }
    } catch (error) {
      this.logger.error({ err: error }, 'Outcome callback pass failed');
    }
    return { delivered, failed };
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
