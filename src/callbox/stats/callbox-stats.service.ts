import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock/clock';
import type { TransactionCounters } from '../../transactions/transaction-counters';
import { TransactionRepository } from '../../transactions/transaction.repository';
import { isDegraded } from '../registry/box-health';
import { CallBox, CallBoxRepository, liveStatus } from '../registry/callbox';
import { TRANSACTION_TYPES, TransactionStatus } from '../../transactions/transaction';
import type { InstanceStatsDto, ReportedStateDto, StatsDto } from './stats.dto';
import { NextBuild } from './next-build';

/**
 * Boxes built and serialized between two turns of the event loop. With 10 000 boxes the answer is
 * about 5 MB, and building and serializing it in one piece held the loop 90 to 360 ms on this
 * machine (any box may ask); a step of 200 is a few milliseconds.
 */
export const INSTANCES_PER_STEP = 200;
/** Where the instances go in the serialized head (the head holds only figures: no box's text can contain it). */
const INSTANCES_MARK = '\u0000instances\u0000';
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The spec's statistics, from the transaction counters and the work in flight: no count of the table's history. */
@Injectable()
export class CallBoxStatsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('CallBoxStats');
  /** Calls during a build share the next one: one build at a time, each answer built after its call. */
  private readonly answers = new NextBuild(() => this.build());

  constructor(
    private readonly transactions: TransactionRepository,
    private readonly boxes: CallBoxRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * One answer built before the service listens: the first build after a boot compiled its code and
   * prepared its statements on the event loop (10 ms of CPU at 5 M rows, four times a warm one),
   * inside the first box's request, at the moment a restarted gateway's whole fleet comes back.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.answer().catch((error: unknown) => this.logger.warn({ err: error }, 'Statistics not built at boot; the first request builds them'));
  }

  /**
   * The whole answer (`{ success: true, stats }`) as JSON, built a step at a time: UTF-8 pieces to
   * be written one after the other (one 5 MB string would be copied and encoded in one piece again
   * on its way to the socket), and their length in bytes.
   */
  answer(): Promise<StatsAnswer> {
    return this.answers.get();
  }

  private async build(): Promise<StatsAnswer> {
    const [counters, boxes, inFlight] = await Promise.all([
      this.transactions.counters(),
      this.boxes.list(),
      this.transactions.countInFlightByBox(),
    ]);
    const now = this.clock.now();
    const parts: Buffer[] = [];
    let connected = 0;
    for (let from = 0; from < boxes.length; from += INSTANCES_PER_STEP) {
      if (from > 0) await nextTurn();
      const step = boxes
        .slice(from, from + INSTANCES_PER_STEP)
        .map((box) => instanceOf(box, now, this.config.heartbeatTimeoutMs, counters.processedByBox.get(box.id) ?? 0, inFlight.get(box.id) ?? 0));
      for (const instance of step) if (instance.status !== 'disconnected') connected += 1;
      const json = JSON.stringify(step);
      parts.push(Buffer.from(from === 0 ? json.slice(0, -1) : `,${json.slice(1, -1)}`));
    }
    const head = JSON.stringify({ success: true, stats: figures(counters, connected, INSTANCES_MARK) });
    const [before, after] = head.split(JSON.stringify(INSTANCES_MARK));
    const pieces = [Buffer.from(parts.length === 0 ? `${before}[` : before), ...parts, Buffer.from(`]${after}`)];
    return { pieces, bytes: pieces.reduce((sum, piece) => sum + piece.length, 0) };
  }
}

/** A serialized answer: its pieces in order, and their length in bytes. */
export interface StatsAnswer {
  pieces: readonly Buffer[];
  bytes: number;
}

/** The stats' fields in the spec's order, `instances` given (the list, or a mark for it). */
function figures<I>(counters: TransactionCounters, connectedInstances: number, instances: I): Omit<StatsDto, 'instances'> & { instances: I } {
  const { byStatus: counts, byTypeAndStatus, meanProcessingMs: averageProcessingTimeMs } = counters;
  const finished = counts.completed + counts.failed + counts.expired;
  return {
    connectedInstances,
    queueLength: counts.pending + counts.assigned + counts.retry,
    pendingTransactions: counts.pending,
    assignedTransactions: counts.assigned,
    processingTransactions: counts.processing,
    completedTransactions: counts.completed,
    failedTransactions: counts.failed,
    retryTransactions: counts.retry,
    needsReviewTransactions: counts.needs_review,
    expiredTransactions: counts.expired,
    instances,
    byType: byType(byTypeAndStatus),
    successRate: finished === 0 ? null : percent(counts.completed, finished),
    failureRate: finished === 0 ? null : percent(counts.failed + counts.expired, finished),
    averageProcessingTimeMs,
  };
}

/** One box as the stats (and the console's fleet page) show it. */
export function instanceOf(box: CallBox, now: number, heartbeatTimeoutMs: number, processed: number, inFlight: number): InstanceStatsDto {
  return {
    id: box.id,
    status: liveStatus(box, now, heartbeatTimeoutMs),
    lastHeartbeat: new Date(box.lastHeartbeatAt).toISOString(),
    queueSize: box.queueSize,
    processedTransactions: processed,
    version: box.version,
    location: box.location,
    maxConcurrentTransactions: box.maxConcurrent,
    supportedTypes: box.supportedTypes,
    load: loadOf(inFlight, box.maxConcurrent),
    reported: reportedBy(box),
    degradedUntil: isDegraded(box, now) ? new Date(box.degradedUntil!).toISOString() : null,
    degradedReason: isDegraded(box, now) ? box.degradedReason : null,
  };
}

const numberOr = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

export function reportedBy(box: CallBox): ReportedStateDto {
  const metrics = box.metrics ?? {};
  return {
    status: box.reportedStatus,
    queueSize: box.queueSize,
    uptime: numberOr(metrics.uptime),
    memoryUsage: numberOr(metrics.memoryUsage),
    processedTransactions: numberOr(metrics.processedTransactions),
    at: new Date(box.lastHeartbeatAt).toISOString(),
    metricsAt: numberOr(metrics.at) === null ? null : new Date(metrics.at as number).toISOString(),
  };
}

const percent = (part: number, whole: number) => Math.round((part / whole) * 10_000) / 100;

export function loadOf(inFlight: number, maxConcurrent: number) {
  return { inFlight, maxConcurrent, utilization: Math.round((inFlight / maxConcurrent) * 100) / 100 };
}

function byType(rows: Array<{ type: string; status: TransactionStatus; count: number }>): StatsDto['byType'] {
  const result: StatsDto['byType'] = Object.fromEntries(
    TRANSACTION_TYPES.map((type) => [type, { total: 0, completed: 0, failed: 0, expired: 0, open: 0 }]),
  );
  for (const { type, status, count } of rows) {
    const entry = (result[type] ??= { total: 0, completed: 0, failed: 0, expired: 0, open: 0 });
    entry.total += count;
    if (status === 'completed') entry.completed += count;
    else if (status === 'failed') entry.failed += count;
    else if (status === 'expired') entry.expired += count;
    else entry.open += count;
  }
  return result;
}
