import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { ExitProcess, FatalStop } from '../health/fatal-stop';
import { Database } from './database';
import { SqliteWalFlushing } from './sqlite-wal-flushing';
import { typeOrmOptions } from './typeorm-options';
import { SqliteCheckpoints } from './wal-checkpointer';

/**
 * One connection (pool) and one SQLite write queue for the whole app, its WAL checkpoints and its WAL
 * flushes on threads of their own; migrations run at boot.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => typeOrmOptions(config.database),
    }),
  ],
  providers: [Database, SqliteCheckpoints, SqliteWalFlushing, { provide: FatalStop, useClass: ExitProcess }],
  exports: [Database],
})
export class DatabaseModule {}
