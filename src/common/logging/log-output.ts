import pino from 'pino';
import type { DestinationStream } from 'pino';
import { prettyLine } from './pretty-line';

export type LogFormat = 'json' | 'pretty';

/** The longest a written line waits in the buffer before it reaches stdout. */
export const LOG_FLUSH_INTERVAL_MS = 500;

/** The part of pino's SonicBoom this output drives. */
interface Sink {
  write(data: string): boolean;
  flush(cb?: (error?: Error) => void): void;
  flushSync(): void;
}

/**
 * stdout for the logs. Lines are buffered and written in 4 KB chunks (one system call per line
 * cost a fifth of a submit at info level), and a timer flushes whatever waits at least every
 * LOG_FLUSH_INTERVAL_MS, so a quiet gateway's lines still arrive within a second. flushSync()
 * writes everything at once: the shutdown, a fatal error and the exit call it.
 */
export class LogOutput implements DestinationStream {
  private readonly sink: Sink;
  private waiting = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly format: LogFormat = 'json',
    fd = 1,
    intervalMs = LOG_FLUSH_INTERVAL_MS,
  ) {
    this.sink = pino.destination({ dest: fd, sync: false, minLength: 4096 }) as unknown as Sink;
    this.timer = setInterval(() => this.flush(), intervalMs);
    // The timer never keeps a process alive; the exit flush below writes the rest.
    this.timer.unref();
    process.once('exit', () => this.flushSync());
  }

  write(line: string): void {
    this.sink.write(this.format === 'pretty' ? prettyLine(line) : line);
    this.waiting = true;
  }

  flush(): void {
    if (!this.waiting) return;
    this.waiting = false;
    try {
      this.sink.flush();
    } catch {
      // Closed (the process is exiting): the exit flush has written what it could.
    }
  }

  flushSync(): void {
    this.waiting = false;
    try {
      this.sink.flushSync();
    } catch {
      // A write already in flight (EAGAIN) or a closed fd: SonicBoom finishes or drops it.
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.flushSync();
  }
}
