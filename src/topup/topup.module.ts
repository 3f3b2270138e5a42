import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock/clock';
import { ErrorFamilies } from '../common/http/error-families';
import { TransactionsModule } from '../transactions/transactions.module';
import { CommandRunner } from './commands/command-runner.service';
import { CommandJournal } from './journal/command-journal';
import { SqlCommandJournal } from './journal/sql-command-journal';
import { PinGuard } from './pins/pin-guard';
import { PinLocksController } from './pins/pin-locks.controller';
import { PinLocksService } from './pins/pin-locks.service';
import { SqlPinGuard } from './pins/sql-pin-guard';
import { publicBackendUrl, TopUpErrorRenderer } from './errors/topup-error.renderer';
import { SOAP_ENDPOINT, SoapEndpoint } from '../operator/soap-endpoint';
import { SoapTopUpGateway } from './gateway/soap-topup.gateway';
import { TopUpGateway } from './gateway/topup-gateway';
import { TopUpCommandsService } from './services/topup-commands.service';
import { TopUpQueriesService } from './services/topup-queries.service';
import { UnknownNumberResolver } from './services/unknown-number.resolver';
import { TopUpController } from './topup.controller';
import { TopUpRequestLimitsInterceptor } from './topup-request-limits.interceptor';

const gateway = [{ provide: TopUpGateway, useClass: SoapTopUpGateway }];
const services = [
  TopUpQueriesService,
  TopUpCommandsService,
  CommandRunner,
  UnknownNumberResolver,
  TopUpRequestLimitsInterceptor,
  PinLocksService,
];
const persistence = [
  { provide: PinGuard, useClass: SqlPinGuard },
  { provide: CommandJournal, useClass: SqlCommandJournal },
];

/** The TopUp API: a REST facade over the operator's SOAP system. */
@Module({
  imports: [TransactionsModule],
  providers: [...gateway, ...services, ...persistence],
  controllers: [TopUpController, PinLocksController],
  exports: [TopUpGateway],
})
export class TopUpModule implements OnModuleInit {
  constructor(
    private readonly families: ErrorFamilies,
    @Inject(SOAP_ENDPOINT) private readonly endpoint: SoapEndpoint,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.families.register('/api/topup', new TopUpErrorRenderer(publicBackendUrl(this.endpoint.url), () => this.clock.now()));
  }
}
