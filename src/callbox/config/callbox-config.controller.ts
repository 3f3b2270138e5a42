import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../common/auth/auth.guard';
import { CurrentPrincipal } from '../../common/auth/current-principal.decorator';
import type { Principal } from '../../common/auth/principal';
import { ApiErrorResponses } from '../../common/http/api-error-responses';
import { CallBoxConfigService } from './callbox-config.service';
import { ConfigQueryDto, ConfigResponseDto, UpdateConfigDto } from './config.dto';

@ApiTags('CallBox')
@Controller('call-box/config')
export class CallBoxConfigController {
  constructor(private readonly configs: CallBoxConfigService) {}

  @Get()
  @Authenticated('callbox-or-admin')
  @ApiOperation({ summary: "Configuration effective d'une CallBox (ou globale sans callboxId)" })
  @ApiErrorResponses(400, 401, 403, 404)
  async get(@CurrentPrincipal() principal: Principal, @Query() query: ConfigQueryDto): Promise<ConfigResponseDto> {
    const { scope, config } = await this.configs.read(principal, query.callboxId);
    return { success: true, scope, config };
  }

  @Put()
  @Authenticated('admin')
  @ApiOperation({ summary: "Met à jour la configuration globale, ou celle d'une CallBox si callboxId est donné (x-api-key)" })
  @ApiErrorResponses(400, 401, 403, 404)
  async update(@Body() dto: UpdateConfigDto): Promise<ConfigResponseDto> {
    const { callboxId, ...changes } = dto;
    const { scope, config } = await this.configs.update(changes, callboxId);
    return { success: true, message: 'Configuration mise à jour', scope, config };
  }
}
