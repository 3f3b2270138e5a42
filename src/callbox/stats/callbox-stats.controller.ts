import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { Authenticated } from '../../common/auth/auth.guard';
import { ApiErrorResponses } from '../../common/http/api-error-responses';
import { CallBoxStatsService } from './callbox-stats.service';
import { StatsResponseDto } from './stats.dto';

@ApiTags('CallBox')
@Controller('call-box/stats')
export class CallBoxStatsController {
  constructor(private readonly stats: CallBoxStatsService) {}

  /**
   * The answer comes serialized, in pieces written one after the other (a large fleet's is several
   * megabytes, built a step at a time); its shape is StatsResponseDto's.
   */
  @Get()
  @Authenticated('callbox-or-admin')
  @ApiOperation({ summary: 'Statistiques globales du système CallBox' })
  @ApiOkResponse({ type: StatsResponseDto })
  @ApiErrorResponses(401)
  async get(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readable> {
    const { pieces, bytes } = await this.stats.answer();
    // Set here, not with @Header: Swagger would document the errors' content type from it too.
    void reply.header('content-type', 'application/json; charset=utf-8').header('content-length', bytes);
    return Readable.from(pieces, { objectMode: false });
  }
}
