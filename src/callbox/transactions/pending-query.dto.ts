import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsCallBoxId } from '../../common/validation/validators';

export class PendingQueryDto {
  @IsCallBoxId()
  callboxId: string;

  /** At most this many transactions (default: the box's batchSize). */
  @ApiPropertyOptional({ example: 5, minimum: 1, maximum: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100)
  limit?: number;
}
