import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsCallBoxId } from '../../common/validation/validators';

/** The most one poll may ask for; the box's batchSize (at most MAX_BATCH_SIZE) caps it further. */
export const MAX_POLL_LIMIT = 100;
const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${MAX_POLL_LIMIT}`;
/** The longest a box may ask a poll to be held (long polling); LONG_POLL_MAX_WAIT_MS may cut it further. */
export const MAX_WAIT_MS = 25_000;
const WAIT_MESSAGE = `waitMs must be a whole number from 0 to ${MAX_WAIT_MS}`;

export class PendingQueryDto {
  @IsCallBoxId()
  callboxId: string;

  /** At most this many transactions (default: the box's batchSize, which also caps it). */
  @ApiPropertyOptional({ example: 5, minimum: 1, maximum: MAX_POLL_LIMIT, description: `1 to ${MAX_POLL_LIMIT}; never more than the box's batchSize` })
  // Only plain decimal digits become a number: '0x10' or '1e2' stay strings and are refused.
  @IsOptional() @Transform(({ value }) => (typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : value))
  // One message whatever was wrong: `-1` once read "must not be greater than 100".
  @IsInt({ message: LIMIT_MESSAGE }) @Min(1, { message: LIMIT_MESSAGE }) @Max(MAX_POLL_LIMIT, { message: LIMIT_MESSAGE })
  limit?: number;

  /**
   * Long polling: when the box has nothing, hold the request until work for it exists or this many
   * milliseconds pass, then answer exactly as a poll. Without it (or 0) the poll answers at once.
   */
  @ApiPropertyOptional({
    example: 20000,
    minimum: 0,
    maximum: MAX_WAIT_MS,
    description: `0 to ${MAX_WAIT_MS}; the server's config.longPollMaxWaitMs caps it (0 there: long polling off, answered at once)`,
  })
  @IsOptional() @Transform(({ value }) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value))
  @IsInt({ message: WAIT_MESSAGE }) @Min(0, { message: WAIT_MESSAGE }) @Max(MAX_WAIT_MS, { message: WAIT_MESSAGE })
  waitMs?: number;
}
