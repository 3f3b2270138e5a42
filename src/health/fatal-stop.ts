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

/**
 * A fatal line, every buffered line written (the crash path of main.ts), then SIGKILL rather than
 * exit(1): `process.exit` waits for every worker thread to end, and a thread stuck in a syscall on a
 * failing disk (the WAL flush, the checkpoint) would hold the process alive, serving nothing, with
 * no supervisor restart. Killed by a signal, the process is restarted as after any crash.
 */
@Injectable()
export class ExitProcess extends FatalStop {
  stop(message: string, fields: Record<string, unknown>): void {
    exitFatally(rootLogger(), fields, message, killNow);
  }
}

function killNow(): never {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL to oneself is delivered before kill() returns on Linux; elsewhere, the plain exit.
  return process.exit(1);
}
