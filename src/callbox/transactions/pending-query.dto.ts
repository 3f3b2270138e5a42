import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsCallBoxId } from '../../common/validation/validators';

export class PendingQueryDto {
  @IsCallBoxId()
  callboxId: string;

  /** At most this many transactions (default: the box's batchSize). */
  @ApiPropertyOptional({ example: 5, minimum: 1, maximum: 100 })
  // Only plain decimal digits become a number: '0x10' or '1e2' stay strings and are refused.
  @IsOptional() @Transform(({ value }) => (typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : value)) @IsInt() @Min(1) @Max(100)
  limit?: number;
}
