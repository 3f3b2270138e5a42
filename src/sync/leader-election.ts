import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { LeaderSql } from './leader.statements';

/** The replica that runs the dispatcher's scheduled ticks. */
export abstract class LeaderElection {
  /** Identifies this process among the replicas. */
  readonly instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  /** Leads now, acquiring the lead when it is free. */
  abstract acquire(): Promise<boolean>;
  abstract get leading(): boolean;
}

/** One process on one SQLite file: it always leads. */
export class SoleLeader extends LeaderElection {
  acquire(): Promise<boolean> {
    return Promise.resolve(true);
  }
  get leading(): boolean {
    return true;
  }
}

/**
 * PostgreSQL advisory lock held on a connection of its own: released by the server the moment the
 * leader's process or connection dies, so another replica takes over at its next attempt.
 */
export class PostgresLeaderElection extends LeaderElection implements OnApplicationShutdown {
  private readonly logger = new Logger('LeaderElection');
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private lead = false;
  /** Set at shutdown: a connection still being opened then must not be kept, nor its lock. */
  private closed = false;

  constructor(private readonly databaseUrl: string) {
    super();
  }

  get leading(): boolean {
    return this.lead;
  }

  async acquire(): Promise<boolean> {
    if (this.closed) return false;
    try {
      const client = await this.connection();
      if (this.lead) {
        await client.query(LeaderSql.ping);
        return true;
      }
      const { rows } = await client.query<{ locked: boolean }>(LeaderSql.tryLock.text, [...LeaderSql.tryLock.params]);
      this.lead = rows[0].locked;
      if (this.closed) {
        await this.drop();
        return false;
      }
      if (this.lead) this.logger.log({ instanceId: this.instanceId }, 'This replica now leads the dispatcher');
      return this.lead;
    } catch (error) {
      if (!this.closed) this.logger.warn({ err: error }, 'Lost the leader connection; will compete again');
      await this.drop();
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.drop();
  }

  /** One connection at a time: concurrent acquires share the one being opened, none is left behind. */
  private connection(): Promise<Client> {
    this.connecting ??= this.open().catch((error: unknown) => {
      this.connecting = null;
      throw error;
    });
    return this.connecting;
  }

  private async open(): Promise<Client> {
    const client = new Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 5000 });
    client.on('error', () => void this.drop());
    await client.connect();
    if (this.closed) {
      // Shut down while connecting: drop() found nothing to close, so close it here.
      await client.end().catch(() => undefined);
      throw new Error('Leader election shut down');
    }
    this.client = client;
    return client;
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.connecting = null;
    if (this.lead) this.logger.warn({ instanceId: this.instanceId }, 'This replica no longer leads the dispatcher');
    this.lead = false;
    await client?.end().catch(() => undefined);
  }
}
