import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PRIORITIES, Priority, TRANSACTION_TYPES, TransactionType } from '../../transactions/transaction';
import { IsCallBoxId } from '../../common/validation/validators';
import { defineCompiledRule } from '../../common/validation/dto-schema';

export const E164_PATTERN = /^\+[1-9][0-9]{7,14}$/;
export const PAY_ITEM_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_AMOUNT = 1_000_000_000;

const isAmount = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_AMOUNT;
defineCompiledRule('isAmount', { type: 'integer', minimum: 1, maximum: MAX_AMOUNT });

/**
 * One rule, one message: a missing amount reads "required" (separate IsInt, IsPositive and Max
 * answered three contradictory messages for it), anything else the whole range.
 */
function IsAmount() {
  return ValidateBy({
    name: 'isAmount',
    validator: {
      validate: isAmount,
      defaultMessage: (args) =>
        args?.value === undefined || args?.value === null
          ? '$property is required for every type but voucher'
          : `$property must be a whole number from 1 to ${MAX_AMOUNT}`,
    },
  });
}

export class CustomerInfoDto {
  @ApiPropertyOptional({ example: 'Jean Dupont' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'MTN' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(64)
  operator?: string;
}

export class SubmitTransactionDto {
  @ApiProperty({ enum: TRANSACTION_TYPES, example: 'recharge' })
  @IsIn(TRANSACTION_TYPES)
  type: TransactionType;

  /** E.164: `+` then 8 to 15 digits. */
  @ApiProperty({ example: '+237677123456', pattern: E164_PATTERN.source })
  @IsString() @Matches(E164_PATTERN, { message: 'phoneNumber must be in E.164 format (+ then 8 to 15 digits)' })
  phoneNumber: string;

  /** A positive whole amount; required for every type but `voucher`. */
  @ApiPropertyOptional({ type: 'integer', example: 1000, minimum: 1, maximum: MAX_AMOUNT })
  @ValidateIf((dto: SubmitTransactionDto) => dto.type !== 'voucher' || dto.amount !== undefined)
  @IsAmount()
  amount?: number;

  @ApiProperty({ example: 'MTN_RECHARGE_1000', pattern: PAY_ITEM_ID_PATTERN.source })
  @IsString() @Matches(PAY_ITEM_ID_PATTERN, { message: 'payItemId: letters, digits, _ and - only, 1 to 64 characters' })
  payItemId: string;

  @IsOptional() @IsObject() @ValidateNested() @Type(() => CustomerInfoDto)
  customerInfo?: CustomerInfoDto;

  @ApiPropertyOptional({ enum: PRIORITIES, default: 'normal' })
  @IsOptional() @IsIn(PRIORITIES)
  priority?: Priority;

  /**
   * The box submitting (a box's token must be allowed to act for it): its Idempotency-Keys are its
   * own, never shared with another box using the same fleet token. Ignored for the main system.
   */
  @ApiPropertyOptional({ example: 'callbox_001' })
  @IsOptional() @IsCallBoxId()
  callboxId?: string;
}
