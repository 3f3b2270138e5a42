import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsObject, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { IsCallBoxId } from '../../common/validation/validators';
import { CallBoxConfigDto } from '../config/config.dto';

export class HeartbeatMetricsDto {
  /** Seconds since the box started. */
  @ApiPropertyOptional({ example: 86400 })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0)
  uptime?: number;

  /** Percent of memory in use. */
  @ApiPropertyOptional({ example: 45.2 })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(100)
  memoryUsage?: number;

  @ApiPropertyOptional({ example: 152 })
  @IsOptional() @IsInt() @Min(0)
  processedTransactions?: number;
}

export class HeartbeatDto {
  @IsCallBoxId()
  callboxId: string;

  /** What the box says of itself: `active`, `busy`, `maintenance`... */
  @ApiProperty({ example: 'active' })
  @IsString() @Matches(/^[a-z_]{1,32}$/, { message: 'status: lowercase letters and _ only, at most 32' })
  status: string;

  @ApiPropertyOptional({ example: 3 })
  @IsOptional() @IsInt() @Min(0) @Max(100_000)
  queueSize?: number;

  // IsObject: without it an array of metrics objects passed and was stored as { "0": {...} }.
  @IsOptional() @IsObject() @ValidateNested() @Type(() => HeartbeatMetricsDto)
  metrics?: HeartbeatMetricsDto;
}

export class HeartbeatResponseDto {
  @ApiProperty({ example: true })
  success: true;
  @ApiProperty({ example: 'Heartbeat reçu' })
  message: string;
  /** Work waiting for this box: assigned to it and not started, plus the unassigned queue. */
  @ApiProperty({ example: 5 })
  pendingTransactions: number;
  config: CallBoxConfigDto;
}
