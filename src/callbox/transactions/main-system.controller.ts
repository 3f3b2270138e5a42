import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, type AuthenticatedRequest } from '../../common/auth/auth.guard';
import { ApiErrorResponses } from '../../common/http/api-error-responses';
import { CallBoxTransactionsService } from './callbox-transactions.service';
import { ApiIdempotencyKey, idempotencyKeyOf } from './idempotency-key';
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
  async toCallBox(@Req() request: AuthenticatedRequest, @Body() dto: SubmitTransactionDto): Promise<TransactionResponseDto> {
    const submitted = await this.service.submit(request.principal, dto, idempotencyKeyOf(request));
    return toSubmissionResponse(submitted, 'Transaction envoyée vers les CallBox');
  }
}
