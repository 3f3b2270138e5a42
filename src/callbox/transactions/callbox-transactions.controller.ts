import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated, type AuthenticatedRequest } from '../../common/auth/auth.guard';
import { ApiErrorResponses } from '../../common/http/api-error-responses';
import { heldClientOf } from '../long-poll/held-client';
import { HeldReplies } from '../long-poll/held-reply';
import { LongPollService, PollAnswer } from '../long-poll/long-poll.service';
import { CallBoxTransactionsService } from './callbox-transactions.service';
import { ApiIdempotencyKey, idempotencyKeyOf } from './idempotency-key';
import { PendingQueryDto } from './pending-query.dto';
import { SubmitTransactionDto } from './submit-transaction.dto';
import { PendingResponseDto, TransactionResponseDto } from './transaction.dto';
import { toSubmissionResponse, toTransactionDto } from './transaction.mapper';
import { UpdateStatusDto } from './update-status.dto';

@ApiTags('CallBox')
@Authenticated('callbox')
@Controller('call-box/transactions')
export class CallBoxTransactionsController {
  constructor(
    private readonly service: CallBoxTransactionsService,
    private readonly longPoll: LongPollService,
    private readonly heldReplies: HeldReplies,
  ) {}

  @Get('pending')
  @ApiOperation({
    summary: 'Transactions assignées à la CallBox, et réservation atomique de nouvelles',
    description:
      'Avec `waitMs` (long polling) : sans travail pour la CallBox, la requête est tenue jusqu’à ce qu’il en arrive ou que `waitMs` ' +
      'passe (au plus `config.longPollMaxWaitMs`), puis répond comme un poll. Sans `waitMs`, rien ne change.',
  })
  @ApiOkResponse({ type: PendingResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async pending(@Query() query: PendingQueryDto, @Req() request: AuthenticatedRequest, @Res() reply: FastifyReply): Promise<void> {
    // A poll claims work: a HEAD (which Fastify routes here too) would claim what it cannot show.
    if (request.method === 'HEAD') return void reply.code(405).header('allow', 'GET').send();
    const outcome = await this.longPoll.pending(request.principal, query.callboxId, query.limit, query.waitMs, heldClientOf(request));
    // Held: answered when its hold ends, with no frame of this route waiting meanwhile.
    if (outcome.held) return this.heldReplies.answerLater(request, reply, outcome.held.then(toPendingResponse));
    void reply.send(toPendingResponse(outcome.answer));
  }

  @Post('submit')
  @HttpCode(200)
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Ajoute une nouvelle transaction à la queue' })
  @ApiErrorResponses(400, 401, 409)
  async submit(@Req() request: AuthenticatedRequest, @Body() dto: SubmitTransactionDto): Promise<TransactionResponseDto> {
    const submitted = await this.service.submit(request.principal, dto, idempotencyKeyOf(request));
    return toSubmissionResponse(submitted, 'Transaction ajoutée à la queue');
  }

  @Put(':transactionId/status')
  @ApiOperation({ summary: "Met à jour le statut d'une transaction (un statut répété est sans effet)" })
  @ApiErrorResponses(400, 401, 403, 404, 409)
  async updateStatus(
    @Req() request: AuthenticatedRequest,
    @Param('transactionId') transactionId: string,
    @Body() dto: UpdateStatusDto,
  ): Promise<TransactionResponseDto> {
    const { transaction, changed } = await this.service.report(request.principal, transactionId, dto);
    return {
      success: true,
      message: changed ? 'Statut mis à jour' : 'Statut déjà enregistré',
      transaction: toTransactionDto(transaction),
    };
  }
}

function toPendingResponse({ transactions, totalPending, standing }: PollAnswer): PendingResponseDto {
  return { success: true, transactions: transactions.map(toTransactionDto), count: transactions.length, totalPending, ...standing };
}
