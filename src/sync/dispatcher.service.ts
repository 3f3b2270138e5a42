import { Injectable, Logger } from '@nestjs/common';
import { CallBoxConfigService } from '../callbox/config/callbox-config.service';
import { CallBox, CallBoxRepository, saysActive } from '../callbox/registry/callbox';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { Transaction, TRANSACTION_TYPES } from '../transactions/transaction';
import { isDegraded } from '../callbox/registry/box-health';
import { Sweep, TransactionRepository } from '../transactions/transaction.repository';
import { BoxSlot, planRoundRobin } from './round-robin';
import { releaseUnstartedWork } from '../callbox/transactions/degraded-box-work';

export interface TickCounts {
  /** Boxes marked disconnected. */
  disconnected: number;
  /** Assigned (never started) transactions put back in the queue. */
  requeued: number;
  /** Processing transactions of lost boxes or past their lease, set aside for an admin. */
  needsReview: number;
  /** Transactions whose backoff ran out, back in the queue. */
  retried: number;
  /** Steps of the tick that raised an error (logged; the next tick tries again). */
  failed: number;
  /** Pending transactions handed to boxes. */
  assigned: number;
  /** Pending transactions no box took within PENDING_TTL_MS: expired, never delivered. */
  expired: number;
}

/** Rows one step touches per batch, and batches per step per tick: a tick's work is bounded. */
export const SWEEP_BATCH = 500;
const SWEEP_BATCHES_PER_TICK = 4;
const MAX_BOXES = 1000;
const MAX_QUEUE_WINDOW = 1000;
const ACTOR = 'dispatcher';

/**
 * One tick of the "Service de Synchronisation", in the order of the lifecycle: find dead boxes,
 * requeue work they never started, set aside work they may have executed, release due retries,
 * then deal the queue round-robin to the live boxes.
 */
@Injectable()
export class DispatcherService {
  private readonly logger = new Logger(DispatcherService.name);
  private roundRobinStart = 0;
  /** Silence is measured from here too: while the gateway was down, no box could heartbeat. */
  private readonly startedAt: number;
  /** Each not-active box's word, as last logged: a word is logged when it starts, not every tick. */
  private readonly notActiveWords = new Map<string, string>();
  /** Where the next round's window of boxes starts (past MAX_BOXES connected boxes); '' from the first. */
  private dealAfter = '';

