import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { assertMayActAs, idempotencyScope, Principal } from '../../common/auth/principal';
import { Clock } from '../../common/clock/clock';
import { DomainError, RequestValidationError } from '../../common/errors/domain-error';
import { retryDelayMs } from '../../transactions/retry-backoff';
import type { CustomerInfo, Priority, Transaction, TransactionStatus, TransactionType } from '../../transactions/transaction';
import { DeviceReport, guardedStep, planDeviceReport, TransitionStep } from '../../transactions/transaction-state-machine';
import type { UnitOfWork } from '../../database/unit-of-work';
import { PendingCount } from '../../transactions/pending-count';
import { ClaimOutcome, PromisedWork, TransactionRepository } from '../../transactions/transaction.repository';
import { CallBoxConfigService } from '../config/callbox-config.service';
import { isDegraded } from '../registry/box-health';
import { CallBox, CallBoxRepository, HealthChange, saysActive } from '../registry/callbox';
import { CallBoxRegistryService } from '../registry/callbox-registry.service';
import { releaseUnstartedWork } from './degraded-box-work';
import { IDEMPOTENCY_KEY_PATTERN } from './idempotency-key';
import { standingOf } from './poll-standing';

/** A poll that claimed nothing new for its own reasons (degraded, silent, not active): what woke it may go to another box. */
const NO_CLAIM: ClaimOutcome = { claimed: 0, exhausted: false };

