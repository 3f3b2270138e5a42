import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { AppConfig } from '../../config/app-config';
import { assertMayActAs, Principal } from '../../common/auth/principal';
import { Clock } from '../../common/clock/clock';
import { RequestValidationError } from '../../common/errors/domain-error';
import { callboxNotRegistered } from '../callbox-errors';
import { CallBoxRepository } from '../registry/callbox';
import { AdvertisedSettings, CallBoxConfigRepository, CallBoxSettings, GLOBAL_SCOPE } from './callbox-config';

/** How long another replica's change of settings may take to show here (this replica's own show at once). */
export const SETTINGS_CACHE_MS = 1_000;
const MAX_CACHED_SCOPES = 10_000;

/** Effective settings: a box's override, else the global row, else the environment's defaults. */
@Injectable()
export class CallBoxConfigService {
  /** Every poll and heartbeat needs the settings; they change a few times a day. */
  private readonly cache = new Map<string, { readAt: number; stored: Partial<CallBoxSettings> | undefined }>();
  /**
   * Reads under way, per scope: a burst of requests arriving together with the cache expired waits
   * for one read instead of each taking a database connection for the same row.
   */
  private readonly reading = new Map<string, Promise<Partial<CallBoxSettings> | undefined>>();

  constructor(
    private readonly repository: CallBoxConfigRepository,
    private readonly boxes: CallBoxRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async effective(callboxId?: string): Promise<AdvertisedSettings> {
    const scopes = callboxId ? [GLOBAL_SCOPE, callboxId] : [GLOBAL_SCOPE];
    const stored = await this.cached(scopes);
    return {
      ...this.config.callboxDefaults,
      ...stored.get(GLOBAL_SCOPE),
      ...(callboxId ? stored.get(callboxId) : undefined),
      longPollMaxWaitMs: this.config.longPollMaxWaitMs,
    };
  }

  private async cached(scopes: string[]): Promise<Map<string, Partial<CallBoxSettings> | undefined>> {
    const now = performance.now();
    const result = new Map<string, Partial<CallBoxSettings> | undefined>();
    const waiting: Array<[string, Promise<Partial<CallBoxSettings> | undefined>]> = [];
    const missing: string[] = [];
    for (const scope of scopes) {
      const entry = this.cache.get(scope);
      const read = this.reading.get(scope);
      if (entry && now - entry.readAt < SETTINGS_CACHE_MS) result.set(scope, entry.stored);
      else if (read) waiting.push([scope, read]);
      else missing.push(scope);
    }
    if (missing.length > 0) waiting.push(...this.readOnce(missing, now));
    for (const [scope, read] of waiting) result.set(scope, await read);
    return result;
  }

  /** One query for these scopes, shared with every request that needs them before it answers. */
  private readOnce(scopes: string[], startedAt: number): Array<[string, Promise<Partial<CallBoxSettings> | undefined>]> {
    const query = this.repository.find(scopes);
    const reads = scopes.map((scope): [string, Promise<Partial<CallBoxSettings> | undefined>] => [scope, query.then((found) => found.get(scope))]);
    for (const [scope, read] of reads) this.reading.set(scope, read);
    const settle = (found: Map<string, Partial<CallBoxSettings>> | null) => {
      if (found && this.cache.size + scopes.length > MAX_CACHED_SCOPES) this.cache.clear();
      for (const [scope, read] of reads) {
        // An update meanwhile dropped this read: what it found may be older than the change.
        if (this.reading.get(scope) !== read) continue;
        this.reading.delete(scope);
        if (found) this.cache.set(scope, { readAt: startedAt, stored: found.get(scope) });
      }
    };
    // A failed read is each waiting caller's error; here it only clears the way for the next one.
    query.then(settle, () => settle(null));
    return reads;
  }

  /** Effective settings of many boxes with one query. */
  async effectiveForMany(callboxIds: readonly string[]): Promise<Map<string, CallBoxSettings>> {
    const stored = await this.repository.find([GLOBAL_SCOPE, ...callboxIds]);
    const global = { ...this.config.callboxDefaults, ...stored.get(GLOBAL_SCOPE) };
    return new Map(callboxIds.map((id) => [id, { ...global, ...stored.get(id) }]));
  }

  async read(principal: Principal, callboxId?: string): Promise<{ scope: string; config: AdvertisedSettings }> {
    if (callboxId) {
      assertMayActAs(principal, callboxId);
      await this.requireBox(callboxId);
    }
    return { scope: callboxId ?? GLOBAL_SCOPE, config: await this.effective(callboxId) };
  }

  async update(changes: Partial<CallBoxSettings>, callboxId?: string): Promise<{ scope: string; config: AdvertisedSettings }> {
    if (Object.values(changes).every((value) => value === undefined)) {
      throw new RequestValidationError({
        body: ['Indiquez au moins un réglage: maxRetries, timeoutMs, batchSize ou pollIntervalMs'],
      });
    }
    if (callboxId) await this.requireBox(callboxId);
    await this.repository.merge(callboxId ?? GLOBAL_SCOPE, changes, this.clock.now());
    this.cache.delete(callboxId ?? GLOBAL_SCOPE);
    this.reading.delete(callboxId ?? GLOBAL_SCOPE);
    return { scope: callboxId ?? GLOBAL_SCOPE, config: await this.effective(callboxId) };
  }

  private async requireBox(callboxId: string): Promise<void> {
    if (!(await this.boxes.findById(callboxId))) throw callboxNotRegistered(callboxId);
  }
}
