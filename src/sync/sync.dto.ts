import { ApiProperty } from '@nestjs/swagger';

export class TickCountsDto {
  @ApiProperty({ type: 'integer', example: 0, description: 'Boxes marked disconnected' })
  disconnected: number;
  @ApiProperty({ type: 'integer', example: 2, description: 'Assigned (never started) transactions put back in the queue' })
  requeued: number;
  @ApiProperty({ type: 'integer', example: 0, description: 'Processing transactions of lost boxes or past their lease, set aside' })
  needsReview: number;
  @ApiProperty({ type: 'integer', example: 1, description: 'Transactions whose backoff ran out, back in the queue' })
  retried: number;
  @ApiProperty({ type: 'integer', example: 0, description: 'Steps of the tick that raised an error' })
  failed: number;
  @ApiProperty({ type: 'integer', example: 5, description: 'Pending transactions handed to boxes' })
  assigned: number;
  @ApiProperty({ type: 'integer', example: 0, description: 'Pending transactions that waited longer than PENDING_TTL_MS: expired' })
  expired: number;
}

export class SyncStatusDto extends TickCountsDto {
  @ApiProperty({ example: true })
  running: boolean;
  @ApiProperty({ example: 10000 })
  intervalMs: number;
  @ApiProperty({ example: '2024-10-07T15:30:00.000Z', nullable: true, type: String })
  lastRunAt: string | null;
  @ApiProperty({ example: 12, nullable: true, type: Number })
  lastRunDurationMs: number | null;
  @ApiProperty({ example: 42, type: 'integer' })
  totalRuns: number;
  @ApiProperty({ example: '2024-10-07T15:30:10.000Z', nullable: true, type: String })
  nextRunAt: string | null;
  @ApiProperty({ example: 3, type: 'integer' })
  connectedInstances: number;
  @ApiProperty({ example: 'admin', nullable: true, type: String })
  changedBy: string | null;
  @ApiProperty({ example: '2024-10-07T15:00:00.000Z', nullable: true, type: String })
  changedAt: string | null;
  /** Whether this replica runs the scheduled ticks (on PostgreSQL one replica leads). */
  @ApiProperty({ example: true })
  leader: boolean;
  @ApiProperty({ example: 'gateway-7f9c:4211:a1b2c3' })
  instanceId: string;
}

export class SyncStatusResponseDto {
  @ApiProperty({ example: true })
  success: true;
  @ApiProperty({ example: 'Synchronisation démarrée', required: false })
  message?: string;
  status: SyncStatusDto;
}

export class ForceSyncResponseDto {
  @ApiProperty({ example: true })
  success: true;
  @ApiProperty({ example: 'Synchronisation forcée exécutée' })
  message: string;
  counts: TickCountsDto;
  @ApiProperty({ example: '2024-10-07T15:30:00.000Z' })
  ranAt: string;
  @ApiProperty({ example: 12.37, description: 'Milliseconds, to the hundredth' })
  durationMs: number;
}
