import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PRIORITIES, TRANSACTION_STATUSES, TRANSACTION_TYPES } from '../../transactions/transaction';

export class CustomerInfoView {
  @ApiPropertyOptional({ example: 'Jean Dupont' })
  name?: string;
  @ApiPropertyOptional({ example: 'MTN' })
  operator?: string;
}

/** A transaction as boxes and the main system see it: the spec's fields, then a few of ours. */
export class TransactionDto {
  @ApiProperty({ example: 'tx_1728307200_abc123' })
  id: string;
  @ApiProperty({ enum: TRANSACTION_TYPES, example: 'recharge' })
  type: string;
  @ApiProperty({ example: '+237677123456' })
  phoneNumber: string;
  @ApiProperty({ example: 1000, nullable: true, type: 'integer' })
  amount: number | null;
  @ApiProperty({ example: 'MTN_RECHARGE_1000' })
  payItemId: string;
  @ApiProperty({ type: CustomerInfoView, nullable: true })
  customerInfo: CustomerInfoView | null;
  @ApiProperty({ enum: PRIORITIES, example: 'normal' })
  priority: string;
  @ApiProperty({ enum: TRANSACTION_STATUSES, example: 'assigned' })
  status: string;
  @ApiProperty({ example: '2024-10-07T15:00:00.000Z' })
  createdAt: string;
  @ApiProperty({ example: 'callbox_001', nullable: true, type: String })
  assignedTo: string | null;
  @ApiProperty({ example: 0, type: 'integer' })
  retryCount: number;
  @ApiProperty({ example: 3, type: 'integer' })
  maxRetries: number;
  @ApiProperty({ example: '2024-10-07T15:00:05.000Z' })
  updatedAt: string;
  @ApiProperty({ nullable: true, type: String })
  assignedAt: string | null;
  @ApiProperty({ nullable: true, type: String })
  startedAt: string | null;
  @ApiProperty({ nullable: true, type: String })
  completedAt: string | null;
  /** When a transaction in `retry` goes back to the queue. */
  @ApiProperty({ nullable: true, type: String })
  nextAttemptAt: string | null;
  /** Which assignment this is (1 for the first): echo it in status reports as `attempt`. */
  @ApiProperty({ example: 1, type: 'integer' })
  attempt: number;
  /** The box's last report (`success`, `transactionRef`, `balance`, `message`). */
  @ApiProperty({ nullable: true, type: Object, example: { success: true, transactionRef: 'MTN123456789', balance: 2500 } })
  result: Record<string, unknown> | null;
}

export class PendingResponseDto {
  @ApiProperty({ example: true })
  success: true;
  @ApiProperty({ type: [TransactionDto] })
  transactions: TransactionDto[];
  @ApiProperty({ example: 1, type: 'integer' })
  count: number;
  /** Transactions still waiting in the queue for any box. */
  @ApiProperty({ example: 5, type: 'integer' })
  totalPending: number;
  /**
   * The box as the backend sees it: `active`; `disconnected` (no heartbeat within
   * HEARTBEAT_TIMEOUT_MS: send one to get work), `degraded` (paused), or the word of its last
   * heartbeat (`maintenance`...): then it gets no new work, and `message` says why.
   */
  @ApiProperty({ example: 'active' })
  status: string;
  @ApiPropertyOptional({ example: 'Aucun heartbeat depuis plus de 30 s : CallBox considérée déconnectée, aucun nouveau travail. Envoyez un heartbeat (POST /api/call-box/heartbeat) pour en recevoir.' })
  message?: string;
}

export class TransactionResponseDto {
  @ApiProperty({ example: true })
  success: true;
  @ApiProperty({ example: 'Transaction ajoutée à la queue' })
  message: string;
  transaction: TransactionDto;
}
