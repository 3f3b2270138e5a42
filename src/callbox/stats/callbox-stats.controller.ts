import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { Authenticated } from '../../common/auth/auth.guard';
import { ApiErrorResponses } from '../../common/http/api-error-responses';
import { CallBoxStatsService } from './callbox-stats.service';
import { StatsResponseDto } from './stats.dto';

/** Up to this size (about 500 boxes) the answer is sent as one buffer; past it, piece by piece. */
const ONE_PIECE_BYTES = 256 * 1024;

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
  async get(@Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer | Readable> {
    const { pieces, bytes } = await this.stats.answer();
    // Set here, not with @Header: Swagger would document the errors' content type from it too.
    void reply.header('content-type', 'application/json; charset=utf-8').header('content-length', bytes);
    // A small fleet's answer in one buffer (a stream costs about a millisecond more to set up).
    return bytes <= ONE_PIECE_BYTES ? Buffer.concat(pieces, bytes) : Readable.from(pieces, { objectMode: false });
  }
}
