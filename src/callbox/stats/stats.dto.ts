import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class InstanceStatsDto {
  @ApiProperty({ example: 'callbox_001' })
  id: string;
  /** What the box last said of itself, or `disconnected` when its heartbeat is overdue. */
  @ApiProperty({ example: 'active' })
  status: string;
  @ApiProperty({ example: '2024-10-07T15:30:00.000Z' })
  lastHeartbeat: string;
  @ApiProperty({ example: 3 })
  queueSize: number;
  /** Transactions this box brought to completed or failed. */
  @ApiProperty({ example: 245 })
  processedTransactions: number;
  @ApiPropertyOptional({ example: '1.0.0', nullable: true, type: String })
  version: string | null;
  @ApiPropertyOptional({ example: 'Douala Centre', nullable: true, type: String })
  location: string | null;
  @ApiProperty({ example: 5 })
  maxConcurrentTransactions: number;
  @ApiProperty({ example: ['recharge', 'voucher'] })
  supportedTypes: string[];
  /** Spec "Charge par CallBox". */
  load: BoxLoadDto;
  /** What the box itself said in its heartbeats (beside the backend's own counts above). */
  reported: ReportedStateDto;
  /** While set in the future, the box gets no new work (failing, or sitting on work past its lease). */
  @ApiProperty({ example: null, nullable: true, type: String })
  degradedUntil: string | null;
  @ApiProperty({ example: 'consecutive_failures', nullable: true, type: String, enum: ['consecutive_failures', 'failure_rate', 'lease_expired'] })
  degradedReason: string | null;
}

export class ReportedStateDto {
  /** The status word of its last heartbeat; anything but `active` gets no new work. */
  @ApiProperty({ example: 'active' })
  status: string;
  @ApiProperty({ example: 3 })
  queueSize: number;
  /** Seconds since the box started, as it last reported. */
  @ApiProperty({ example: 86400, nullable: true, type: Number })
  uptime: number | null;
  /** Percent of memory in use, as it last reported. */
  @ApiProperty({ example: 45.2, nullable: true, type: Number })
  memoryUsage: number | null;
  /** The box's own count (the backend's is `processedTransactions` beside `reported`). */
  @ApiProperty({ example: 152, nullable: true, type: Number })
  processedTransactions: number | null;
  /** Its last heartbeat. */
  @ApiProperty({ example: '2024-10-07T15:30:00.000Z' })
  at: string;
  /** The last heartbeat that carried metrics (uptime, memoryUsage, processedTransactions); null if none did. */
  @ApiProperty({ example: '2024-10-07T15:30:00.000Z', nullable: true, type: String })
  metricsAt: string | null;
}

export class BoxLoadDto {
  /** Assigned + processing right now. */
  @ApiProperty({ example: 3 })
  inFlight: number;
  @ApiProperty({ example: 5 })
  maxConcurrent: number;
  /** inFlight / maxConcurrent, 0 to 1. */
  @ApiProperty({ example: 0.6 })
  utilization: number;
}

export class TypeStatsDto {
  @ApiProperty({ example: 120 })
  total: number;
  @ApiProperty({ example: 100 })
  completed: number;
  @ApiProperty({ example: 5 })
  failed: number;
  @ApiProperty({ example: 0 })
  expired: number;
  /** Not final yet: pending, assigned, processing, retry or needs_review. */
  @ApiProperty({ example: 15 })
  open: number;
}

export class StatsDto {
  @ApiProperty({ example: 3 })
  connectedInstances: number;
  /** Work not started yet: pending, assigned and waiting for a retry. */
  @ApiProperty({ example: 12 })
  queueLength: number;
  @ApiProperty({ example: 8 })
  pendingTransactions: number;
  @ApiProperty({ example: 4 })
  assignedTransactions: number;
  @ApiProperty({ example: 2 })
  processingTransactions: number;
  @ApiProperty({ example: 1543 })
  completedTransactions: number;
  @ApiProperty({ example: 23 })
  failedTransactions: number;
  @ApiProperty({ example: 1 })
  retryTransactions: number;
  /** Work a lost box may have executed, waiting for an admin decision. */
  @ApiProperty({ example: 0 })
  needsReviewTransactions: number;
  /** Work no box took within PENDING_TTL_MS. */
  @ApiProperty({ example: 0 })
  expiredTransactions: number;
  @ApiProperty({ type: [InstanceStatsDto] })
  instances: InstanceStatsDto[];
  /** Spec "Métriques": transactions by type. */
  @ApiProperty({
    example: { recharge: { total: 120, completed: 100, failed: 5, expired: 0, open: 15 } },
    type: 'object',
    additionalProperties: { type: 'object', properties: { total: { type: 'number' }, completed: { type: 'number' }, failed: { type: 'number' }, expired: { type: 'number' }, open: { type: 'number' } } },
  })
  byType: Record<string, TypeStatsDto>;
  /** Percent of final transactions (completed, failed, expired) that completed (null before any). */
  @ApiProperty({ example: 98.53, nullable: true, type: Number })
  successRate: number | null;
  @ApiProperty({ example: 1.47, nullable: true, type: Number })
  failureRate: number | null;
  /** Mean time from processing to completed. */
  @ApiProperty({ example: 8200, nullable: true, type: Number })
  averageProcessingTimeMs: number | null;
}

export class StatsResponseDto {
  @ApiProperty({ example: true })
  success: true;
  stats: StatsDto;
}
