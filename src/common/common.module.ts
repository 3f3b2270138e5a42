import { Global, Module } from '@nestjs/common';
import { AuthGuard } from './auth/auth.guard';
import { Credentials } from './auth/credentials';
import { Clock, SystemClock } from './clock/clock';
import { ErrorFamilies } from './http/error-families';

/** Cross-cutting providers every feature module may inject: the clock, credential checks, error families. */
@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }, Credentials, AuthGuard, ErrorFamilies],
  exports: [Clock, Credentials, AuthGuard, ErrorFamilies],
})
export class CommonModule {}
