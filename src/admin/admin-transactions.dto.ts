import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { TransactionDto } from '../callbox/transactions/transaction.dto';
import { IsCallBoxId } from '../common/validation/validators';
import { TRANSACTION_STATUSES, TRANSACTION_TYPES, TransactionStatus, TransactionType } from '../transactions/transaction';

export const MAX_PAGE = 200;
const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${MAX_PAGE}`;
/** `<created_at ms>:<id>` of the last row of the previous page. */
export const CURSOR_PATTERN = /^(\d{1,15}):([A-Za-z0-9_-]{1,64})$/;

/** A page in keyset order: `cursor` is the previous page's `nextCursor`. */
export class PageQueryDto {
  @ApiPropertyOptional({ example: '1728313200000:tx_1728313200_abc123', description: "The previous page's nextCursor" })
  @IsOptional() @IsString() @Matches(CURSOR_PATTERN, { message: "cursor must be a page's nextCursor" })
  cursor?: string;

  @ApiPropertyOptional({ example: 50, minimum: 1, maximum: MAX_PAGE, description: `1 to ${MAX_PAGE} (default 50)` })
  @IsOptional() @Transform(({ value }) => (typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : value))
  @IsInt({ message: LIMIT_MESSAGE }) @Min(1, { message: LIMIT_MESSAGE }) @Max(MAX_PAGE, { message: LIMIT_MESSAGE })
  limit?: number;
}

/** The filters of the Transactions page (and of its CSV export); all optional, combined with AND. */
export class TransactionFilterDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'tx_1728307200_abc123' })
  @IsOptional() @IsString() @MaxLength(64)
  id?: string;

  @ApiPropertyOptional({ example: '77123456', description: 'Either form: 77123456, 25377123456, +25377123456' })
  @IsOptional() @IsString() @Matches(/^\+?[0-9][0-9 .-]{4,24}$/, { message: 'phoneNumber must be a phone number (digits, optional +)' })
  phoneNumber?: string;

  @ApiPropertyOptional({ enum: TRANSACTION_STATUSES, example: 'needs_review' })
  @IsOptional() @IsIn(TRANSACTION_STATUSES)
  status?: TransactionStatus;

  @ApiPropertyOptional({ enum: TRANSACTION_TYPES, example: 'recharge' })
  @IsOptional() @IsIn(TRANSACTION_TYPES)
  type?: TransactionType;

  /** The box it was (last) assigned to. */
  @ApiPropertyOptional({ example: 'callbox_001' })
  @IsOptional() @IsCallBoxId()
  callboxId?: string;

  @ApiPropertyOptional({ example: '2024-10-07T00:00:00.000Z', description: 'Created at or after' })
  @IsOptional() @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2024-10-08T00:00:00.000Z', description: 'Created before' })
  @IsOptional() @IsISO8601({ strict: true })
  to?: string;
}

export class TransactionPageDto {
  @ApiProperty({ example: true })
  success: true;
  @ApiProperty({ type: [TransactionDto] })
  transactions: TransactionDto[];
  /** Pass it as `cursor` for the next page; null on the last one. */
  @ApiProperty({ example: '1728313200000:tx_1728313200_abc123', nullable: true, type: String })
  nextCursor: string | null;
}