export interface Submission {
  /** The box submitting, when it says: its Idempotency-Keys are then its own. */
  callboxId?: string;
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
  /** The assignment reported on (the poll's `attempt`), when the firmware echoes it. */
  attempt?: number;
  result?: object;
}

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
    const box = submittingBox(principal, submission.callboxId);
    const { maxRetries } = await this.configs.effective();
    // Two boxes sharing the fleet token each have their own keys once they say who they are.
    const scope = box ? `callbox:${box}` : idempotencyScope(principal);
    // Stored hashed: fixed length whatever the scope and key, and the caller's key is not kept in clear.
    const idempotency = idempotencyKey
      ? { key: hashOf(`${scope}:${idempotencyKey}`), clientKey: idempotencyKey, requestHash: hashOf(request) }
      : undefined;
    const source = principal.kind === 'admin' ? 'main' : 'callbox';
    const actor = box ? `callbox:${box}` : actorOf(principal);
    return this.transactions.create({ ...request, maxRetries, source }, actor, this.clock.now(), idempotency);
  }

  /**
   * The box's assigned work plus newly claimed pending work, within its limits; with the box's state
   * as the backend sees it, and why it gets nothing new when it does not (`standing`).
   *
   * The box is read from the registry's short-lived cache (boxCacheMs), which may miss a write of
   * another replica or one not yet committed. It decides only that a box gets nothing; work is
   * handed out only on terms the box still has when read again under its lock inside the claim
   * (`claimTerms`): found changed (degraded, silent, not `active`, re-registered with other types,
   * operators or limit), the claim is undone and the poll judged again on the fresh row.
   *
   * `promised`: work promised to other polls (a fresh long poll's; see BoxClaim.promised).
   */
  async pending(principal: Principal, callboxId: string, limit?: number, promised?: PromisedWork) {
    assertMayActAs(principal, callboxId);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.pendingOnce(callboxId, limit, attempt < MAX_POLL_ATTEMPTS, promised);
      } catch (error) {
        if (!(error instanceof BoxChangedUnderClaim)) throw error;
        this.boxes.forgetBox(callboxId);
      }
    }
  }

  /** `mayClaim` false: the box changed under every claim tried so far; it gets nothing this poll. */
  private async pendingOnce(callboxId: string, limit: number | undefined, mayClaim: boolean, promised: PromisedWork | undefined) {
    // Almost always cached: answered without the awaits (a promise and a suspended frame each).
    const box = this.boxes.cachedById(callboxId) ?? (await this.registry.require(callboxId));
    const settings = this.configs.effectiveNow(callboxId) ?? (await this.configs.effective(callboxId));
    const now = this.clock.now();
    const standing = standingOf(box, now, this.config.heartbeatTimeoutMs);
    if (standing.status === 'degraded') {
      // Given nothing, it gives back what it holds unstarted (it keeps what it started).
      if ((await this.transactions.countAssignedTo(callboxId, ['assigned'])) > 0) {
        await this.transactions.sweep(releaseUnstartedWork([callboxId], now));
      }
      return { transactions: [], totalPending: await this.pendingCount.current(), standing, waitFor: null, claim: NO_CLAIM };
    }
    if (!mayClaim) return { transactions: [], totalPending: await this.pendingCount.current(), standing, waitFor: null, claim: NO_CLAIM };
    // Silent past the heartbeat timeout, or saying it is not `active` (`busy`, `maintenance`...): it
    // keeps what it holds and claims nothing new. Never taken back for a word: a box may say `busy`
    // while it runs work it has not reported yet, and that work must not reach a second box.
    const claimsNew = standing.status !== 'disconnected' && saysActive(box);
    // The admin's batchSize for the box is a ceiling: a box cannot ask for more.
    const batch = Math.min(limit ?? settings.batchSize, settings.batchSize);
    let claim: ClaimOutcome = NO_CLAIM;
    const transactions = await this.transactions.claimForBox({
      callboxId,
      lockBox: async (unit) => {
        const locked = await this.boxes.lockedForClaim(unit, callboxId);
        // The terms are the box's as read before the claim; worked out only when a claim runs (most polls find nothing).
        const timeoutMs = this.config.heartbeatTimeoutMs;
        if (!locked || claimTerms(locked, now, timeoutMs) !== claimTerms(box, now, timeoutMs)) throw new BoxChangedUnderClaim();
      },
      limit: batch,
      maxConcurrent: box.maxConcurrent,
      types: claimsNew ? box.supportedTypes : [],
      operators: box.operators,
      leaseMs: settings.timeoutMs,
      now,
      freshSince: (type) => now - this.config.pendingTtlMs[type],
      onOutcome: (outcome) => (claim = outcome),
      promised,
    });
    // What a long poll of this box may wait for, and how much of it one wake-up may bring it (its
    // batch; what its concurrency keeps it from claiming is passed on); nothing when it claims nothing new anyway.
    const waitFor = claimsNew
      ? { types: box.supportedTypes, operators: box.operators?.map((o) => o.toLowerCase()) ?? null, room: Math.min(batch, box.maxConcurrent) }
      : null;
    return { transactions, totalPending: this.pendingCount.currentNow() ?? (await this.pendingCount.current()), standing, waitFor, claim };
  }

  async report(principal: Principal, transactionId: string, report: StatusReport): Promise<{ transaction: Transaction; changed: boolean }> {
    assertMayActAs(principal, report.callboxId);
    const settings = await this.configs.effective(report.callboxId);
    const policy = { baseMs: this.config.retryBaseDelayMs, maxMs: this.config.retryMaxDelayMs };
    const now = this.clock.now();
    const device: DeviceReport = {
      callboxId: report.callboxId,
      status: report.status,
      attempt: report.attempt,
      result: report.result ? { ...report.result } : null,
      now,
      // A USSD session may outlast timeoutMs; a box that dies meanwhile is caught by its silence.
      leaseMs: Math.max(settings.timeoutMs, this.config.processingHardLimitMs),
      retryDelayMs: (retryCount) => retryDelayMs(retryCount, policy),
      releaseMs: this.config.handBackAvoidMs,
    };
    // The two reports every transaction gets, on work the box holds in the attempt it names: one
    // guarded statement each. What the guard does not match (a replay, a refusal) is decided on the
    // locked row below.
    const guarded = guardedStep(device);
    const boxOutcome = guarded?.step.boxOutcome;
    const done =
      guarded &&
      (await this.transactions.transitionIfHeld(
        transactionId,
        guarded.from,
        guarded.step,
        boxOutcome && ((unit) => this.recordBoxOutcome(unit, report.callboxId, boxOutcome, now)),
      ));
    if (done) {
      if (done.consequence) this.logHealthChange(report.callboxId, done.consequence);
      return { transaction: done.transaction, changed: true };
    }
    let planned: TransitionStep['boxOutcome'];
    const outcome = await this.unregisteredRefused(() => this.transactions.transition(
      transactionId,
      async (current, unit) => {
        const step = planDeviceReport(current, { ...device, boxDegraded: await this.degradedForFailure(unit, current, report, now) });
        planned = step?.boxOutcome;
        return step;
      },
      // The box's health moves with what it reported, in the same database transaction.
      async (unit) => (planned ? this.recordBoxOutcome(unit, report.callboxId, planned, now) : null),
    ));
    if (outcome.consequence) this.logHealthChange(report.callboxId, outcome.consequence);
    return { transaction: outcome.transaction, changed: outcome.changed };
  }

  /** The box's health after an outcome it reported; degraded, it gives back what it holds unstarted. */
  private async recordBoxOutcome(unit: UnitOfWork, callboxId: string, boxOutcome: 'success' | 'failure', now: number) {
    const health = await this.boxes.recordOutcome(unit, { callboxId, success: boxOutcome === 'success', now, cooldownMs: this.config.degradedCooldownMs });
    if (health?.isDegraded) await this.transactions.sweep(releaseUnstartedWork([callboxId], now), unit);
    return health;
  }

  /**
   * The transition, with an unregistered box refused as poll, heartbeat and config refuse it (404
   * CALLBOX.NOT_REGISTERED). Checked only on a refusal, so a report costs no extra read.
   */
  private async unregisteredRefused<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof DomainError && error.code === 'TRANSACTION.NOT_ASSIGNED_TO_CALLBOX') {
        const callboxId = (error.details as { callboxId: string }).callboxId;
        await this.registry.require(callboxId);
      }
      throw error;
    }
  }

  /**
   * Whether a failure the box reports on work it holds comes from a box past its health limiter's
   * threshold. Read under the box's lock: its concurrent failures are judged one after the other, so
   * no burst of them is charged before the box degrades.
   */
  private async degradedForFailure(unit: UnitOfWork, current: Transaction, report: StatusReport, now: number): Promise<boolean> {
    const holds = current.assignedTo === report.callboxId && (current.status === 'assigned' || current.status === 'processing');
    if (report.status !== 'failed' || !holds) return false;
    const health = await this.boxes.lockHealth(unit, report.callboxId);
    return health !== null && isDegraded(health, now);
  }

  /** A box's recent results decide whether it gets new work; say when that changes. */
  private logHealthChange(callboxId: string, health: HealthChange): void {
    if (!health.wasDegraded && health.isDegraded) {
      this.logger.warn({ callboxId, reason: health.reason }, `CallBox ${callboxId} degraded: no new work for a while`);
    }
    if (health.wasDegraded && !health.isDegraded) this.logger.log({ callboxId }, `CallBox ${callboxId} recovered`);
  }
}

/** A poll's claim found its box changed under the lock: undone, and the poll judged again. */
class BoxChangedUnderClaim extends Error {}

/** Tries of a poll whose box changes under its claim each time; the last one claims nothing. */
const MAX_POLL_ATTEMPTS = 3;

/** Everything a poll's claim depends on: equal strings, equal claims. */
function claimTerms(box: CallBox, now: number, heartbeatTimeoutMs: number): string {
  const status = standingOf(box, now, heartbeatTimeoutMs).status;
  return JSON.stringify([status, box.supportedTypes, box.operators, box.maxConcurrent]);
}

/** The box a submit comes from: a bound token's, else the one the request names (never for the main system). */
function submittingBox(principal: Principal, named: string | undefined): string | null {
  if (principal.kind !== 'callbox') return null;
  if (named !== undefined) assertMayActAs(principal, named);
  return principal.boundTo ?? named ?? null;
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