  constructor(
    private readonly transactions: TransactionRepository,
    private readonly boxes: CallBoxRepository,
    private readonly configs: CallBoxConfigService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {
    this.startedAt = clock.now();
  }

  async tick(): Promise<TickCounts> {
    const counts: TickCounts = { disconnected: 0, requeued: 0, needsReview: 0, retried: 0, failed: 0, assigned: 0, expired: 0 };
    const steps: Array<[string, () => Promise<void>]> = [
      ['disconnect silent boxes', async () => void (counts.disconnected = await this.disconnectSilentBoxes())],
      ['requeue unstarted work', async () => void (counts.requeued = await this.requeueUnstarted())],
      ['set aside work in doubt', async () => void (counts.needsReview = await this.setAsideInDoubt())],
      ['release due retries', async () => void (counts.retried = await this.releaseDueRetries())],
      ['expire stale work', async () => void (counts.expired = await this.expireStale())],
      ['assign pending work', async () => void (counts.assigned = await this.assignPending())],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (error) {
        counts.failed += 1;
        this.logger.error({ err: error, step: name }, `Dispatcher step failed: ${name}`);
      }
    }
    return counts;
  }

  private async disconnectSilentBoxes(): Promise<number> {
    const now = this.clock.now();
    // A box is silent for `now - max(lastHeartbeat, startedAt)`: after a restart (a deploy, a long
    // migration) the first ticks would otherwise find the whole fleet lost and send everything it
    // was running to needs_review.
    if (this.inRestartGrace(now)) return 0;
    const lost = await this.boxes.markDisconnected(now - this.config.heartbeatTimeoutMs, now, MAX_BOXES);
    for (const box of lost) {
      this.logger.warn(
        { callboxId: box.id, event: 'disconnected', lastHeartbeat: new Date(box.lastHeartbeatAt).toISOString() },
        `CallBox ${box.id} disconnected (no heartbeat for ${this.config.heartbeatTimeoutMs} ms)`,
      );
    }
    return lost.length;
  }

  private async requeueUnstarted(): Promise<number> {
    const release = { assignedTo: null, assignedAt: null, leaseExpiresAt: null };
    this.metrics.boxes.set({ state: 'disconnected' }, await this.boxes.countByConnection('disconnected'));
    // By a subquery, not a list of ids: decommissioned boxes stay disconnected for ever, and a list
    // cut at MAX_BOXES left the work of every lost box past the first thousand to its lease.
    const ofLostBoxes = await this.sweepAll({ from: 'assigned', to: 'pending', match: { assignedToDisconnected: true }, patch: release, details: { reason: 'callbox_disconnected' } });
    // Leases ran on while the gateway was down and no box could report: like silence, they are not
    // held against the boxes before the restart grace is over.
    const leaseExpired = this.inRestartGrace(this.clock.now())
      ? []
      : await this.sweepAll({ from: 'assigned', to: 'pending', match: { leaseExpiredBefore: this.clock.now() }, patch: release, details: { reason: 'lease_expired' } });
    // A live box that sat on work past its lease is sick: no new work for a cool-down.
    const sitters = [...new Set(leaseExpired.map((tx) => tx.assignedTo).filter((id): id is string => id !== null))];
    if (sitters.length > 0) {
      const now = this.clock.now();
      await this.boxes.markDegraded(sitters, 'lease_expired', now + this.config.degradedCooldownMs, now);
      this.logger.warn({ callboxIds: sitters }, 'CallBox(es) degraded: assigned work left untouched past its lease');
    }
    return ofLostBoxes.length + leaseExpired.length + (await this.releaseFromDegraded());
  }

  /**
   * A degraded box keeps only what it started; what it still holds unstarted goes to other boxes.
   * A box whose heartbeat word is not `active` keeps what it holds: it may be running it (firmware
   * may skip `processing`), so only its lease or its silence takes it back.
   */
  private async releaseFromDegraded(): Promise<number> {
    const now = this.clock.now();
    return (await this.sweepAll({ ...releaseUnstartedWork([], now), match: { assignedToDegradedAt: now } })).length;
  }

  /** The first HEARTBEAT_TIMEOUT_MS after boot: boxes are given that long to come back and report. */
  private inRestartGrace(now: number): boolean {
    return now - this.startedAt < this.config.heartbeatTimeoutMs;
  }

  /**
   * The connected boxes this round deals to: all of them up to MAX_BOXES; past that, the next
   * MAX_BOXES by id after the previous round's, wrapping round, so every box of a large fleet takes
   * its turn and a round's cost does not grow with the fleet.
   */
  private async dealingWindow(): Promise<CallBox[]> {
    const after = this.dealAfter;
    const window = await this.boxes.listByConnection('connected', MAX_BOXES, after || undefined);
    const wrapped =
      window.length < MAX_BOXES && after !== ''
        ? (await this.boxes.listByConnection('connected', MAX_BOXES - window.length)).filter((box) => box.id <= after)
        : [];
    const boxes = [...window, ...wrapped];
    this.dealAfter = boxes.length === MAX_BOXES ? boxes[boxes.length - 1].id : '';
    return boxes;
  }

  /** Logs a box's word once when it keeps the box from work, again only when it changes. */
  private reportNotActive(boxes: CallBox[]): void {
    for (const box of boxes) {
      const word = box.reportedStatus;
      if (saysActive(box)) {
        this.notActiveWords.delete(box.id);
        continue;
      }
      if (this.notActiveWords.get(box.id) === word) continue;
      this.notActiveWords.set(box.id, word);
      this.logger.warn({ callboxId: box.id, event: 'not_active', status: word }, `CallBox ${box.id} says « ${word} »: no new work until a heartbeat says « active »`);
    }
  }

  private async setAsideInDoubt(): Promise<number> {
    const patch = { leaseExpiresAt: null };
    const count =
      (await this.sweepAll({ from: 'processing', to: 'needs_review', match: { assignedToDisconnected: true }, patch, details: { reason: 'callbox_disconnected' } })).length +
      (this.inRestartGrace(this.clock.now())
        ? 0
        : (await this.sweepAll({ from: 'processing', to: 'needs_review', match: { leaseExpiredBefore: this.clock.now() }, patch, details: { reason: 'lease_expired' } })).length);
    if (count > 0) this.logger.warn({ count }, `${count} transaction(s) set aside for review: the carrier may have executed them`);
    return count;
  }

  private async releaseDueRetries(): Promise<number> {
    const released = await this.sweepAll({
      from: 'retry',
      to: 'pending',
      match: { dueBefore: this.clock.now() },
      patch: { assignedTo: null, assignedAt: null, nextAttemptAt: null },
      details: { reason: 'backoff_elapsed' },
    });
    return released.length;
  }

  /** A recharge delivered hours late is worse than a clear refusal: stale pending work expires. */
  private async expireStale(): Promise<number> {
    let total = 0;
    for (const type of TRANSACTION_TYPES) {
      const ttlMs = this.config.pendingTtlMs[type];
      const expired = await this.sweepAll({
        from: 'pending',
        to: 'expired',
        match: { type, createdBefore: this.clock.now() - ttlMs },
        patch: { completedAt: this.clock.now() },
        details: { reason: 'pending_ttl', ttlMs },
      });
      total += expired.length;
    }
    if (total > 0) this.logger.warn({ expired: total }, `${total} pending transaction(s) expired: no box took them in time`);
    return total;
  }

  private async assignPending(): Promise<number> {
    const states = await this.boxes.countConnectedStates(this.clock.now());
    // Exclusive states, so a stacked panel adds up to the fleet: a degraded box is not also counted
    // connected, nor a box whose word keeps it from work (`online`, `idle`: typos take no work either).
    this.metrics.boxes.set({ state: 'connected' }, states.working);
    this.metrics.boxes.set({ state: 'not_active' }, states.connected - states.degraded - states.working);
    this.metrics.boxes.set({ state: 'degraded' }, states.degraded);
    const connected = await this.dealingWindow();
    const healthy = connected.filter((box) => !isDegraded(box, this.clock.now()));
    // A box that said `maintenance` (or any word but `active`) in its heartbeat is dealt nothing until it says `active`.
    const live = healthy.filter(saysActive);
    this.reportNotActive(healthy);
    if (live.length === 0) return 0;
    const settings = await this.configs.effectiveForMany(live.map((box) => box.id));
    const now = this.clock.now();
    const callboxIds = live.map((box) => box.id);
    const assigned = await this.transactions.dispatch({
      callboxIds,
      lockBoxes: (unit) => this.boxes.lockForRound(unit, callboxIds),
      // Room left across the fleet, with slack for work some boxes do not take; never past the cap.
      window: (inFlight) => {
        const room = live.reduce((sum, box) => sum + Math.max(0, slotOf(box, settings.get(box.id)!, inFlight.get(box.id) ?? 0).room), 0);
        return Math.min(MAX_QUEUE_WINDOW, room * 4);
      },
      types: [...new Set(live.flatMap((box) => box.supportedTypes))],
      freshSince: (type) => now - this.config.pendingTtlMs[type],
      now,
      actor: ACTOR,
      plan: (queue, inFlight) => {
        const slots = live.map((box): BoxSlot => slotOf(box, settings.get(box.id)!, inFlight.get(box.id) ?? 0));
        // The round's own time, which its assignments record: a box's avoidance is judged as of then.
        const { assignments, next } = planRoundRobin(queue, slots, this.roundRobinStart, now);
        this.roundRobinStart = next;
        return assignments;
      },
    });
    return assigned.length;
  }

  /** Repeats one sweep while batches come back full, up to a bound per tick; returns what moved, as it was. */
  private async sweepAll(sweep: Omit<Sweep, 'actor' | 'now' | 'limit'>): Promise<Transaction[]> {
    const moved: Transaction[] = [];
    for (let batch = 0; batch < SWEEP_BATCHES_PER_TICK; batch++) {
      const batchMoved = await this.transactions.sweep({ ...sweep, actor: ACTOR, now: this.clock.now(), limit: SWEEP_BATCH });
      moved.push(...batchMoved);
      if (batchMoved.length < SWEEP_BATCH) break;
    }
    return moved;
  }
}

function slotOf(box: CallBox, settings: { batchSize: number; timeoutMs: number }, inFlight: number): BoxSlot {
  return {
    id: box.id,
    room: Math.min(settings.batchSize, box.maxConcurrent - inFlight),
    types: new Set(box.supportedTypes),
    operators: box.operators ? new Set(box.operators.map((o) => o.toLowerCase())) : null,
    leaseMs: settings.timeoutMs,
  };
}
