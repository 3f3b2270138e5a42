import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/auth/auth.guard';
import { ApiErrorResponses } from '../common/http/api-error-responses';
import { SyncSchedulerService } from './sync-scheduler.service';
import { ForceSyncResponseDto, SyncStatusResponseDto } from './sync.dto';

@ApiTags('Synchronisation')
@Authenticated('admin')
@Controller('sync')
export class SyncController {
  constructor(private readonly scheduler: SyncSchedulerService) {}

  @Get('status')
  @ApiOperation({ summary: 'Statut du service de synchronisation' })
  @ApiErrorResponses(401, 403)
  async status(): Promise<SyncStatusResponseDto> {
    return { success: true, status: await this.scheduler.status() };
  }

  @Post('start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Démarrer la synchronisation (persistant: survit à un redémarrage)' })
  @ApiErrorResponses(401, 403)
  async start(): Promise<SyncStatusResponseDto> {
    return { success: true, message: 'Synchronisation démarrée', status: await this.scheduler.start('admin') };
  }

  @Post('stop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Arrêter la synchronisation (persistant: survit à un redémarrage)' })
  @ApiErrorResponses(401, 403)
  async stop(): Promise<SyncStatusResponseDto> {
    return { success: true, message: 'Synchronisation arrêtée', status: await this.scheduler.stop('admin') };
  }

  @Post('force')
  @HttpCode(200)
  @ApiOperation({ summary: 'Forcer une synchronisation immédiate et renvoyer ses compteurs' })
  @ApiErrorResponses(401, 403)
  async force(): Promise<ForceSyncResponseDto> {
    const report = await this.scheduler.force();
    return {
      success: true,
      message: 'Synchronisation forcée exécutée',
      counts: report.counts,
      ranAt: new Date(report.startedAt).toISOString(),
      durationMs: report.durationMs,
    };
  }
}
