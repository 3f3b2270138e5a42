import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { assertMayActAs, idempotencyScope, Principal } from '../../common/auth/principal';
import { Clock } from '../../common/clock/clock';
import { RequestValidationError } from '../../common/errors/domain-error';
import { retryDelayMs } from '../../transactions/retry-backoff';
import type { CustomerInfo, Priority, Transaction, TransactionStatus, TransactionType } from '../../transactions/transaction';
import { planDeviceReport } from '../../transactions/transaction-state-machine';
import { PendingCount } from '../../transactions/pending-count';
import { TransactionRepository } from '../../transactions/transaction.repository';
import { CallBoxConfigService } from '../config/callbox-config.service';
import { isDegraded } from '../registry/box-health';
import { CallBoxRepository, HealthChange } from '../registry/callbox';
import { CallBoxRegistryService } from '../registry/callbox-registry.service';

export interface Submission {
  type: TransactionType;
  phoneNumber: string;
  amount?: number;
  payItemId: string;
  customerInfo?: CustomerInfo;
  priority?: Priority;
}

export interface StatusReport {
  callboxId: string;
  status: TransactionStatus;
  result?: object;
}

const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

@Injectable()
export class CallBoxTransactionsService {
  private readonly logger = new Logger('CallBoxHealth');

  constructor(
    private readonly transactions: TransactionRepository,
    private readonly registry: CallBoxRegistryService,
    private readonly boxes: CallBoxRepository,
    private readonly configs: CallBoxConfigService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly pendingCount: PendingCount,
  ) {}

  /** Queues a transaction; with an Idempotency-Key, a retried submit answers with the first one. */
  async submit(principal: Principal, submission: Submission, idempotencyKey?: string) {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      throw new RequestValidationError({ 'Idempotency-Key': ['1 to 128 visible ASCII characters'] });
    }
    const request = {
      type: submission.type,
      phoneNumber: submission.phoneNumber,
      amount: submission.amount ?? null,
      payItemId: submission.payItemId,
      customerInfo: submission.customerInfo && Object.keys(submission.customerInfo).length > 0 ? submission.customerInfo : null,
      priority: submission.priority ?? 'normal',
    };
    const { maxRetries } = await this.configs.effective();
    // Stored hashed: fixed length whatever the scope and key, and the caller's key is not kept in clear.
    const idempotency = idempotencyKey
      ? { key: hashOf(`${idempotencyScope(principal)}:${idempotencyKey}`), clientKey: idempotencyKey, requestHash: hashOf(request) }
      : undefined;
    const source = principal.kind === 'admin' ? 'main' : 'callbox';
    return this.transactions.create({ ...request, maxRetries, source }, actorOf(principal), this.clock.now(), idempotency);
  }

  /** The box's assigned work plus newly claimed pending work, within its limits. */
  async pending(principal: Principal, callboxId: string, limit?: number) {
    assertMayActAs(principal, callboxId);
    const box = await this.registry.require(callboxId);
    const settings = await this.configs.effective(callboxId);
    const transactions = await this.transactions.claimForBox({
      callboxId,
      limit: limit ?? settings.batchSize,
      maxConcurrent: box.maxConcurrent,
      // A box marked disconnected (until its next heartbeat) or degraded (until it recovers) keeps
      // what it holds but claims nothing new.
      types: box.connection === 'connected' && !isDegraded(box, this.clock.now()) ? box.supportedTypes : [],
      operators: box.operators,
      leaseMs: settings.timeoutMs,
      now: this.clock.now(),
      freshSince: (type) => this.clock.now() - this.config.pendingTtlMs[type],
    });
    return { transactions, totalPending: await this.pendingCount.current() };
  }

  async report(principal: Principal, transactionId: string, report: StatusReport): Promise<{ transaction: Transaction; changed: boolean }> {
    assertMayActAs(principal, report.callboxId);
    const settings = await this.configs.effective(report.callboxId);
    const policy = { baseMs: this.config.retryBaseDelayMs, maxMs: this.config.retryMaxDelayMs };
    const now = this.clock.now();
    const outcome = await this.transactions.transition(
      transactionId,
      (current) =>
        planDeviceReport(current, {
          callboxId: report.callboxId,
          status: report.status,
          result: report.result ? { ...report.result } : null,
          now,
          leaseMs: settings.timeoutMs,
          retryDelayMs: (retryCount) => retryDelayMs(retryCount, policy),
        }),
      // The box's health moves with the outcome it reported, in the same database transaction.
      (unit, next) =>
        countsAsOutcome(next.status)
          ? this.boxes.recordOutcome(unit, {
              callboxId: report.callboxId,
              success: next.status === 'completed',
              now,
              cooldownMs: this.config.degradedCooldownMs,
            })
          : Promise.resolve(null),
    );
    if (outcome.consequence) this.logHealthChange(report.callboxId, outcome.consequence);
    return { transaction: outcome.transaction, changed: outcome.changed };
  }

  /** A box's recent results decide whether it gets new work; say when that changes. */
  private logHealthChange(callboxId: string, health: HealthChange): void {
    if (!health.wasDegraded && health.isDegraded) {
      this.logger.warn({ callboxId, reason: health.reason }, `CallBox ${callboxId} degraded: no new work for a while`);
    }
    if (health.wasDegraded && !health.isDegraded) this.logger.log({ callboxId }, `CallBox ${callboxId} recovered`);
  }
}

/** Results that count in a box's health: a retry is a failure of the box's attempt. */
function countsAsOutcome(status: TransactionStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'retry';
}

function actorOf(principal: Principal): string {
  if (principal.kind === 'admin') return 'main-system';
  return principal.boundTo ? `callbox:${principal.boundTo}` : 'callbox';
}

/** Canonical (sorted-key) JSON, so the same request always hashes the same. */
function hashOf(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)]))
      : v;
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex');
}
