import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock/clock';
import { TransactionRepository } from '../../transactions/transaction.repository';
import { CallBoxRepository, liveStatus } from '../registry/callbox';
import type { StatsDto } from './stats.dto';

/** The spec's statistics, from grouped counts; no transaction row is loaded. */
@Injectable()
export class CallBoxStatsService {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly boxes: CallBoxRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async stats(): Promise<StatsDto> {
    const [counts, boxes, processed] = await Promise.all([
      this.transactions.countByStatus(),
      this.boxes.list(),
      this.transactions.countProcessedByBox(),
    ]);
    const now = this.clock.now();
    const instances = boxes.map((box) => ({
      id: box.id,
      status: liveStatus(box, now, this.config.heartbeatTimeoutMs),
      lastHeartbeat: new Date(box.lastHeartbeatAt).toISOString(),
      queueSize: box.queueSize,
      processedTransactions: processed.get(box.id) ?? 0,
      version: box.version,
      location: box.location,
      maxConcurrentTransactions: box.maxConcurrent,
      supportedTypes: box.supportedTypes,
    }));
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
      instances,
    };
  }
}
