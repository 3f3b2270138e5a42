import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock/clock';
import { TransactionRepository } from '../../transactions/transaction.repository';
import { isDegraded } from '../registry/box-health';
import { CallBox, CallBoxRepository, liveStatus } from '../registry/callbox';
import { TRANSACTION_TYPES, TransactionStatus } from '../../transactions/transaction';
import type { InstanceStatsDto, ReportedStateDto, StatsDto } from './stats.dto';

/** The spec's statistics, from the transaction counters and the work in flight: no count of the table's history. */
@Injectable()
export class CallBoxStatsService {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly boxes: CallBoxRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async stats(): Promise<StatsDto> {
    const [counters, boxes, inFlight] = await Promise.all([
      this.transactions.counters(),
      this.boxes.list(),
      this.transactions.countInFlightByBox(),
    ]);
    const { byStatus: counts, processedByBox: processed, byTypeAndStatus, meanProcessingMs: averageProcessingTimeMs } = counters;
    const now = this.clock.now();
    const instances = boxes.map((box) => instanceOf(box, now, this.config.heartbeatTimeoutMs, processed.get(box.id) ?? 0, inFlight.get(box.id) ?? 0));
    const finished = counts.completed + counts.failed + counts.expired;
    return {
      connectedInstances: instances.filter((i) => i.status !== 'disconnected').length,
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
