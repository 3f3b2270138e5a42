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
  @ApiProperty({ type: [InstanceStatsDto] })
  instances: InstanceStatsDto[];
}

export class StatsResponseDto {
  @ApiProperty({ example: true })
  success: true;
  stats: StatsDto;
}
