import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../common/auth/auth.guard';
import { CurrentPrincipal } from '../../common/auth/current-principal.decorator';
import type { Principal } from '../../common/auth/principal';
import { ApiErrorResponses } from '../../common/http/api-error-responses';
import type { Transaction, TransactionEvent } from '../../transactions/transaction';
import { TransactionAdminService } from './transaction-admin.service';
import {
  ResolveTransactionDto,
  TransactionDetailResponseDto,
  TransactionQueryDto,
  TransactionWithEventsDto,
} from './transaction-admin.dto';
import { toTransactionDto } from './transaction.mapper';

@ApiTags('CallBox')
@Controller('call-box/transactions')
export class TransactionAdminController {
  constructor(private readonly service: TransactionAdminService) {}

  @Get(':transactionId')
  @Authenticated('callbox-or-admin')
  @ApiOperation({ summary: "Une transaction et l'historique de ses états (x-api-key, ou le Bearer de la CallBox qui la détient)" })
  @ApiErrorResponses(400, 401, 403, 404)
  async read(
    @CurrentPrincipal() principal: Principal,
    @Param('transactionId') transactionId: string,
    @Query() query: TransactionQueryDto,
  ): Promise<TransactionDetailResponseDto> {
    const { transaction, events } = await this.service.read(principal, transactionId, query.callboxId);
    return { success: true, transaction: withEvents(transaction, events) };
  }

  @Post(':transactionId/resolve')
  @HttpCode(200)
  @Authenticated('admin')
  @ApiOperation({ summary: 'Tranche une transaction needs_review: completed ou failed (x-api-key)' })
  @ApiErrorResponses(400, 401, 403, 404, 409)
  async resolve(@Param('transactionId') transactionId: string, @Body() dto: ResolveTransactionDto): Promise<TransactionDetailResponseDto> {
    const { transaction, events } = await this.service.resolve(transactionId, dto.outcome, dto.note ?? null, dto.transactionRef);
    return { success: true, message: 'Transaction tranchée', transaction: withEvents(transaction, events) };
  }
}

function withEvents(transaction: Transaction, events: TransactionEvent[]): TransactionWithEventsDto {
  return {
    ...toTransactionDto(transaction),
    events: events.map((event) => ({
      from: event.from,
      to: event.to,
      actor: event.actor,
      at: new Date(event.at).toISOString(),
      details: event.details,
    })),
  };
}
