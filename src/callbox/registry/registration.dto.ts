import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCallBoxId } from '../../common/validation/validators';
import { TRANSACTION_TYPES, TransactionType } from '../../transactions/transaction';
import { CallBoxConfigDto } from '../config/config.dto';

export class CapabilitiesDto {
  @ApiProperty({ example: 5, minimum: 1, maximum: 100 })
  @IsInt() @Min(1) @Max(100)
  maxConcurrentTransactions: number;

  @ApiProperty({ enum: TRANSACTION_TYPES, isArray: true, example: ['recharge', 'voucher', 'deposit', 'withdraw'] })
  @IsArray() @ArrayNotEmpty() @ArrayUnique() @IsIn(TRANSACTION_TYPES, { each: true })
  supportedTypes: TransactionType[];

  /** Operators whose SIM cards the box holds; when given, the box only receives their transactions. */
  @ApiPropertyOptional({ example: ['MTN', 'Orange'] })
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @Length(1, 64, { each: true })
  operators?: string[];
}

export class RegisterCallBoxDto {
  @IsCallBoxId()
  callboxId: string;

  // IsObject: ValidateNested alone lets an array through (validating its elements), and the
  // service then reads capabilities.maxConcurrentTransactions of an array: a 500.
  @IsDefined() @IsObject() @ValidateNested() @Type(() => CapabilitiesDto)
  capabilities: CapabilitiesDto;

  @ApiPropertyOptional({ example: '1.0.0' })
  @IsOptional() @IsString() @MaxLength(32)
  version?: string;

  @ApiPropertyOptional({ example: 'Douala Centre' })
  @IsOptional() @IsString() @MaxLength(200)
  location?: string;
}

export class InstanceDto {
  @ApiProperty({ example: 'callbox_001' })
  id: string;
  @ApiProperty({ example: 'active' })
  status: string;
  @ApiProperty({ example: '2024-10-07T15:30:00.000Z' })
  lastHeartbeat: string;
}

export class RegisterResponseDto {
  @ApiProperty({ example: true })
  success: true;
  @ApiProperty({ example: 'CallBox enregistré avec succès' })
  message: string;
  config: CallBoxConfigDto;
  instance: InstanceDto;
}
