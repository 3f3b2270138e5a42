import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, type AuthenticatedRequest } from '../../common/auth/auth.guard';
import { ApiErrorResponses } from '../../common/http/api-error-responses';
import { CallBoxRegistryService } from './callbox-registry.service';
import { HeartbeatDto, HeartbeatResponseDto } from './heartbeat.dto';
import { RegisterCallBoxDto, RegisterResponseDto } from './registration.dto';

@ApiTags('CallBox')
@Authenticated('callbox')
@Controller('call-box')
export class CallBoxRegistryController {
  constructor(private readonly registry: CallBoxRegistryService) {}

  @Post('register')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enregistre une instance CallBox (idempotent: met à jour capacités, version, lieu)' })
  @ApiErrorResponses(400, 401, 403)
  async register(@Req() request: AuthenticatedRequest, @Body() dto: RegisterCallBoxDto): Promise<RegisterResponseDto> {
    const { box, settings } = await this.registry.register(request.principal, {
      id: dto.callboxId,
      maxConcurrent: dto.capabilities.maxConcurrentTransactions,
      supportedTypes: dto.capabilities.supportedTypes,
      operators: dto.capabilities.operators ?? null,
      version: dto.version ?? null,
      location: dto.location ?? null,
    });
    return {
      success: true,
      message: 'CallBox enregistré avec succès',
      config: settings,
      instance: { id: box.id, status: box.reportedStatus, lastHeartbeat: new Date(box.lastHeartbeatAt).toISOString() },
    };
  }

  @Post('heartbeat')
  @HttpCode(200)
  @ApiOperation({ summary: 'Maintient la connexion et synchronise le statut de la CallBox' })
  @ApiErrorResponses(400, 401, 403, 404)
  async heartbeat(@Req() request: AuthenticatedRequest, @Body() dto: HeartbeatDto): Promise<HeartbeatResponseDto> {
    const { settings, pendingTransactions } = await this.registry.heartbeat(request.principal, dto.callboxId, {
      reportedStatus: dto.status,
      queueSize: dto.queueSize ?? null,
      metrics: dto.metrics ? { ...dto.metrics } : null,
    });
    return { success: true, message: 'Heartbeat reçu', pendingTransactions, config: settings };
  }
}
