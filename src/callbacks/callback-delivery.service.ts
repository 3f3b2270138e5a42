import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../config/app-config';
import { outcomeMessageBody } from '../transactions/outcome';
import { retryDelayMs } from '../transactions/retry-backoff';
import { CALLBACK_HEADERS, signCallback } from './callback-signature';
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

/** What one attempt came to: acknowledged (2xx), or why not. */
type Attempt = { acknowledged: true } | { acknowledged: false; error: string; status?: number; locationHost?: string };

/**
 * Sends outcome messages from the outbox to MAIN_CALLBACK_URL, signed, until the receiver answers
 * 2xx. Messages are written with the state change, so a crash or an unreachable receiver only
 * delays them; a receiver must accept a message more than once (X-MeRecharge-Delivery identifies it).
 * A transaction's messages go out in their `sequence` order: the outbox hands out a later one only
 * once every earlier one is acknowledged. A redirect is never followed: it is a failed attempt.
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
   * sequence order, one after the other, none after one that was not acknowledged); returns how
   * many were acknowledged and how many failed.
   */
  async deliverDue(): Promise<{ delivered: number; failed: number }> {
    const callback = this.config.callback;
    if (!callback) return { delivered: 0, failed: 0 };
    const tally = { delivered: 0, failed: 0 };
    try {
      const messages = await this.outbox.claimDue(this.clock.now(), DELIVERY_BATCH, LEASE_MS);
      const byTransaction = new Map<string, OutboxMessage[]>();
      for (const message of messages) byTransaction.set(message.transactionId, [...(byTransaction.get(message.transactionId) ?? []), message]);
      const chains = [...byTransaction.values()].map((chain) => chain.sort((a, b) => a.sequence - b.sequence));
      await inParallel(chains, DELIVERY_CONCURRENCY, async (inOrder) => {
        try {
          for (const message of inOrder) {
            const delivered = await this.deliver(callback, message);
            tally[delivered ? 'delivered' : 'failed'] += 1;
            // The rest of the chain waits for this one (their lease runs out; the outbox holds them back meanwhile).
            if (!delivered) break;
          }
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
    const attempt = await this.send(callback, message);
    if (attempt.acknowledged) {
      await this.outbox.markDelivered(message.id, this.clock.now());
      return true;
    }
    const attempts = message.attempts + 1;
    const next = this.clock.now() + retryDelayMs(attempts, BACKOFF);
    await this.outbox.markFailed(message.id, attempt.error, next);
    this.logger.warn(
      {
        transactionId: message.transactionId,
        delivery: message.id,
        sequence: message.sequence,
        attempts,
        error: attempt.error,
        ...(attempt.status !== undefined && { status: attempt.status }),
        ...(attempt.locationHost !== undefined && { locationHost: attempt.locationHost }),
        nextAttemptAt: new Date(next).toISOString(),
      },
      'Outcome callback not acknowledged; will retry',
    );
    return false;
  }

  private async send(callback: { url: string; secret: string }, message: OutboxMessage): Promise<Attempt> {
    const body = outcomeMessageBody(message.payload, message.sequence);
    const delivery = String(message.id);
    const timestamp = Math.floor(this.clock.now() / 1000);
    try {
      const response = await fetch(callback.url, {
        method: 'POST',
        // A followed 302 becomes a body-less GET whose 200 would count as the delivery.
        redirect: 'manual',
        headers: {
          'content-type': 'application/json',
          [CALLBACK_HEADERS.timestamp]: String(timestamp),
          [CALLBACK_HEADERS.delivery]: delivery,
          [CALLBACK_HEADERS.event]: `transaction.${message.outcome}`,
          [CALLBACK_HEADERS.signature]: signCallback({ secret: callback.secret, timestamp, delivery, body }),
        },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return { acknowledged: true };
      if (response.status >= 300 && response.status < 400) {
        const locationHost = hostOf(response.headers.get('location'), callback.url);
        return { acknowledged: false, status: response.status, locationHost, error: `HTTP ${response.status} redirect to ${locationHost} (not followed)` };
      }
      return { acknowledged: false, status: response.status, error: `HTTP ${response.status}` };
    } catch (error) {
      return { acknowledged: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  }
}

/** The host a redirect pointed at (never its path or query, which may carry tokens). */
function hostOf(location: string | null, base: string): string {
  if (!location) return '(no Location)';
  try {
    return new URL(location, base).host || '(no host)';
  } catch {
    return '(invalid Location)';
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
