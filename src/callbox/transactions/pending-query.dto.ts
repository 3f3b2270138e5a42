import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsCallBoxId } from '../../common/validation/validators';

/** The most one poll may ask for; the box's batchSize (at most MAX_BATCH_SIZE) caps it further. */
export const MAX_POLL_LIMIT = 100;
const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${MAX_POLL_LIMIT}`;

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
}
