import { ApiProperty } from '@nestjs/swagger';
import { TRANSACTION_TYPES } from '../transactions/transaction';
import { OUTCOME_STATUSES } from '../transactions/outcome';
import { CustomerInfoView } from '../callbox/transactions/transaction.dto';

/** The body POSTed to MAIN_CALLBACK_URL for every outcome (outcomePayload, then `sequence`). */
export class OutcomeCallbackDto {
  @ApiProperty({ enum: OUTCOME_STATUSES.map((status) => `transaction.${status}`), example: 'transaction.completed' })
  event: string;
  @ApiProperty({ example: 'tx_1728307200_abc123' })
  transactionId: string;
  @ApiProperty({ enum: OUTCOME_STATUSES, example: 'completed' })
  status: string;
  @ApiProperty({ enum: TRANSACTION_TYPES, example: 'recharge' })
  type: string;
  @ApiProperty({ example: '+237677123456' })
  phoneNumber: string;
  @ApiProperty({ type: 'integer', nullable: true, example: 1000 })
  amount: number | null;
  @ApiProperty({ example: 'MTN_RECHARGE_1000' })
  payItemId: string;
  @ApiProperty({ type: CustomerInfoView, nullable: true })
  customerInfo: CustomerInfoView | null;
  @ApiProperty({ type: String, nullable: true, example: 'callbox_001' })
  assignedTo: string | null;
  @ApiProperty({ type: 'integer', example: 0 })
  retryCount: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: "The box's last report (success, transactionRef, balance, message)",
    example: { success: true, transactionRef: 'MTN123456789', balance: 2500, message: 'Recharge effectuée avec succès' },
  })
  result: Record<string, unknown> | null;
  @ApiProperty({ example: '2024-10-07T15:30:00.000Z' })
  occurredAt: string;
  @ApiProperty({ type: 'integer', minimum: 1, example: 1, description: '1, 2, ... per transaction, in the order its outcomes happened: apply only a higher one' })
  sequence: number;
}

