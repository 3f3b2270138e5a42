import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { FatalStop } from '../health/fatal-stop';
import { Database } from './database';

/**
 * At boot, before any request: the WAL a previous process left checkpointed into the database file
 * (whatever SQLITE_SYNC); then the WAL flushed off the event loop (SQLite file, SQLITE_SYNC=thread),
 * to shutdown.
 */
@Injectable()
export class SqliteWalFlushing implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Database');

  constructor(
    private readonly config: AppConfig,
    private readonly database: Database,
    private readonly stop: FatalStop,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.database.engine !== 'sqlite') return;
    const checkpoint = await this.database.checkpointWalAtBoot();
    if ('frames' in checkpoint) this.logger.log(`SQLite WAL checkpointed into the database file at boot (${checkpoint.frames} frame(s))`);
    if (this.config.sqliteSync !== 'thread') return;
    const outcome = await this.database.flushWalOffTheLoop(this.stop);
    if ('refused' in outcome) this.logger.warn(`SQLite commits with synchronous FULL (the fsync inside each COMMIT): ${outcome.refused}`);
    else this.logger.log(`SQLite commits with synchronous NORMAL; its WAL (${outcome.wal}) is flushed on a thread of its own before anything is answered`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.database.stopFlushingWal();
  }
}
