import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../common/auth/auth.guard';
import { CurrentPrincipal } from '../../common/auth/current-principal.decorator';
import type { Principal } from '../../common/auth/principal';
import { ApiErrorResponses } from '../../common/http/api-error-responses';
import { CallBoxTransactionsService } from './callbox-transactions.service';
import { ApiIdempotencyKey, IdempotencyKey } from './idempotency-key';
import { SubmitTransactionDto } from './submit-transaction.dto';
import { TransactionResponseDto } from './transaction.dto';
import { toSubmissionResponse } from './transaction.mapper';

/** "Intégration avec le Système Principal": the main system pushes work to the boxes. */
@ApiTags('Système principal')
@Authenticated('admin')
@Controller('transaction')
export class MainSystemController {
  constructor(private readonly service: CallBoxTransactionsService) {}

  @Post('to-callbox')
  @HttpCode(200)
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Envoie une transaction vers les CallBox (x-api-key)' })
  @ApiErrorResponses(400, 401, 403, 409)
  async toCallBox(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: SubmitTransactionDto,
    @IdempotencyKey() idempotencyKey?: string,
  ): Promise<TransactionResponseDto> {
    return toSubmissionResponse(await this.service.submit(principal, dto, idempotencyKey), 'Transaction envoyée vers les CallBox');
  }
}
