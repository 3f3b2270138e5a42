import { Injectable } from '@nestjs/common';
import { rootLogger } from '../common/logging/root-logger';
import { exitFatally } from './graceful-shutdown';

/**
 * How the service stops when going on would be wrong (a flush of SQLite's WAL failed): no graceful
 * drain, whose shutdown hooks would still write. A DI token, so a spec can watch the stop instead
 * of losing its own process.
 */
export abstract class FatalStop {
  abstract stop(message: string, fields: Record<string, unknown>): void;
}

/** The crash path of main.ts (exitOnFatalErrors): a fatal line, every buffered line written, exit 1. */
@Injectable()
export class ExitProcess extends FatalStop {
  stop(message: string, fields: Record<string, unknown>): void {
    exitFatally(rootLogger(), fields, message);
  }
}
