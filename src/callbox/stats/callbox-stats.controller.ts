import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../common/auth/auth.guard';
import { ApiErrorResponses } from '../../common/http/api-error-responses';
import { CallBoxStatsService } from './callbox-stats.service';
import { StatsResponseDto } from './stats.dto';

@ApiTags('CallBox')
@Controller('call-box/stats')
export class CallBoxStatsController {
  constructor(private readonly stats: CallBoxStatsService) {}

  @Get()
  @Authenticated('callbox-or-admin')
  @ApiOperation({ summary: 'Statistiques globales du système CallBox' })
  @ApiErrorResponses(401)
  async get(): Promise<StatsResponseDto> {
    return { success: true, stats: await this.stats.stats() };
  }
}
