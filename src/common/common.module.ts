import { Global, Module } from '@nestjs/common';
import { AuthGuard } from './auth/auth.guard';
import { Credentials } from './auth/credentials';
import { Clock, SystemClock } from './clock/clock';

/** Cross-cutting providers every feature module may inject: the clock and the credential checks. */
@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }, Credentials, AuthGuard],
  exports: [Clock, Credentials, AuthGuard],
})
export class CommonModule {}
