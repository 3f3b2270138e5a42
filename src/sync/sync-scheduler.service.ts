import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CallBoxRepository } from '../callbox/registry/callbox';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../config/app-config';
import { DispatcherService, TickCounts } from './dispatcher.service';
import { SyncStateRepository } from './sync-state.repository';

const INTERVAL = 'sync-dispatcher';
const AUTOSTART = 'sync-dispatcher-autostart';

export interface TickReport {
  trigger: 'schedule' | 'force';
  startedAt: number;
  durationMs: number;
  counts: TickCounts;
}

export interface SyncStatus extends TickCounts {
  running: boolean;
  intervalMs: number;
  lastRunAt: string | null;
  lastRunDurationMs: number | null;
  totalRuns: number;
  nextRunAt: string | null;
  connectedInstances: number;
  /** Who last started or stopped the dispatcher, and when. */
  changedBy: string | null;
  changedAt: string | null;
}

const NO_COUNTS: TickCounts = { disconnected: 0, requeued: 0, needsReview: 0, retried: 0, failed: 0, assigned: 0 };

/**
 * Runs the dispatcher every SYNC_INTERVAL_MS, starting SYNC_AUTOSTART_DELAY_MS after boot unless an
 * admin stopped it (the switch is in the database). Ticks never overlap: a scheduled tick that
 * finds one running is skipped, a forced one waits for it. A failing tick is logged, never fatal.
 */
@Injectable()
export class SyncSchedulerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SyncScheduler');
  private current: Promise<TickReport> | null = null;
  private last: TickReport | null = null;
  private totalRuns = 0;
  private scheduledSince: number | null = null;

  constructor(
    private readonly dispatcher: DispatcherService,
    private readonly state: SyncStateRepository,
    private readonly boxes: CallBoxRepository,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const timer = setTimeout(() => void this.autostart(), this.config.syncAutostartDelayMs);
    timer.unref();
    this.registry.addTimeout(AUTOSTART, timer);
  }

  onApplicationShutdown(): void {
    this.unschedule();
    if (this.registry.doesExist('timeout', AUTOSTART)) this.registry.deleteTimeout(AUTOSTART);
  }

  async start(changedBy: string): Promise<SyncStatus> {
    await this.state.write(true, changedBy, this.clock.now());
    this.schedule();
    this.logger.log({ changedBy }, 'Synchronisation started');
    return this.status();
  }

  async stop(changedBy: string): Promise<SyncStatus> {
    await this.state.write(false, changedBy, this.clock.now());
    this.unschedule();
    this.logger.log({ changedBy }, 'Synchronisation stopped');
    return this.status();
  }

  /** Runs one tick now (after the one in progress, if any) and returns its report. */
  async force(): Promise<TickReport> {
    while (this.current) await this.current.catch(() => undefined);
    return this.runTick('force');
  }

  async status(): Promise<SyncStatus> {
    const [persisted, connected] = await Promise.all([this.state.read(), this.boxes.listByConnection('connected', 10_000)]);
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const lastRunAt = this.last?.startedAt ?? null;
    return {
      ...(this.last?.counts ?? NO_COUNTS),
      running: this.scheduledSince !== null,
      intervalMs: this.config.syncIntervalMs,
      lastRunAt: iso(lastRunAt),
      lastRunDurationMs: this.last?.durationMs ?? null,
      totalRuns: this.totalRuns,
      nextRunAt: iso(this.nextRunAt()),
      connectedInstances: connected.length,
      changedBy: persisted?.changedBy ?? null,
      changedAt: iso(persisted?.changedAt ?? null),
    };
  }

  /** The interval fires every intervalMs from the moment it was scheduled. */
  private nextRunAt(): number | null {
    if (this.scheduledSince === null) return null;
    const interval = this.config.syncIntervalMs;
    const elapsed = Math.max(0, this.clock.now() - this.scheduledSince);
    return this.scheduledSince + (Math.floor(elapsed / interval) + 1) * interval;
  }

  private async autostart(): Promise<void> {
    try {
      const persisted = await this.state.read();
      if (persisted && !persisted.running) {
        this.logger.warn({ changedBy: persisted.changedBy }, 'Synchronisation left stopped: an admin stopped it');
        return;
      }
      this.schedule();
      this.logger.log({ intervalMs: this.config.syncIntervalMs }, 'Synchronisation started automatically');
    } catch (error) {
      this.logger.error({ err: error }, 'Could not read the synchronisation switch; retrying at the next interval');
      const retry = setTimeout(() => void this.autostart(), this.config.syncIntervalMs);
      retry.unref();
    }
  }

  private schedule(): void {
    if (this.registry.doesExist('interval', INTERVAL)) return;
    const interval = setInterval(() => void this.scheduledTick(), this.config.syncIntervalMs);
    interval.unref();
    this.registry.addInterval(INTERVAL, interval);
    this.scheduledSince = this.clock.now();
  }

  private unschedule(): void {
    if (this.registry.doesExist('interval', INTERVAL)) this.registry.deleteInterval(INTERVAL);
    this.scheduledSince = null;
  }

  private async scheduledTick(): Promise<void> {
    if (this.current) {
      this.logger.warn('Previous tick still running: this one is skipped');
      return;
    }
    await this.runTick('schedule').catch(() => undefined);
  }

  private runTick(trigger: TickReport['trigger']): Promise<TickReport> {
    const run = (async () => {
      const startedAt = this.clock.now();
      const began = performance.now();
      const counts = await this.dispatcher.tick();
      const report = { trigger, startedAt, durationMs: Math.round(performance.now() - began), counts };
      this.last = report;
      this.totalRuns += 1;
      if (Object.values(counts).some((n) => n > 0)) this.logger.log({ ...report }, 'Dispatcher tick');
      return report;
    })();
    this.current = run;
    void run.finally(() => {
      if (this.current === run) this.current = null;
    }).catch(() => undefined);
    return run.catch((error) => {
      this.logger.error({ err: error }, 'Dispatcher tick failed');
      throw error;
    });
  }
}
