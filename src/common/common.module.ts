import { Global, Module } from '@nestjs/common';
import { AuthFailureBudget } from './auth/auth-failure-budget';
import { Credentials } from './auth/credentials';
import { Clock, SystemClock } from './clock/clock';
import { ErrorFamilies } from './http/error-families';

/** Cross-cutting providers every feature module may inject: the clock, credential checks and the failed-authentication budget, error families. */
@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }, Credentials, AuthFailureBudget, ErrorFamilies],
  exports: [Clock, Credentials, AuthFailureBudget, ErrorFamilies],
})
export class CommonModule {}
