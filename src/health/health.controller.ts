import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../config/app-config';
import { SyncSchedulerService } from '../sync/sync-scheduler.service';
import { TopUpGateway } from '../topup/gateway/topup-gateway';

@ApiTags('Health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly scheduler: SyncSchedulerService,
    private readonly topup: TopUpGateway,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** The process is up and serving HTTP; used by the container HEALTHCHECK. */
  @Get('live')
  @ApiOperation({ summary: 'Process up' })
  @ApiOkResponse({
    description: 'The process serves HTTP',
    schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'] },
  })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Ready to serve: 503 only when the database does not answer (migrations ran at boot, before
   * listening). The SOAP breaker and the dispatcher's last tick are reported, never fatal: the
   * CallBox side works without the operator, and a dispatcher that has not ticked yet is normal.
   */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Ready: database ping (fatal), SOAP breaker and dispatcher tick age (reported)' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      return await this.check();
    } catch (error) {
      // Terminus's own report (which check failed, why) is what a load balancer or an on-call reads.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      return error.getResponse();
    }
  }

  private check() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 3000 }),
      () => this.indicators.check('soap').up({ breaker: this.topup.breakerState() }),
      () => {
        const last = this.scheduler.lastTickAt;
        return this.indicators.check('dispatcher').up({
          lastTickAt: last === null ? null : new Date(last).toISOString(),
          lastTickAgeMs: last === null ? null : this.clock.now() - last,
          intervalMs: this.config.syncIntervalMs,
        });
      },
    ]);
  }
}
