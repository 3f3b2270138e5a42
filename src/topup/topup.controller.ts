import { Body, Controller, Delete, Get, HttpCode, Ip, Param, Post, Put, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TopUpCommandsService } from './services/topup-commands.service';
import { TopUpQueriesService } from './services/topup-queries.service';
import {
  BalancesRequestDto,
  DirectoryRequestDto,
  IsdnRequestDto,
  MsisdnRequestDto,
  PackagesRequestDto,
  RechargeAccountRequestDto,
  SubscribePackageRequestDto,
  UpdatePinRequestDto,
} from './validation/topup-requests.dto';
import { TOPUP_ERRORS } from './topup-api-docs';
import {
  BalancesResponseDto,
  DirectoryChangeResponseDto,
  DirectoryResponseDto,
  PackagesResponseDto,
  PinChangeResponseDto,
  RechargeResponseDto,
  StatusResponseDto,
  SubscriptionResponseDto,
} from './topup-responses.dto';
import { TopUpRequestLimitsInterceptor } from './topup-request-limits.interceptor';

type Body200 = Promise<Record<string, unknown>>;

const REPLAY_HEADER = {
  'Idempotent-Replayed': { description: 'true on a replayed answer (the recorded one); absent from a first answer', schema: { type: 'string', enum: ['true'] } },
};
const ok = (type: new () => unknown, description: string) => ApiOkResponse({ type, description });
const command = (type: new () => unknown, description: string) => ApiOkResponse({ type, description, headers: REPLAY_HEADER });

const STATUS_453 =
  'Une ligne sans package (code 453) est rechargeable : réponse 200, `return_code: "453"`, ' +
  '`status.eligible: true`, `can_get_packages: false`, `status_code: "NO_PACKAGE_AVAILABLE"`; `/packages` la refuse (404, 453).';

@ApiTags('TopUp')
@UseInterceptors(TopUpRequestLimitsInterceptor)
@Controller('topup')
export class TopUpController {
  constructor(
    private readonly queries: TopUpQueriesService,
    private readonly commands: TopUpCommandsService,
  ) {}

  @Post('balances')
  @HttpCode(200)
  @ApiOperation({ summary: "Consultation des soldes d'une ligne fixe" })
  @TOPUP_ERRORS.query
  @ok(BalancesResponseDto, 'Soldes de la ligne fixe')
  balances(@Body() dto: BalancesRequestDto): Body200 {
    return this.queries.balances(dto.msisdn, dto.isdn);
  }

  @Get('numbers/:msisdn')
  @ApiOperation({ summary: 'Répertoire personnel (msisdn dans le chemin)' })
  @TOPUP_ERRORS.query
  @ok(DirectoryResponseDto, 'Répertoire du mobile')
  directoryByPath(@Param() params: MsisdnRequestDto): Body200 {
    return this.queries.directory(params.msisdn);
  }

  @Post('numbers')
  @HttpCode(200)
  @ApiOperation({ summary: 'Répertoire personnel (msisdn dans le corps)' })
  @TOPUP_ERRORS.query
  @ok(DirectoryResponseDto, 'Répertoire du mobile')
  directory(@Body() dto: MsisdnRequestDto): Body200 {
    return this.queries.directory(dto.msisdn);
  }

  @Get('status/:isdn')
  @ApiOperation({ summary: 'Vérification du statut de recharge (isdn dans le chemin)', description: STATUS_453 })
  @TOPUP_ERRORS.query
  @ok(StatusResponseDto, 'Ligne rechargeable (0), ou rechargeable sans package (453)')
  statusByPath(@Param() params: IsdnRequestDto): Body200 {
    return this.queries.status(params.isdn);
  }

  @Post('status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Vérification du statut de recharge (isdn dans le corps)', description: STATUS_453 })
  @TOPUP_ERRORS.query
  @ok(StatusResponseDto, 'Ligne rechargeable (0), ou rechargeable sans package (453)')
  status(@Body() dto: IsdnRequestDto): Body200 {
    return this.queries.status(dto.isdn);
  }

  @Post('packages')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Consultation des packages',
    description:
      '`data_quantity_gb` est en gigaoctets, comme le dit le changelog 2.1.0 (1 Go -> 1, 500 Mo -> 0.49). ' +
      'Les exemples de la spécification (1024, 500) le contredisent : ils sont en mégaoctets. ' +
      '`is_affordable` compare le prix au solde principal (COMMON) de la ligne fixe, qui paie le package.',
  })
  @TOPUP_ERRORS.query
  @ok(PackagesResponseDto, 'Packages proposés à la ligne')
  packages(@Body() dto: PackagesRequestDto): Body200 {
    return this.queries.packages(dto.msisdn, dto.isdn, dto.type);
  }

  @Post('subscribe-package')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Souscription à un package (payé par le solde principal de la ligne fixe)',
    description:
      'Un transaction_id rejoué (même requête, même PIN) renvoie la réponse enregistrée sans rappeler l’opérateur, ' +
      'marquée `replayed: true` et par l’en-tête `Idempotent-Replayed: true`.',
  })
  @TOPUP_ERRORS.command
  @command(SubscriptionResponseDto, 'Package souscrit')
  subscribePackage(@Body() dto: SubscribePackageRequestDto, @Ip() client: string): Body200 {
    return this.commands.subscribePackage(dto, client);
  }

  @Post('recharge-account')
  @HttpCode(200)
  @ApiOperation({ summary: 'Recharge de compte: du solde du mobile vers le solde principal de la ligne fixe' })
  @TOPUP_ERRORS.command
  @command(RechargeResponseDto, 'Recharge effectuée')
  rechargeAccount(@Body() dto: RechargeAccountRequestDto, @Ip() client: string): Body200 {
    return this.commands.rechargeAccount(dto, client);
  }

  @Put('update-pin')
  @ApiOperation({ summary: 'Mise à jour du code PIN' })
  @TOPUP_ERRORS.command
  @command(PinChangeResponseDto, 'Code PIN mis à jour')
  updatePin(@Body() dto: UpdatePinRequestDto, @Ip() client: string): Body200 {
    return this.commands.updatePin(dto, client);
  }

  @Post('directory/add')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ajouter un numéro au répertoire' })
  @TOPUP_ERRORS.command
  @command(DirectoryChangeResponseDto, 'Numéro ajouté au répertoire')
  addToDirectory(@Body() dto: DirectoryRequestDto, @Ip() client: string): Body200 {
    return this.commands.changeDirectory('add', dto, client);
  }

  @Delete('directory/remove')
  @ApiOperation({ summary: 'Supprimer un numéro du répertoire (corps JSON)' })
  @ApiBody({ type: DirectoryRequestDto })
  @TOPUP_ERRORS.command
  @command(DirectoryChangeResponseDto, 'Numéro retiré du répertoire')
  removeFromDirectory(@Body() dto: DirectoryRequestDto, @Ip() client: string): Body200 {
    return this.commands.changeDirectory('remove', dto, client);
  }
}

