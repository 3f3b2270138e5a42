import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Database } from '../../database/database';
import { decodeWorkSignal, encodeWorkSignal, WorkSignal } from './work-signal';
import { WorkSignalSql, WORK_CHANNEL } from './work-signal.statements';

type Handler = (signal: WorkSignal) => void;

/** Carries work signals to the other replicas; each replica wakes its own held polls. */
export abstract class WorkBus {
  /** This process among the replicas: its own notifications come back to it and are ignored. */
  readonly origin = randomBytes(6).toString('hex');
  abstract publish(signal: WorkSignal): void;
  abstract listen(handler: Handler): void;
}

/** One process on one SQLite file: nobody else to tell. */
export class InProcessWorkBus extends WorkBus {
  publish(): void {}
  listen(): void {}
}

const RECONNECT_FIRST_MS = 500;
const RECONNECT_MAX_MS = 10_000;

/**
 * PostgreSQL LISTEN/NOTIFY. NOTIFY goes through the pool once the change committed (signals of one
 * turn of the event loop in one statement); LISTEN holds a connection of its own, opened again
 * after a loss. A signal lost meanwhile costs latency only: the poll's deadline still answers it,
 * and the dispatcher's next round hands the work to a box and wakes that one.
 */
export class PostgresWorkBus extends WorkBus implements OnApplicationShutdown {
  private readonly logger = new Logger('WorkBus');
  private handler: Handler | null = null;
  private client: Client | null = null;
  private closed = false;
  private reconnectMs = RECONNECT_FIRST_MS;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private queued: WorkSignal = { items: [], boxes: [] };
  private flushScheduled = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly db: Database,
  ) {
    super();
  }

  listen(handler: Handler): void {
    this.handler = handler;
    void this.connect();
  }

  publish(signal: WorkSignal): void {
    if (this.closed) return;
    this.queued.items.push(...signal.items);
    this.queued.boxes.push(...signal.boxes);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => void this.flush());
  }

  /** Whether the LISTEN connection is up (for the specs). */
  get listening(): boolean {
    return this.client !== null;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const signal = this.queued;
    this.queued = { items: [], boxes: [] };
    for (const payload of encodeWorkSignal(signal, this.origin)) {
      try {
        await this.db.unit(WorkSignalSql.notify(payload));
      } catch (error) {
        if (!this.closed) this.logger.warn({ err: error }, 'Could not tell the other replicas about new work (their held polls answer at their deadline)');
      }
    }
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 5000 });
    let dropped = false;
    const lost = (error?: Error) => {
      if (dropped) return;
      dropped = true;
      if (this.client === client) this.client = null;
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.logger.warn({ err: error }, `Lost the ${WORK_CHANNEL} listener; listening again in ${this.reconnectMs} ms`);
      this.reconnectTimer = setTimeout(() => void this.connect(), this.reconnectMs);
      this.reconnectTimer.unref();
      this.reconnectMs = Math.min(RECONNECT_MAX_MS, this.reconnectMs * 2);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      const signal = message.payload ? decodeWorkSignal(message.payload, this.origin) : null;
      if (signal) this.handler?.(signal);
    });
    try {
      await client.connect();
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      await client.query(WorkSignalSql.listen);
      this.client = client;
      this.reconnectMs = RECONNECT_FIRST_MS;
    } catch (error) {
      lost(error as Error);
    }
  }
}
