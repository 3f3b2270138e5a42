import { Injectable } from '@nestjs/common';
import { OutboxRepository } from '../callbacks/outbox.repository';
import { CallBoxRepository, liveStatus, WORKING_STATUS } from '../callbox/registry/callbox';
import { instanceOf } from '../callbox/stats/callbox-stats.service';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../config/app-config';
import { MetricsService, SOAP_OUTCOMES } from '../metrics/metrics.service';
import { TopUpGateway } from '../topup/gateway/topup-gateway';
import { TransactionSearch } from '../transactions/transaction-search';
import { TransactionRepository } from '../transactions/transaction.repository';
import type { AdminBoxDto, OverviewDto } from './admin-overview.dto';

const HOUR_MS = 3_600_000;

/** What the console's overview and fleet pages show: counters, the last hour, the boxes, the SOAP side. */
@Injectable()
export class AdminOverviewService {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly search: TransactionSearch,
    private readonly boxes: CallBoxRepository,
    private readonly outbox: OutboxRepository,
    private readonly topup: TopUpGateway,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async overview(): Promise<OverviewDto> {
    const now = this.clock.now();
    const [counters, minutes, boxes, backlog, calls] = await Promise.all([
      this.transactions.counters(),
      this.search.finishedPerMinute(now - HOUR_MS, now),
      this.boxes.list(),
      this.outbox.countPending(),
      this.metrics.soapCalls.get(),
    ]);
    const fleet = { connected: 0, notActive: 0, degraded: 0, disconnected: 0 };
    for (const box of boxes) {
      const state = liveStatus(box, now, this.config.heartbeatTimeoutMs);
      if (state === 'disconnected' || state === 'degraded') fleet[state]++;
      else fleet[state === WORKING_STATUS ? 'connected' : 'notActive']++;
    }
    const callsSinceStart: Record<string, number> = Object.fromEntries(SOAP_OUTCOMES.map((o) => [o, 0]));
    for (const { labels, value } of calls.values) callsSinceStart[String(labels.outcome)] += value;
    return {
      byStatus: { ...counters.byStatus },
      finishedPerMinute: minutes.map((m) => ({ minute: new Date(m.minute).toISOString(), completed: m.completed, failed: m.failed })),
      fleet,
      callbackBacklog: backlog,
      soap: { breaker: this.topup.breakerState(), callsSinceStart },
      at: new Date(now).toISOString(),
    };
  }

  async boxList(): Promise<AdminBoxDto[]> {
    const [boxes, inFlight, counters] = await Promise.all([this.boxes.list(), this.transactions.countInFlightByBox(), this.transactions.counters()]);
    const now = this.clock.now();
    return boxes.map((box) => ({
      ...instanceOf(box, now, this.config.heartbeatTimeoutMs, counters.processedByBox.get(box.id) ?? 0, inFlight.get(box.id) ?? 0),
      heartbeatAgeMs: Math.max(0, now - box.lastHeartbeatAt),
      operators: box.operators,
      registeredAt: new Date(box.registeredAt).toISOString(),
    }));
  }
}
