import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsCallBoxId } from '../../common/validation/validators';
import { TransactionDto } from './transaction.dto';

export class TransactionQueryDto {
  /** Required with a CallBox token: the box asking, which must hold the transaction. */
  @IsOptional() @IsCallBoxId()
  callboxId?: string;
}

export class ResolveTransactionDto {
  @ApiProperty({ enum: ['completed', 'failed'], example: 'completed' })
  @IsIn(['completed', 'failed'])
  outcome: 'completed' | 'failed';

  /** What the admin checked with the carrier. */
  @ApiPropertyOptional({ example: 'Vérifié auprès de MTN: recharge bien effectuée (réf. MTN123456789)' })
  @IsOptional() @IsString() @MaxLength(1000)
  note?: string;

  /** The operator's reference the admin found (kept only with `completed`), as `result.transactionRef`. */
  @ApiPropertyOptional({ example: 'MTN123456789' })
  @IsOptional() @IsString() @MaxLength(100)
  transactionRef?: string;
}

export class TransactionEventDto {
  @ApiProperty({ example: 'assigned', nullable: true, type: String })
  from: string | null;
  @ApiProperty({ example: 'processing' })
  to: string;
  @ApiProperty({ example: 'callbox:callbox_001' })
  actor: string;
  @ApiProperty({ example: '2024-10-07T15:00:05.000Z' })
  at: string;
  @ApiProperty({ nullable: true, type: Object, example: { reportedStatus: 'processing' } })
  details: Record<string, unknown> | null;
}

export class TransactionWithEventsDto extends TransactionDto {
  @ApiProperty({ type: [TransactionEventDto] })
  events: TransactionEventDto[];
}

export class TransactionDetailResponseDto {
  @ApiProperty({ example: true })
  success: true;
  @ApiPropertyOptional({ example: 'Transaction tranchée' })
  message?: string;
  transaction: TransactionWithEventsDto;
}
