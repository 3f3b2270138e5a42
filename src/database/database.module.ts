import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { Database } from './database';
import { typeOrmOptions } from './typeorm-options';

/** One connection (pool) and one SQLite write queue for the whole app; migrations run at boot. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => typeOrmOptions(config.database),
    }),
  ],
  providers: [Database],
  exports: [Database],
})
export class DatabaseModule {}
