import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { toTransactionDto } from '../callbox/transactions/transaction.mapper';
import { Authenticated } from '../common/auth/auth.guard';
import { ApiErrorResponses } from '../common/http/api-error-responses';
import { AdminBoxesResponseDto, OverviewResponseDto } from './admin-overview.dto';
import { AdminOverviewService } from './admin-overview.service';
import { PageQueryDto, TransactionFilterDto, TransactionPageDto } from './admin-transactions.dto';
import { AdminTransactionsService, MAX_EXPORT_ROWS, Page } from './admin-transactions.service';
import { csvLine } from './csv';

export const CONSOLE_TAG = 'Console';

const CSV_COLUMNS = [
  'id', 'createdAt', 'status', 'type', 'phoneNumber', 'amount', 'payItemId', 'customerName', 'operator',
  'assignedTo', 'attempt', 'retryCount', 'completedAt', 'transactionRef',
] as const;

/** The admin console's reads (x-api-key): bounded pages in keyset order, the overview, the fleet. */
@ApiTags(CONSOLE_TAG)
@Authenticated('admin')
@Controller('admin')
export class AdminController {
  constructor(
    private readonly transactions: AdminTransactionsService,
    private readonly overviews: AdminOverviewService,
  ) {}

  @Get('transactions')
  @ApiOperation({ summary: 'Recherche de transactions, les plus récentes en premier (pagination par curseur)' })
  @ApiErrorResponses(400, 401, 403)
  async list(@Query() query: TransactionFilterDto): Promise<TransactionPageDto> {
    return pageDto(await this.transactions.list(query));
  }

  @Get('transactions/export')
  @ApiOperation({ summary: `Export CSV de la recherche (mêmes filtres, au plus ${MAX_EXPORT_ROWS} lignes)` })
  @ApiOkResponse({ description: 'CSV (UTF-8, séparateur virgule, une ligne de titres)', content: { 'text/csv': { schema: { type: 'string' } } } })
  @ApiErrorResponses(400, 401, 403)
  async export(@Query() query: TransactionFilterDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    // Set here, not with @Header: Swagger would then document the JSON errors as text/csv too.
    void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="transactions.csv"');
    let csv = csvLine(CSV_COLUMNS);
    const rows = this.transactions.exportRows(query);
    for (;;) {
      const next = await rows.next();
      if (next.done) {
        if (next.value.truncated) void reply.header('x-export-truncated', String(MAX_EXPORT_ROWS));
        return csv;
      }
      for (const tx of next.value) {
        csv += csvLine([
          tx.id, new Date(tx.createdAt).toISOString(), tx.status, tx.type, tx.phoneNumber, tx.amount, tx.payItemId,
          tx.customerInfo?.name, tx.customerInfo?.operator, tx.assignedTo, tx.attempt, tx.retryCount,
          tx.completedAt === null ? null : new Date(tx.completedAt).toISOString(), tx.result?.transactionRef,
        ]);
      }
    }
  }

  @Get('review-queue')
  @ApiOperation({ summary: 'Transactions à vérifier (needs_review), les plus anciennes en premier' })
  @ApiErrorResponses(400, 401, 403)
  async reviewQueue(@Query() query: PageQueryDto): Promise<TransactionPageDto> {
    return pageDto(await this.transactions.reviewQueue(query.cursor, query.limit));
  }

  @Get('overview')
  @ApiOperation({ summary: "Vue d'ensemble: statuts, dernière heure, flotte, callbacks en attente, SOAP" })
  @ApiErrorResponses(401, 403)
  async overview(): Promise<OverviewResponseDto> {
    return { success: true, overview: await this.overviews.overview() };
  }

  @Get('boxes')
  @ApiOperation({ summary: 'La flotte: état, âge du heartbeat, charge, métriques rapportées, dégradation' })
  @ApiErrorResponses(401, 403)
  async boxes(): Promise<AdminBoxesResponseDto> {
    return { success: true, boxes: await this.overviews.boxList() };
  }
}

function pageDto(page: Page): TransactionPageDto {
  return { success: true, transactions: page.transactions.map(toTransactionDto), nextCursor: page.nextCursor };
}
