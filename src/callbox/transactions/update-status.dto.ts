import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsCallBoxId } from '../../common/validation/validators';
import { TransactionStatus } from '../../transactions/transaction';

/** The six statuses the spec lists; a box may move a transaction to processing, completed, failed or back to pending. */
export const SPEC_STATUSES = ['pending', 'assigned', 'processing', 'completed', 'failed', 'retry'] as const;

export class OperationResultDto {
  @ApiPropertyOptional({ example: true })
  @IsOptional() @IsBoolean()
  success?: boolean;

  @ApiPropertyOptional({ example: 'MTN123456789' })
  @IsOptional() @IsString() @MaxLength(100)
  transactionRef?: string;

  @ApiPropertyOptional({ example: 2500 })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false })
  balance?: number;

  @ApiPropertyOptional({ example: 'Recharge effectuée avec succès' })
  @IsOptional() @IsString() @MaxLength(500)
  message?: string;

  /** The carrier's or the box's error code when the operation failed. */
  @ApiPropertyOptional({ example: 'USSD_TIMEOUT' })
  @IsOptional() @IsString() @MaxLength(64)
  errorCode?: string;
}

export class UpdateStatusDto {
  @ApiProperty({ enum: SPEC_STATUSES, example: 'completed' })
  @IsIn(SPEC_STATUSES)
  status: Extract<TransactionStatus, (typeof SPEC_STATUSES)[number]>;

  @IsCallBoxId()
  callboxId: string;

  /**
   * The `attempt` of the transaction as the poll gave it: a report about another assignment is
   * refused (409 TRANSACTION.STALE_ATTEMPT) instead of settling the current one.
   */
  @ApiPropertyOptional({ example: 1, minimum: 1 })
  @IsOptional() @IsInt() @Min(1) @Max(1_000_000)
  attempt?: number;

  @IsOptional() @IsObject() @ValidateNested() @Type(() => OperationResultDto)
  result?: OperationResultDto;
}
