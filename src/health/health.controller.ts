import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';

@ApiTags('Health')
@Controller('health')
export class HealthController {
  /** The process is up and serving HTTP; used by the container HEALTHCHECK. */
  @Get('live')
  @ApiOperation({ summary: 'Process up' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
