import { ApiProperty } from '@nestjs/swagger';
import { InstanceStatsDto } from '../callbox/stats/stats.dto';
import { SOAP_OUTCOMES } from '../metrics/metrics.service';
import { TRANSACTION_STATUSES } from '../transactions/transaction';

export class FinishedMinuteDto {
  /** Start of the minute. */
  @ApiProperty({ example: '2024-10-07T15:30:00.000Z' })
  minute: string;
  @ApiProperty({ example: 12, type: 'integer' })
  completed: number;
  @ApiProperty({ example: 1, type: 'integer' })
  failed: number;
}

export class FleetCountsDto {
  /** Heard from within HEARTBEAT_TIMEOUT_MS, not degraded, and their heartbeat says `active`: taking work. */
  @ApiProperty({ example: 3, type: 'integer' })
  connected: number;
  /** Heard from and healthy, but their heartbeat says another word (`maintenance`, `busy`...): taking no new work. */
  @ApiProperty({ example: 0, type: 'integer' })
  notActive: number;
  @ApiProperty({ example: 0, type: 'integer' })
  degraded: number;
  @ApiProperty({ example: 1, type: 'integer' })
  disconnected: number;
}

export class SoapStateDto {
  @ApiProperty({ enum: ['closed', 'open', 'half_open'], example: 'closed' })
  breaker: string;
  /** SOAP calls of this replica since it started, by outcome (breaker_open: refused at once). */
  @ApiProperty({
    example: { success: 42, timeout: 1, breaker_open: 0 },
    type: 'object',
    properties: Object.fromEntries(SOAP_OUTCOMES.map((o) => [o, { type: 'integer' }])),
  })
  callsSinceStart: Record<string, number>;
}

export class OverviewDto {
  @ApiProperty({
    example: { pending: 3, assigned: 1, processing: 2, completed: 1543, failed: 23, retry: 0, needs_review: 1, expired: 0 },
    type: 'object',
    properties: Object.fromEntries(TRANSACTION_STATUSES.map((s) => [s, { type: 'integer' }])),
  })
  byStatus: Record<string, number>;
  /** The last hour, one entry a minute, oldest first (zeros included). */
  @ApiProperty({ type: [FinishedMinuteDto] })
  finishedPerMinute: FinishedMinuteDto[];
  fleet: FleetCountsDto;
  /** Outcome callbacks not yet acknowledged by the main system. */
  @ApiProperty({ example: 0, type: 'integer' })
  callbackBacklog: number;
  soap: SoapStateDto;
  @ApiProperty({ example: '2024-10-07T15:30:12.000Z' })
  at: string;
}

export class OverviewResponseDto {
  @ApiProperty({ example: true })
  success: true;
  overview: OverviewDto;
}

export class AdminBoxDto extends InstanceStatsDto {
  /** Milliseconds since its last heartbeat. */
  @ApiProperty({ example: 4200, type: 'integer' })
  heartbeatAgeMs: number;
  /** The operators it declared; null: any. */
  @ApiProperty({ example: ['MTN'], nullable: true, type: [String] })
  operators: string[] | null;
  @ApiProperty({ example: '2024-10-07T08:00:00.000Z' })
  registeredAt: string;
}

export class AdminBoxesResponseDto {
  @ApiProperty({ example: true })
  success: true;
  @ApiProperty({ type: [AdminBoxDto] })
  boxes: AdminBoxDto[];
}
