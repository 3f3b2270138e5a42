import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { IsCallBoxId } from '../../common/validation/validators';

export class CallBoxConfigDto {
  @ApiProperty({ example: 3, type: 'integer' })
  maxRetries: number;
  @ApiProperty({ example: 30000, type: 'integer' })
  timeoutMs: number;
  @ApiProperty({ example: 5, type: 'integer' })
  batchSize: number;
  @ApiProperty({ example: 5000, type: 'integer' })
  pollIntervalMs: number;
  /**
   * Added to the spec's config: the server holds a poll with `waitMs` up to this long (long polling,
   * GET /transactions/pending?waitMs=...); 0: it does not, poll every pollIntervalMs.
   */
  @ApiProperty({ example: 25000, type: 'integer', description: 'Long polling: the longest `waitMs` the server honours on GET /api/call-box/transactions/pending (0: off)' })
  longPollMaxWaitMs: number;
}

export class ConfigQueryDto {
  /** The box whose effective config to return; without it, the global config. */
  @IsOptional() @IsCallBoxId()
  callboxId?: string;
}

export const CONFIG_LIMITS = {
  maxRetries: { min: 0, max: 10 },
  timeoutMs: { min: 1000, max: 3_600_000 },
  batchSize: { min: 1, max: 100 },
  pollIntervalMs: { min: 500, max: 300_000 },
} as const;

/**
 * Optional, but not nullable: IsOptional would let `null` through, and a null setting would be
 * stored as "absent", silently resetting it to the next level instead of being refused.
 */
const IfPresent = () => ValidateIf((_: unknown, value: unknown) => value !== undefined);

export class UpdateConfigDto {
  /** When given, the change applies to this box only (an override); otherwise to every box. */
  @IsOptional() @IsCallBoxId()
  callboxId?: string;

  @ApiPropertyOptional({ example: 3, type: 'integer' })
  @IfPresent() @IsInt() @Min(CONFIG_LIMITS.maxRetries.min) @Max(CONFIG_LIMITS.maxRetries.max)
  maxRetries?: number;

  @ApiPropertyOptional({ example: 30000, type: 'integer' })
  @IfPresent() @IsInt() @Min(CONFIG_LIMITS.timeoutMs.min) @Max(CONFIG_LIMITS.timeoutMs.max)
  timeoutMs?: number;

  @ApiPropertyOptional({ example: 5, type: 'integer' })
  @IfPresent() @IsInt() @Min(CONFIG_LIMITS.batchSize.min) @Max(CONFIG_LIMITS.batchSize.max)
  batchSize?: number;

  @ApiPropertyOptional({ example: 5000, type: 'integer' })
  @IfPresent() @IsInt() @Min(CONFIG_LIMITS.pollIntervalMs.min) @Max(CONFIG_LIMITS.pollIntervalMs.max)
  pollIntervalMs?: number;
}

export class ConfigResponseDto {
  @ApiProperty({ example: true })
  success: true;
  @ApiPropertyOptional({ example: 'Configuration mise à jour' })
  message?: string;
  /** `global`, or the id of the box the config belongs to. */
  @ApiProperty({ example: 'callbox_001' })
  scope: string;
  config: CallBoxConfigDto;
}
